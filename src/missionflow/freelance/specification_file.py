"""Reading a specification (cahier des charges) from a YAML or Markdown file (R3)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

from missionflow.errors import InvalidValueError
from missionflow.freelance.mission import Deliverable, Specification
from missionflow.freelance.pricing import Price, parse_price, parse_priced_item
from missionflow.money import Money
from missionflow.workflow.yaml_nodes import Node, YamlProblems, parse

MAX_DELIVERABLES = 1_000
"""The most deliverables and access codes a specification lists (a mission's, not a catalogue's)."""
MAX_FILE_BYTES = 1_000_000
"""The largest specification file read (as large as a workflow file may be)."""
PARTS = ("objectives", "deliverables", "access_codes", "deadline", "budget", "acceptance")
"""The parts a specification file may hold, under these YAML keys (Markdown headings below). A
deliverable billed on its own carries its price: ``website = 12.5 days x 400`` (or, in YAML,
``{name: website, price: 12.5 days x 400}``)."""

_HEADINGS = {
    "objectives": "objectives",
    "objectifs": "objectives",
    "deliverables": "deliverables",
    "livrables": "deliverables",
    "access codes": "access_codes",
    "access_codes": "access_codes",
    "codes d'accès": "access_codes",
    "deadline": "deadline",
    "échéance": "deadline",
    "budget": "budget",
    "acceptance": "acceptance",
    "acceptance criteria": "acceptance",
    "critères d'acceptation": "acceptance",
}
_HEADING = re.compile(r"^#{2,3}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}


def parse_specification(
    text: str, currency: str, *, markdown: bool, source: str = "<specification>"
) -> Specification:
    """A Specification from YAML (keys objectives, deliverables, access_codes, deadline, budget,
    acceptance) or from Markdown (one ``## Heading`` per part, deliverables as a list).

    Parts left out stay empty, so ``missing_parts()`` tells what is still to write. A budget may
    name its currency ("4 500 EUR", "4500 €"); it must then be the mission's.

    >>> spec = parse_specification("## Objectives\\nA site\\n## Deliverables\\n- logo\\n", "EUR", markdown=True)
    >>> [d.name for d in spec.deliverables], spec.missing_parts()
    (['logo'], ['a deadline', 'a budget', 'acceptance criteria'])
    """
    parts = _markdown_parts(text) if markdown else _yaml_parts(text, source)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise InvalidValueError(
            "specification",
            f"{source}: unknown part{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"the parts are {', '.join(PARTS)}",
        )
    deliverables = [
        Deliverable(name, price=price)
        for name, price in (
            _priced(item, currency) for item in _items("deliverables", parts.get("deliverables"))
        )
    ]
    deliverables += [
        Deliverable(name, "access_code") for name in _names("access_codes", parts.get("access_codes"))
    ]
    check_deliverables(deliverables)
    return Specification(
        objectives=_text("objectives", parts.get("objectives")),
        deliverables=tuple(deliverables),
        deadline=_deadline(parts.get("deadline")),
        budget=_budget(parts.get("budget"), currency),
        acceptance=_text("acceptance", parts.get("acceptance")),
    )


def check_deliverables(deliverables: list[Deliverable] | tuple[Deliverable, ...]) -> None:
    """Refuse more than MAX_DELIVERABLES deliverables, or a name listed twice."""
    if len(deliverables) > MAX_DELIVERABLES:
        raise InvalidValueError(
            "deliverables",
            f"{len(deliverables):,} is more than the {MAX_DELIVERABLES:,} a specification may list",
        )
    counts = Counter(d.name for d in deliverables)
    twice = sorted(name for name, count in counts.items() if count > 1)
    if twice:
        # deliveries are matched by name: two items with one name could never both be handed over
        raise InvalidValueError("deliverables", f"{', '.join(map(repr, twice))} is listed more than once")


def load_specification(path: str | Path, currency: str) -> Specification:
    """The specification in a YAML or Markdown file (``.md``/``.markdown``), refused with an
    InvalidValueError naming the file when it is too large, not UTF-8, or not a specification."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidValueError("file", f"cannot read {path}: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidValueError("file", f"{path} is larger than {MAX_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidValueError("file", f"{path} is not UTF-8 text (byte {error.start + 1})") from None
    if "\x00" in text:
        raise InvalidValueError("file", f"{path} contains a NUL character")
    markdown = file.suffix.lower() in (".md", ".markdown")
    try:
        return parse_specification(text, currency, markdown=markdown, source=str(path))
    except InvalidValueError as error:
        # what is wrong is in the file: name the file, and the part
        raise InvalidValueError("file", str(error).removeprefix("invalid ")) from None


def _text(part: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        # a list of objectives or criteria reads as one line each
        return "\n".join(_text(part, item) for item in value).strip()
    if isinstance(value, dict):
        raise InvalidValueError(part, "give it as text")
    return str(value).strip()


def _items(part: str, value: object) -> list[object]:
    """The deliverables as given: names (``website = 12 days x 400`` prices one) or mappings
    ``{name: website, price: 12 days x 400}``."""
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return [item if isinstance(item, dict) else _names(part, [item])[0] for item in value if item]
    return list(_names(part, value))


def _priced(item: object, currency: str) -> tuple[str, Price | None]:
    if isinstance(item, dict):
        unknown = sorted(set(item) - {"name", "price"})
        name = str(item.get("name") or "").strip()
        if unknown or not name:
            raise InvalidValueError(
                "deliverables", f"give each deliverable a name and, if billed on its own, a price: {item!r}"
            )
        price = item.get("price")
        return name, parse_price(str(price), currency, field="deliverables") if price is not None else None
    return parse_priced_item(str(item), currency, field="deliverables")


def _names(part: str, value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        lines = [_BULLET.sub("", line).strip() for line in value.splitlines()]
        names = [line for line in lines if line]
    elif isinstance(value, list) and not any(isinstance(item, list | dict) for item in value):
        names = [str(item).strip() for item in value if item is not None and str(item).strip()]
    else:
        raise InvalidValueError(part, "give a list of names")
    return names


def _deadline(value: object) -> date | None:
    text = _text("deadline", value)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValueError("deadline", f"{text!r} is not a date like 2027-01-15") from None


def _budget(value: object, currency: str) -> Money | None:
    text = _text("budget", value)
    if not text:
        return None
    for symbol, code in _CURRENCY_SYMBOLS.items():
        text = text.replace(symbol, f" {code} ")
    match = re.fullmatch(r"(.*?)\s*([A-Za-z]{3})", text.strip())
    if match is not None:
        text, named = match.group(1), match.group(2).upper()
        if named != currency.upper():
            raise InvalidValueError("budget", f"{named} is not the mission's currency {currency.upper()}")
    return Money.of(text, currency, field="budget")


def _yaml_parts(text: str, source: str) -> dict[str, object]:
    if not text.strip():
        raise InvalidValueError("specification", f"{source} is empty")
    try:
        root = parse(text, source)
    except YamlProblems as exc:
        raise InvalidValueError("specification", str(exc)) from None
    if not isinstance(root.value, dict):
        raise InvalidValueError("specification", f"{source}: give a mapping of parts ({', '.join(PARTS)})")
    return {key: _plain(node) for key, node in root.value.items()}


def _plain(node: Node) -> object:
    if isinstance(node.value, dict):
        return {key: _plain(item) for key, item in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(item) for item in node.value]
    return node.value


def _markdown_parts(text: str) -> dict[str, object]:
    parts: dict[str, object] = {}
    current: str | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            if current in parts:
                raise InvalidValueError("specification", f"the part {current!r} is given twice")
            parts[current] = "\n".join(lines).strip()

    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            close()
            heading = match.group(1).strip().rstrip(":").strip().lower()
            current = _HEADINGS.get(heading, heading)
            lines = []
        elif current is not None:
            lines.append(line)
    close()
    return parts
