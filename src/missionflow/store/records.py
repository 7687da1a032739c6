"""The values the store hands back (mission summaries, references) and the conversions between
library objects and what the database holds (settings as JSON, invoice lines, workflow text).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from missionflow.errors import WorkflowDefinitionError
from missionflow.freelance import Criterion, Settings
from missionflow.freelance.documents.lines import Unit
from missionflow.freelance.pricing import Price, PricedLine
from missionflow.money import Money
from missionflow.workflow import WorkflowDefinition, definition_as_json, parse_workflow


@dataclass(frozen=True)
class MissionSummary:
    """One line of a mission listing: enough to show and pick a mission without loading it."""

    ref: str
    title: str
    client_ref: str
    client_name: str
    workflow: str
    workflow_version: int
    state: str
    updated_at: datetime
    version: int
    created_at: datetime | None = None


def client_ref(client_id: int) -> str:
    """The short reference a person types for a client."""
    return f"C-{client_id}"


def mission_ref(mission_id: int) -> str:
    """The short reference a person types for a mission."""
    return f"M-{mission_id}"


_MAX_ID = 2**31 - 1


def parse_ref(ref: str, prefix: str) -> int | None:
    """The id in a reference like "M-12" (also "m-12" or "12"); None when it is not one.

    >>> parse_ref("m-12", "M"), parse_ref("12", "M"), parse_ref("C-3", "M")
    (12, 12, None)
    """
    text = ref.strip().upper()
    if text.startswith(prefix + "-"):
        text = text[len(prefix) + 1 :]
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= _MAX_ID else None


# --- settings as JSON --------------------------------------------------------------------------


def settings_to_json(settings: Settings) -> dict[str, object]:
    """Settings as JSON values: decimals and times as exact text, never floats."""
    data: dict[str, object] = {}
    for item in fields(settings):
        value = getattr(settings, item.name)
        data[item.name] = _to_json(value)
    return data


def _to_json(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, Criterion):
        return {"name": value.name, "question": value.question, "must_have": value.must_have}
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    return value


def settings_from_json(data: dict[str, object]) -> Settings:
    """Settings back from JSON; a key this version does not know is ignored, a missing one defaulted."""
    defaults = Settings()
    changes: dict[str, object] = {}
    for item in fields(defaults):
        if item.name not in data:
            continue
        changes[item.name] = _from_json(data[item.name], getattr(defaults, item.name))
    return defaults.with_changes(**changes)


def _from_json(value: object, default: object) -> object:
    if isinstance(default, Decimal):
        return Decimal(str(value))
    if isinstance(default, time):
        return time.fromisoformat(str(value))
    if isinstance(default, tuple) and isinstance(value, list):
        if (default and isinstance(default[0], Criterion)) or (value and isinstance(value[0], dict)):
            return tuple(
                Criterion(str(c["name"]), str(c["question"]), bool(c.get("must_have", True)))
                for c in value
                if isinstance(c, dict)
            )
        return tuple(value)
    return value


# --- lines of an invoice -----------------------------------------------------------------------


def lines_to_json(lines: list[dict[str, object]] | None) -> list[object]:
    """Invoice lines as JSON: Money as {amount, currency}, decimals and dates as text."""
    return [_line_value(dict(line)) for line in lines or []]


def _line_value(value: object) -> object:
    if isinstance(value, Money):
        return {"amount": f"{value.amount:.2f}", "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _line_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_line_value(v) for v in value]
    if isinstance(value, float):
        raise TypeError("invoice lines never hold a float: give amounts as Decimal or Money")
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def price_of(row: object, currency: str) -> Price | None:
    """A deliverable's price from its row's columns (``quantity``, ``unit``, ``unit_price_cents``,
    ``vat_rate``), when it is billed on its own: they are then all set."""
    quantity, unit, unit_price, rate = (
        getattr(row, name) for name in ("quantity", "unit", "unit_price_cents", "vat_rate")
    )
    if unit_price is None or quantity is None or unit is None:
        return None
    return Price(Decimal(str(quantity)), Unit(unit), Money(unit_price, currency), rate)


def lines_from_json(lines: object) -> tuple[PricedLine, ...]:
    """Priced lines back from a JSON column (none for NULL)."""
    if not isinstance(lines, list):
        return ()
    return tuple(PricedLine.from_json(line) for line in lines if isinstance(line, dict))


# --- workflow source text ----------------------------------------------------------------------


def workflow_source_text(definition: WorkflowDefinition) -> str:
    """The text to store so that ``definition`` can be parsed back identically in another process.

    The workflow file itself when it still says exactly this definition (comments included),
    otherwise the definition written out as JSON, which the YAML reader also accepts.
    """
    path = Path(definition.source)
    if not definition.source.startswith("<"):
        try:
            text = path.read_bytes().decode("utf-8")
            if parse_workflow(text, definition.source) == definition:
                return text
        except (OSError, UnicodeDecodeError, WorkflowDefinitionError):
            pass
    return definition_as_json(definition)
