"""Amounts and dates as each language writes them, and a message table with no sentence in one language only."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal

from missionflow.freelance.documents import Language, format_amount, format_date
from missionflow.freelance.documents.formatting import format_number
from missionflow.freelance.documents.messages import MESSAGES
from missionflow.money import Money


def test_french_amounts_and_dates() -> None:
    """French: narrow no-break space between thousands, comma, no-break space before €, "1er"."""
    assert format_amount(Money.of("6000", "EUR"), Language.FR) == "6\u202f000,00\xa0€"
    assert format_date(date(2026, 11, 30), Language.FR) == "30 novembre 2026"
    assert format_date(date(2026, 10, 1), Language.FR) == "1er octobre 2026"
    assert format_number(Decimal("12.50"), Language.FR) == "12,5"


def test_english_amounts_and_dates() -> None:
    """English: sign first, comma thousands, day month year."""
    assert format_amount(Money.of("6000", "EUR"), Language.EN) == "€6,000.00"
    assert format_date(date(2026, 11, 30), Language.EN) == "30 November 2026"
    assert format_date(date(2026, 10, 1), Language.EN) == "1 October 2026"
    assert format_number(Decimal("10"), Language.EN) == "10"


def test_both_languages_say_everything_with_the_same_placeholders() -> None:
    """The French and English tables have the same keys, and each message the same placeholders."""
    french, english = MESSAGES[Language.FR], MESSAGES[Language.EN]
    assert sorted(french) == sorted(english)

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    different = [key for key in french if fields(french[key]) != fields(english[key])]
    assert different == []
    untranslated = [
        key for key in french if french[key] == english[key] and any(c.isalpha() for c in french[key])
    ]
    same_in_both = {
        "bank.iban",
        "bank.bic",
        "quote.date",
        "quote.signature",
        "claim.principal",
        "overdue.issued_on",
    }
    assert set(untranslated) <= same_in_both
