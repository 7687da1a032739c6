"""What a column can hold, checked before any write, the same on SQLite and PostgreSQL.

SQLite stores a 100 KB string in a ``VARCHAR(200)``, an integer past 64 bits raises an
OverflowError in its driver, PostgreSQL refuses a NUL character or an unpaired surrogate:
missionflow refuses all of them first, as an InvalidValueError naming the value (exit 2 in the
command line), so both databases take exactly the same values.

>>> from missionflow.store.models import ClientRow
>>> check_values(ClientRow.__table__, {"name": "Acme", "email": "a@b.c"})
>>> check_values(ClientRow.__table__, {"name": "x" * 201})
Traceback (most recent call last):
...
missionflow.errors.InvalidValueError: invalid name: give at most 200 characters (201 given)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Session, UOWTransaction

from missionflow.errors import InvalidValueError
from missionflow.store.types import Cents, UTCDateTime

MAX_TEXT = 10_000
"""The longest text kept in a column without a length of its own (a note, a reason, objectives),
unless the column says otherwise (``info={"max_chars": ...}``)."""
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
"""Dates and times outside these days are refused: far enough for any mission, and every date
computed from them (a due date, a day in another time zone) stays inside the calendar."""

_FIELD_NAMES = {"blocked_reason": "reason", "rush_surcharge_cents": "amount"}
"""Columns known to a caller by another name."""
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def field_name(column: str) -> str:
    """The name a caller knows a column's value by (``total`` for ``total_cents``)."""
    return _FIELD_NAMES.get(column, column.removesuffix("_cents"))


def check_text(field: str, value: str, limit: int = MAX_TEXT) -> None:
    """Refuse text that no database would store the same way: NUL characters, bytes that were not
    UTF-8 (unpaired surrogates), or more than ``limit`` characters."""
    bad = _BAD_CHARACTER.search(value)
    if bad is not None:
        what = "a NUL character" if bad.group() == "\x00" else "bytes that are not UTF-8 text"
        raise InvalidValueError(field, f"it contains {what} (at character {bad.start() + 1})")
    if len(value) > limit:
        raise InvalidValueError(field, f"give at most {limit:,} characters ({len(value):,} given)")


def check_day(field: str, value: date) -> None:
    """Refuse a date (or a time's day) outside FIRST_DAY..LAST_DAY."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidValueError(
            field, f"{value.isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}"
        )


def _check_json(field: str, value: object, depth: int = 0) -> None:
    if depth > 20:
        raise InvalidValueError(field, "it is nested too deeply")
    if isinstance(value, str):
        check_text(field, value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_text(field, str(key))
            _check_json(field, item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_json(field, item, depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool):
        _check_range(field, value, INT64)


def _check_range(field: str, value: int, bounds: tuple[int, int]) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise InvalidValueError(field, f"{value} is out of range ({bounds[0]} to {bounds[1]})")


def check_value(column: ColumnElement[Any], value: object) -> None:
    """Refuse a value its column cannot hold the same way on every database."""
    if value is None:
        return
    field = field_name(column.name)
    kind = column.type
    if isinstance(value, str):
        length = getattr(kind, "length", None) if isinstance(kind, String) else None
        if not isinstance(length, int):
            length = int(getattr(column, "info", {}).get("max_chars", MAX_TEXT))
        check_text(field, value, length)
    elif isinstance(kind, Cents) and isinstance(value, Decimal | int):
        try:
            cents = int(Decimal(value) * 100)
        except (InvalidOperation, ValueError, OverflowError):
            raise InvalidValueError(field, f"{value} is not an amount") from None
        if not INT64[0] <= cents <= INT64[1]:
            raise InvalidValueError(field, f"{value} is too large")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and isinstance(kind, Integer):
        _check_range(field, value, INT64 if isinstance(kind, BigInteger) else INT32)
    elif isinstance(value, date) and isinstance(kind, Date | DateTime | UTCDateTime):
        check_day(field, value)
    elif isinstance(kind, JSON):
        _check_json(field, value)
    elif isinstance(kind, Text):  # pragma: no cover - a Text column only ever gets str
        check_text(field, str(value))


def check_values(table: FromClause, values: Mapping[str, object]) -> None:
    """Refuse the first value of a row that its column cannot hold (see check_value)."""
    for name, value in values.items():
        column = table.c.get(name)
        if column is not None:
            check_value(column, value)


def _check_flush(session: Session, flush: UOWTransaction, instances: object) -> None:
    """Before a session writes: every new or changed row's values fit their columns."""
    for row in (*session.new, *session.dirty):
        table = getattr(type(row), "__table__", None)
        if table is None:  # pragma: no cover - only mapped rows are flushed
            continue
        check_values(table, {column.key: getattr(row, column.key, None) for column in table.columns})


class StoreSession(Session):
    """The sessions the store writes through: each flush checks its rows first (check_values)."""


event.listen(StoreSession, "before_flush", _check_flush)
