"""Money as an exact Decimal with its currency; arithmetic never mixes currencies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from missionflow.errors import InvalidValueError

CENT = Decimal("0.01")


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


def parse_decimal(text: str | int | Decimal, field: str = "amount") -> Decimal:
    """Parse a decimal amount typed by a person ("4500", "4 500,50") without ever using a float."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int) and not isinstance(text, bool):
        value = Decimal(text)
    elif isinstance(text, str):
        cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise InvalidValueError(field, f"{text!r} is not a number") from None
    else:
        raise InvalidValueError(field, f"{text!r} is not a number")
    if not value.is_finite():
        raise InvalidValueError(field, f"{text!r} is not a finite number")
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
    def of(cls, amount: str | int | Decimal, currency: str, *, field: str = "amount") -> Money:
        """Build money from text or a number, refusing negatives."""
        value = parse_decimal(amount, field)
        if value < 0:
            raise InvalidValueError(field, f"{amount} is negative")
        return cls(value, currency.upper())

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


__all__ = ["CENT", "Money", "parse_decimal"]
