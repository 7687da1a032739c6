"""Which rows the ledger covers, and what it keeps of each: a registry of row kinds, each a table,
the columns that name a row, the subject it belongs to and the columns whose values it keeps.

A new kind of row is covered by one :func:`cover` call (see the bottom of this module); its writes
then call ``ledger.note`` and ``verify`` compares its rows with their entries. Rows are read back
as text and parsed here, tolerantly: a malformed value (a date that is not one, JSON that does
not parse, ``infinity`` on PostgreSQL) becomes a :class:`Malformed` value that ``verify`` names,
never an exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Integer,
    Table,
    Text,
    cast,
    extract,
    select,
)

from missionflow.store.models import (
    AmendmentRow,
    Base,
    ContractRow,
    HistoryRow,
    InvoiceRow,
    LetterRow,
    MissionRow,
    PaymentRow,
    QuoteRow,
    SendingRow,
    SettingsRow,
)
from missionflow.store.records import mission_ref
from missionflow.store.types import Cents, UTCDateTime

Values = Mapping[str, object]
"""One row's values by column name, as parsed from the database (or as a write gives them)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Malformed:
    """A stored value that cannot be read as its column's type."""

    column: str
    text: str

    def __str__(self) -> str:
        shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"{self.column} holds {shown!r}, which is not a valid value"


@dataclass(frozen=True)
class Coverage:
    """A kind of row the ledger covers."""

    kind: str
    table: Table
    key: tuple[str, ...]
    """The columns that name one row (its key in the ledger)."""
    columns: tuple[str, ...]
    """The columns whose values the ledger keeps."""
    subject: Callable[[Values], str]
    """The subject (a mission's reference, or "" for the whole book) a row belongs to."""
    label: Callable[[Values], str]
    """How a person names a row within its subject ("invoice 2026-0002", "payment #7")."""

    def row_key(self, values: Values) -> str:
        """The text that names a row in the ledger."""
        return ":".join(str(values.get(column)) for column in self.key)

    def describe(self, values: Values) -> str:
        """The row's label, or its kind and key when a value it needs is malformed."""
        try:
            return self.label(values)
        except (TypeError, ValueError, KeyError):
            return f"{self.kind} {self.row_key(values)}"


COVERED: dict[str, Coverage] = {}
"""Every covered kind of row, by kind name."""


def cover(
    model: type[Base],
    kind: str,
    *,
    key: Sequence[str] = ("id",),
    subject: str | None = "mission_id",
    exclude: Sequence[str] = (),
    label: Callable[[Values], str] | None = None,
) -> Coverage:
    """Register a kind of row: the ledger keeps every column of ``model`` but those in ``exclude``;
    ``subject`` is the column with the mission's id (None for rows of the whole book)."""
    table = Base.metadata.tables[str(model.__tablename__)]
    columns = tuple(c.name for c in table.columns if c.name not in exclude)
    subject_of = _mission_subject(subject) if subject is not None else _no_subject
    coverage = Coverage(
        kind,
        table,
        tuple(key),
        columns,
        subject_of,
        label or (lambda values: f"{kind} {coverage.row_key(values)}"),
    )
    COVERED[kind] = coverage
    return coverage


def _mission_subject(column: str) -> Callable[[Values], str]:
    def subject(values: Values) -> str:
        value = values.get(column)
        return mission_ref(value) if isinstance(value, int) else ""

    return subject


def _no_subject(values: Values) -> str:
    return ""


# --- reading rows back as text, tolerantly ---------------------------------------------------------


def _raw(column: Column[Any], dialect: str) -> ColumnElement[Any]:
    """The SQL that reads a column as text that never fails to load, whatever the row holds."""
    kind = column.type
    if dialect == "postgresql" and isinstance(kind, UTCDateTime | DateTime | Date):
        # Seconds since 1970, exact and independent of the session's DateStyle and time zone
        # ("Infinity" for infinite values, which the driver cannot load as Python datetimes).
        return cast(extract("epoch", column), Text).label(column.name)
    return cast(column, Text).label(column.name)


def _parse(column: Column[Any], text: str | None) -> object:
    """A column's text as its Python value, or Malformed."""
    if text is None:
        return None
    kind = column.type
    try:
        if isinstance(kind, UTCDateTime | DateTime):
            return _moment(text)
        if isinstance(kind, Date):
            moment = _moment(text)
            if moment.time() != datetime.min.time():
                raise ValueError(text)
            return moment.date()
        if isinstance(kind, JSON):
            return json.loads(text)
        if isinstance(kind, Boolean):
            return {"1": True, "0": False, "true": True, "false": False}[text.strip().lower()]
        if isinstance(kind, Integer | BigInteger | Cents):
            return int(text.strip())
    except (ValueError, KeyError, OverflowError, InvalidOperation):
        return Malformed(column.name, text)
    return text


def _moment(text: str) -> datetime:
    """A UTC datetime from SQLite's stored text or PostgreSQL's epoch seconds."""
    stripped = text.strip()
    if stripped and (stripped[0].isdigit() or stripped[0] in "+-") and "-" not in stripped[1:]:
        micro = int((Decimal(stripped) * 1_000_000).to_integral_value())
        return _EPOCH + timedelta(microseconds=micro)
    moment = datetime.fromisoformat(stripped)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def read_table(
    connection: Connection,
    table: Table,
    columns: Sequence[str] | None = None,
    order: Sequence[str] = (),
    where: Mapping[str, object] | None = None,
) -> Iterator[dict[str, object]]:
    """Rows of a table, their values parsed (Malformed where they cannot be): every column or
    ``columns``, in the order of ``order``, those whose columns equal ``where``."""
    dialect = connection.dialect.name
    chosen = [table.c[name] for name in columns] if columns is not None else list(table.columns)
    query = select(*(_raw(c, dialect) for c in chosen)).order_by(*(table.c[name] for name in order))
    if where:
        query = query.where(*(table.c[name] == value for name, value in where.items()))
    for row in connection.execute(query):
        yield {c.name: _parse(c, row._mapping[c.name]) for c in chosen}


def read_rows(connection: Connection, coverage: Coverage) -> Iterator[dict[str, object]]:
    """Every row of a covered kind, in the order of its key, its values parsed."""
    return read_table(connection, coverage.table, coverage.columns, coverage.key)


def read_row(connection: Connection, coverage: Coverage, key: Values) -> dict[str, object] | None:
    """One covered row by its key columns, parsed like :func:`read_rows`; None when it is gone."""
    found = read_table(connection, coverage.table, coverage.columns, where=dict(key))
    return next(found, None)


# --- what the ledger keeps of a row -------------------------------------------------------------


def canonical_value(value: object) -> object:
    """A value as the ledger writes it: times in UTC to the microsecond, dates in ISO 8601, money
    in whole cents, JSON as JSON."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list | tuple):
        return json.loads(json.dumps(value))
    return value


def content_of(coverage: Coverage, values: Values) -> dict[str, object] | list[Malformed]:
    """What the ledger keeps of a row, or the values that cannot be read."""
    broken = [v for v in values.values() if isinstance(v, Malformed)]
    if broken:
        return broken
    return {name: canonical_value(values.get(name)) for name in coverage.columns}


def content_text(content: Mapping[str, object]) -> str:
    """The content as the ledger stores and seals it: canonical JSON, ASCII only."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def cents_values(values: Values, coverage: Coverage) -> dict[str, object]:
    """Values given by a write with money as whole cents, as the database stores them."""
    converted = dict(values)
    for name in coverage.columns:
        column = coverage.table.c[name]
        value = converted.get(name)
        if isinstance(column.type, Cents) and isinstance(value, Decimal):
            converted[name] = int(value * 100)
    return converted


# --- the covered kinds ----------------------------------------------------------------------------


def _history_label(values: Values) -> str:
    return f"history entry #{values['position']}"


def _invoice_label(values: Values) -> str:
    return f"{'credit note' if values.get('kind') == 'credit' else 'invoice'} {values['number']}"


HISTORY = cover(HistoryRow, "history", key=("mission_id", "position"), exclude=("id",), label=_history_label)
MISSION = cover(
    MissionRow,
    "mission",
    subject="id",
    # what moves with every fire is covered by the history entries, not by the mission's row
    exclude=("state", "version", "history_length", "history_head", "updated_at"),
    label=lambda values: "its row (reference, terms)",
)
INVOICE = cover(InvoiceRow, "invoice", label=_invoice_label)
PAYMENT = cover(PaymentRow, "payment", label=lambda values: f"payment #{values['id']}")
CONTRACT = cover(ContractRow, "contract", key=("mission_id",), label=lambda values: "the contract")
AMENDMENT = cover(AmendmentRow, "amendment", label=lambda values: f"amendment #{values['id']}")
SETTINGS = cover(SettingsRow, "settings", subject=None, label=lambda values: "settings")
QUOTE = cover(QuoteRow, "quote", label=lambda values: f"quote {values['number']}")
LETTER = cover(LetterRow, "letter", label=lambda values: f"letter {values['number']}")
SENDING = cover(SendingRow, "sending", label=lambda values: f"sending of {values['document']}")
