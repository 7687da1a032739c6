"""Money as an exact Decimal with its currency; arithmetic never mixes currencies.

Every amount or percentage a person or an application types goes through one strict parser
(:func:`parse_decimal`, :func:`parse_percent`, :meth:`Money.of`): a plain decimal with ASCII digits,
a dot before the cents and at most the currency's minor-unit digits; no thousands separator, no
exponent, no rounding; an optional leading minus only where a negative makes sense; at most
:data:`MAX_AMOUNT`. A value that breaks a rule is refused with InvalidValueError naming it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from missionflow.errors import InvalidValueError

CENT = Decimal("0.01")
STORED_DIGITS = 2
"""Decimals missionflow keeps of any amount (cents): currencies with three minor-unit digits
are typed with at most two."""
MAX_AMOUNT = Decimal("1000000000000")
"""The largest amount (in absolute value) missionflow takes as input: one trillion."""
MAX_PERCENT_DIGITS = 2
"""Decimals a percentage may have (12.37 %)."""

_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)
_SEPARATORS = (",", " ", "\u202f", "\xa0", "_", "'", "\u2019")
"""Thousands separators (and the decimal comma) people type, refused with a hint."""

_CURRENCIES_SEEN: set[str] = set()
"""Codes already checked: every guard builds Money, so each code is checked once per process."""


def _is_currency(code: object) -> bool:
    if not isinstance(code, str):
        return False
    if code in _CURRENCIES_SEEN:
        return True
    valid = len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()
    if valid:
        _CURRENCIES_SEEN.add(code)
    return valid


@cache
def _tender_currencies() -> frozenset[str]:
    """The ISO 4217 codes legal tender somewhere today, from Babel's CLDR data (loaded on first use)."""
    from datetime import date

    from babel.core import get_global
    from babel.numbers import get_territory_currencies

    today = date.today()
    found: set[str] = set()
    for territory in get_global("territory_currencies"):
        found.update(get_territory_currencies(territory, start_date=today, tender=True))
    return frozenset(found)


def check_currency(code: str, field: str = "currency") -> str:
    """``code`` upper-cased when it is an ISO 4217 currency in use today (EUR, USD, CHF...);
    InvalidValueError otherwise (XYZ, FRF, a typo).

    >>> check_currency("eur")
    'EUR'
    """
    upper = code.strip().upper() if isinstance(code, str) else ""
    if not _is_currency(upper) or upper not in _tender_currencies():
        raise InvalidValueError(field, f"{code!r} is not an ISO 4217 currency code in use, like EUR or USD")
    return upper


@cache
def minor_digits(code: str) -> int:
    """How many decimals an amount in ``code`` may have: its ISO 4217 minor unit (0 for JPY),
    at most the two missionflow keeps.

    >>> minor_digits("EUR"), minor_digits("JPY")
    (2, 0)
    """
    from babel.numbers import get_currency_precision

    return min(get_currency_precision(check_currency(code)), STORED_DIGITS)


def _refuse_text(text: str, field: str, places: int, negative: bool) -> Decimal:
    """The value of a person's text under the strict rules, or InvalidValueError naming it."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidValueError(field, "give a number, like 1350 or 1350.50")
    if any(separator in cleaned for separator in _SEPARATORS):
        raise InvalidValueError(
            field,
            f"{text!r}: write the number without thousands separators, with a dot before the "
            "decimals (2275 or 2275.50, never 2,275 or 2 275)",
        )
    if not _PLAIN.fullmatch(cleaned):
        raise InvalidValueError(
            field, f"{text!r} is not a plain decimal number like 1350 or 1350.50 (ASCII digits, a dot)"
        )
    _, _, decimals = cleaned.partition(".")
    if len(decimals) > places:
        allowed = f"at most {places} decimal{'s' if places != 1 else ''}" if places else "no decimals"
        raise InvalidValueError(
            field, f"{text!r} has {len(decimals)} decimals: {allowed} here, nothing is rounded"
        )
    if cleaned.startswith("-") and not negative:
        raise InvalidValueError(field, f"{text!r} is negative")
    return Decimal(cleaned)


def parse_decimal(
    text: str | int | Decimal,
    field: str = "amount",
    *,
    places: int = STORED_DIGITS,
    negative: bool = False,
    maximum: Decimal = MAX_AMOUNT,
) -> Decimal:
    """A decimal typed by a person or given by an application, under the strict rules: ASCII digits,
    a dot, at most ``places`` decimals, a leading minus only when ``negative`` is allowed, at most
    ``maximum`` in absolute value. Nothing is rounded and no float is ever involved.

    >>> parse_decimal("1350.50")
    Decimal('1350.50')
    >>> parse_decimal("1,000")
    Traceback (most recent call last):
    ...
    missionflow.errors.InvalidValueError: invalid amount: '1,000': write the number without thousands separators, with a dot before the decimals (2275 or 2275.50, never 2,275 or 2 275)
    """
    if isinstance(text, str):
        value = _refuse_text(text, field, places, negative)
    elif isinstance(text, Decimal):
        if not text.is_finite():
            raise InvalidValueError(field, f"{text} is not a finite number")
        value = text
    elif isinstance(text, int) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        raise InvalidValueError(field, f"{text!r} is not a number")
    if abs(value) > maximum:
        raise InvalidValueError(field, f"{text!r} is over the maximum of {maximum:,f}")
    if value < 0 and not negative:
        raise InvalidValueError(field, f"{text} is negative")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        allowed = f"at most {places} decimal{'s' if places != 1 else ''}" if places else "no decimals"
        raise InvalidValueError(field, f"{text} has too many decimals: {allowed} here, nothing is rounded")
    return value


def parse_percent(text: str | int | Decimal, field: str = "percent") -> Decimal:
    """A percentage between 0 and 100 as ``30%`` or ``30`` (``12.5%``, at most two decimals).

    ``0.3`` without a percent sign is refused as ambiguous (30 % or 0.3 %?); ``0.3%`` is three
    tenths of a percent. An application's Decimal or int is taken as a number of percent.

    >>> parse_percent("30%"), parse_percent("12.5")
    (Decimal('30'), Decimal('12.5'))
    """
    if not isinstance(text, str):
        return parse_decimal(text, field, places=MAX_PERCENT_DIGITS, maximum=Decimal(100))
    body = text.strip()
    signed = body.endswith("%")
    if signed:
        body = body[:-1].rstrip()
    if "%" in body:
        raise InvalidValueError(field, f"{text!r} is not a percentage like 30%")
    try:
        value = parse_decimal(body, field, places=MAX_PERCENT_DIGITS, maximum=Decimal(100))
    except InvalidValueError as error:
        if body and _PLAIN.fullmatch(body) and not body.startswith("-") and Decimal(body) > 100:
            raise InvalidValueError(field, f"{text!r} is over 100 %") from None
        raise InvalidValueError(field, f"{error.reason}; give a percentage like 30%") from None
    if not signed and 0 < value < 1:
        whole = f"{(value * 100).normalize():f}"
        raise InvalidValueError(
            field, f"{text!r} is ambiguous: write {whole}% for {whole} percent, or {value:f}% if you mean it"
        )
    return value


@dataclass(frozen=True)
class Money:
    """An exact amount in one currency.

    >>> Money.of("1350", "EUR") + Money.of("0.5", "EUR")
    Money(amount=Decimal('1350.50'), currency='EUR')
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount: object = self.amount
        currency: object = self.currency
        # Every guard on an amount builds several Money: a Decimal in a currency already seen
        # takes the short way (the same checks, a third of the time).
        if (
            type(amount) is Decimal
            and type(currency) is str
            and currency in _CURRENCIES_SEEN
            and amount.is_finite()
        ):
            try:
                object.__setattr__(self, "amount", amount.quantize(CENT, ROUND_HALF_UP))
            except InvalidOperation:
                raise InvalidValueError("amount", f"{amount} is too large") from None
            return
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
            raise TypeError(f"Money holds a Decimal, never {type(amount).__name__}")
        value = amount if isinstance(amount, Decimal) else Decimal(amount)
        if not value.is_finite():
            raise InvalidValueError("amount", f"{value} is not a finite number")
        if not _is_currency(self.currency):
            raise InvalidValueError("currency", f"{self.currency!r} is not an ISO 4217 code like EUR")
        try:
            quantized = value.quantize(CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            # quantize needs every digit of the result: past 28 digits the context refuses.
            raise InvalidValueError("amount", f"{value} is too large") from None
        object.__setattr__(self, "amount", quantized)

    @classmethod
    def of(
        cls, amount: str | int | Decimal, currency: str, *, field: str = "amount", negative: bool = False
    ) -> Money:
        """Money from a person's text or an application's number, under the strict rules of
        :func:`parse_decimal` with the currency's minor-unit digits; a negative only with
        ``negative=True`` (an amendment that lowers a price).

        >>> Money.of("12.345", "EUR")
        Traceback (most recent call last):
        ...
        missionflow.errors.InvalidValueError: invalid amount: '12.345' has 3 decimals: at most 2 decimals here, nothing is rounded
        """
        code = check_currency(currency) if isinstance(currency, str) else currency
        value = parse_decimal(amount, field, places=minor_digits(code), negative=negative)
        return cls(value, code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in this currency."""
        return cls(Decimal("0"), currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The sum of ``amounts`` (zero when there are none), refusing any other currency.

        >>> str(Money.total([Money.of("0.10", "EUR"), Money.of("0.20", "EUR")], "EUR"))
        '0.30 EUR'
        """
        exact = Decimal(0)
        for money in amounts:
            if money.currency != currency:
                raise InvalidValueError("currency", f"cannot mix {currency} and {money.currency}")
            exact += money.amount
        return cls(exact, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidValueError("currency", f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    # Ordering is written out because the dataclass one compares (amount, currency) tuples,
    # which would rank 10 USD below 20 EUR instead of refusing to compare them.
    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def percent(self, rate: Decimal) -> Money:
        """This amount times ``rate`` percent, rounded half-up to the cent."""
        return Money(self.amount * rate / Decimal(100), self.currency)

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


__all__ = [
    "CENT",
    "MAX_AMOUNT",
    "MAX_PERCENT_DIGITS",
    "Money",
    "check_currency",
    "minor_digits",
    "parse_decimal",
    "parse_percent",
]
