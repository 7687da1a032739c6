"""Numbers, amounts and dates written the way a reader of the document's language expects.

Babel (CLDR data) does the work: French gets "6 000,00 €" with the narrow no-break space CLDR
uses as thousands separator and a no-break space before the sign, and "30 novembre 2026";
English gets "€6,000.00" and "30 November 2026" (British order: the client is European).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date as _babel_date
from babel.numbers import format_currency, format_decimal

from missionflow.freelance.documents.parties import Language
from missionflow.money import Money

__all__ = ["format_amount", "format_date", "format_number", "format_rate"]

_LOCALES = {Language.FR: "fr_FR", Language.EN: "en_GB"}


def format_amount(money: Money, language: Language) -> str:
    """An amount with its currency sign, two decimals.

    >>> format_amount(Money.of("6000", "EUR"), Language.EN)
    '€6,000.00'
    """
    return str(format_currency(money.amount, money.currency, locale=_LOCALES[language]))


def format_date(day: date, language: Language) -> str:
    """A date in words: "30 novembre 2026", "1er octobre 2026", "30 November 2026".

    French writes the first day of a month as an ordinal ("1er"), which CLDR does not.
    """
    text = str(_babel_date(day, "long", locale=_LOCALES[language]))
    if language is Language.FR and day.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return text


def format_number(number: Decimal, language: Language) -> str:
    """A quantity with as many decimals as it has, none when it is whole (12,5 / 12.5 / 3)."""
    return str(format_decimal(number.normalize(), format="#,##0.####", locale=_LOCALES[language]))


def format_rate(rate: Decimal, language: Language) -> str:
    """A percentage rate without its sign: 20, 5,5, 12,15 (the sentence places the %)."""
    return format_number(rate, language)
