"""How reports write numbers, money, dates and tables as text, in English or French."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from missionflow.errors import InvalidValueError
from missionflow.money import Money

LANGS = ("en", "fr")
"""The languages of the client-facing status report."""

_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}
# French groups thousands with a space that must not break a number across lines.
_FR_GROUP = "\u00a0"


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


def check_lang(lang: str) -> str:
    """``lang`` when the reports speak it, else InvalidValueError."""
    if lang not in LANGS:
        raise InvalidValueError("lang", f"{lang!r} is not one of: {', '.join(LANGS)}")
    return lang


def format_number(value: Decimal, places: int = 2, lang: str = "en") -> str:
    """A decimal with ``places`` decimals and grouped thousands, the way ``lang`` writes it.

    >>> format_number(Decimal("4500"), lang="fr")
    '4\\xa0500,00'
    """
    exponent = Decimal(1).scaleb(-places)
    text = f"{value.quantize(exponent, rounding=ROUND_HALF_UP):,}"
    if lang == "fr":
        text = text.replace(",", _FR_GROUP).replace(".", ",")
    return text


def format_money(money: Money, lang: str = "en") -> str:
    """Money for a person: ``1,350.00 EUR`` in English, ``1 350,00 EUR`` in French.

    >>> format_money(Money.of("1350", "EUR"))
    '1,350.00 EUR'
    """
    return f"{format_number(money.amount, 2, lang)} {money.currency}"


def format_percent(value: Decimal, lang: str = "en", places: int = 1) -> str:
    """A percentage: ``80.0 %`` (the space keeps English and French alike)."""
    return f"{format_number(value, places, lang)}\u00a0%"


def format_date(day: date, lang: str = "en") -> str:
    """A date in words: ``24 November 2026``, ``1er décembre 2026``.

    >>> format_date(date(2026, 12, 1), "fr")
    '1er décembre 2026'
    """
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{number} {_MONTHS[lang][day.month - 1]} {day.year}"


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
