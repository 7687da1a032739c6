"""How reports write tables and machine text, and when a report is made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from missionflow.errors import InvalidValueError
from missionflow.freelance.formats import (
    LANGS,
    check_lang,
    format_date,
    format_money,
    format_number,
    format_percent,
)
from missionflow.money import Money

__all__ = [
    "LANGS",
    "check_lang",
    "format_date",
    "format_money",
    "format_number",
    "format_percent",
    "md_cell",
    "plain_amount",
    "report_moment",
    "text_table",
]


def report_moment(at: datetime | date | None, timezone: str) -> datetime:
    """The moment a report is made: now (None), a timezone-aware moment, or the end of a day
    in the freelancer's time zone (a date: everything recorded that day counts).

    >>> report_moment(date(2026, 12, 15), "Europe/Paris").isoformat()
    '2026-12-15T23:59:59+01:00'
    """
    if at is None:
        return datetime.now(UTC)
    if isinstance(at, datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise InvalidValueError("time", f"{at.isoformat()} has no timezone; give an offset like +01:00")
        return at
    return datetime.combine(at, time(23, 59, 59), ZoneInfo(timezone))


def plain_amount(money: Money) -> str:
    """Money as exact machine text (``1350.00``) for CSV and JSON: never a float."""
    return f"{money.amount:.2f}"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Aligned columns (numbers in the ``right`` columns aligned right), one line per row."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
