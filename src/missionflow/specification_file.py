"""Reading a specification (cahier des charges) from a YAML or Markdown file."""

from __future__ import annotations

import re
from datetime import date

import yaml

from missionflow.errors import InvalidValueError
from missionflow.mission import Deliverable, Specification
from missionflow.money import Money

_HEADINGS = {
    "objectives": "objectives",
    "objectifs": "objectives",
    "deliverables": "deliverables",
    "livrables": "deliverables",
    "access codes": "access_codes",
    "codes d'accès": "access_codes",
    "deadline": "deadline",
    "échéance": "deadline",
    "budget": "budget",
    "acceptance": "acceptance",
    "acceptance criteria": "acceptance",
    "critères d'acceptation": "acceptance",
}


def parse_specification(text: str, currency: str, *, markdown: bool) -> Specification:
    """A Specification from YAML (keys objectives, deliverables, access_codes, deadline, budget, acceptance)
    or from Markdown (one ``## Heading`` per part, deliverables as bullet points).

    >>> spec = parse_specification("## Objectives\\nA site\\n## Deliverables\\n- logo\\n", "EUR", markdown=True)
    >>> [d.name for d in spec.deliverables]
    ['logo']
    """
    parts = _markdown_parts(text) if markdown else _yaml_parts(text)
    unknown = set(parts) - {"objectives", "deliverables", "access_codes", "deadline", "budget", "acceptance"}
    if unknown:
        raise InvalidValueError("specification", f"unknown parts {', '.join(sorted(unknown))}")
    deliverables = [Deliverable(name) for name in _names(parts.get("deliverables"))]
    deliverables += [Deliverable(name, "access_code") for name in _names(parts.get("access_codes"))]
    deadline_text = parts.get("deadline")
    budget_text = parts.get("budget")
    try:
        deadline = date.fromisoformat(str(deadline_text).strip()) if deadline_text else None
    except ValueError:
        raise InvalidValueError("deadline", f"{deadline_text!r} is not a date like 2027-01-15") from None
    return Specification(
        objectives=str(parts.get("objectives") or "").strip(),
        deliverables=tuple(deliverables),
        deadline=deadline,
        budget=Money.of(str(budget_text).split()[0], currency, field="budget") if budget_text else None,
        acceptance=str(parts.get("acceptance") or "").strip(),
    )


def _names(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        lines = [re.sub(r"^\s*[-*+]\s*", "", line).strip() for line in value.splitlines()]
        return [line for line in lines if line]
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    raise InvalidValueError("deliverables", "give a list of names")


def _yaml_parts(text: str) -> dict[str, object]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidValueError("specification", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidValueError("specification", "the YAML file must be a mapping of parts")
    return {str(k): v for k, v in data.items()}


def _markdown_parts(text: str) -> dict[str, object]:
    parts: dict[str, object] = {}
    current: str | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), "## end"]:
        match = re.match(r"^#{2,3}\s+(.*?)\s*$", line)
        if match:
            if current is not None:
                parts[current] = "\n".join(lines).strip()
            heading = match.group(1).lower()
            current = _HEADINGS.get(heading, heading) if heading != "end" else None
            lines = []
        elif current is not None:
            lines.append(line)
    return parts
