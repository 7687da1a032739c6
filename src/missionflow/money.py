"""Money as an exact Decimal with its currency; arithmetic never mixes currencies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from missionflow.errors import InvalidValueError

CENT = Decimal("0.01")


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


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount in one currency.

    >>> Money.of("1350", "EUR") + Money.of("0.5", "EUR")
    Money(amount=Decimal('1350.50'), currency='EUR')
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):  # pragma: no cover - defensive, typing forbids it
            raise TypeError("Money never holds a float")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise InvalidValueError("currency", f"{self.currency!r} is not an ISO 4217 code like EUR")
        object.__setattr__(self, "amount", self.amount.quantize(CENT, rounding=ROUND_HALF_UP))

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

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidValueError("currency", f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def percent(self, rate: Decimal) -> Money:
        """This amount times ``rate`` percent, rounded half-up to the cent."""
        return Money(self.amount * rate / Decimal(100), self.currency)

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"
