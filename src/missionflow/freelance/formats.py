"""How the trade writes numbers, money, percentages and dates for a person, in English or French."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from missionflow.errors import InvalidValueError
from missionflow.money import Money

LANGS = ("en", "fr")
"""The languages the trade writes to its clients in."""

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
