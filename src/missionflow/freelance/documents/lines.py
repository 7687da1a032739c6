"""What a document bills: lines, their unit, the service period and the VAT regime.

Amounts are :class:`~missionflow.money.Money` (exact Decimal with a currency), quantities and
rates are ``Decimal``; a float is refused everywhere, because 0.1 + 0.2 is not 0.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from missionflow.errors import InvalidValueError
from missionflow.money import CENT, Money

__all__ = ["Line", "Period", "Unit", "VatCategory", "VatRegime"]

_MAX_QUANTITY_PLACES = 4  # EN 16931 / BR-FR-DEC-02: a quantity has at most 4 decimals


class Unit(StrEnum):
    """The unit of a line, with its UN/ECE Recommendation 20 code for the e-invoice."""

    DAY = "DAY"
    HOUR = "HUR"
    LUMP_SUM = "LS"
    UNIT = "C62"


@dataclass(frozen=True)
class Period:
    """A service period, both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidValueError("period", f"ends on {self.end} before it starts on {self.start}")


def _decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidValueError(name, f"{value!r} must be a Decimal (never a float)")
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidValueError(name, f"{value} is not a finite number")
    return number


@dataclass(frozen=True)
class Line:
    """One line: designation, quantity, unit and unit price excluding tax (HT).

    ``vat_rate`` is a percentage (``Decimal("20")``); None takes the regime's default rate.
    A negative quantity is a reduction (an amendment that lowers the price); the unit price is
    never negative (EN 16931 BR-27). A credit note bills the lines of the invoice it cancels and
    its kind gives the sign, as EN 16931 does with type code 381.

    >>> Line("Audit", Decimal("2.5"), Unit.DAY, Money.of("433.33", "EUR")).net
    Money(amount=Decimal('1083.33'), currency='EUR')
    """

    designation: str
    quantity: Decimal
    unit: Unit
    unit_price: Money
    vat_rate: Decimal | None = None
    service_date: date | None = None
    service_period: Period | None = None

    def __post_init__(self) -> None:
        if not self.designation.strip():
            raise InvalidValueError("designation", "a line needs a designation")
        # Lines are built for every amount a guard computes: values of the right type skip the
        # conversions (the same checks, half the time).
        quantity = self.quantity
        if type(quantity) is not Decimal or not quantity.is_finite():
            quantity = _decimal(quantity, "quantity")
            object.__setattr__(self, "quantity", quantity)
        exponent = quantity.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > _MAX_QUANTITY_PLACES:
            raise InvalidValueError("quantity", f"{quantity} has more than {_MAX_QUANTITY_PLACES} decimals")
        if type(self.unit) is not Unit:
            object.__setattr__(self, "unit", Unit(self.unit))
        if self.unit_price.amount < 0:
            raise InvalidValueError("unit_price", f"{self.unit_price} is negative")
        if self.vat_rate is not None:
            rate = _decimal(self.vat_rate, "vat_rate")
            if not 0 <= rate < 100:
                raise InvalidValueError("vat_rate", f"{rate} is not a percentage between 0 and 100")
        if self.service_date is not None and self.service_period is not None:
            raise InvalidValueError("service_date", "give a service date or a period, not both")

    @property
    def net(self) -> Money:
        """Quantity times unit price, rounded half-up to the cent (EN 16931 BT-131)."""
        exact = self.quantity * self.unit_price.amount
        return Money(exact.quantize(CENT, rounding=ROUND_HALF_UP), self.unit_price.currency)


class VatCategory(StrEnum):
    """EN 16931 VAT category codes (UNTDID 5305) that a freelancer's documents use."""

    STANDARD = "S"
    EXEMPT = "E"
    NOT_SUBJECT = "O"


@dataclass(frozen=True)
class VatRegime:
    """How VAT applies to a whole document.

    - ``franchise()``: the "franchise en base" of art. 293 B du CGI, no VAT at all (category E,
      exemption code VATEX-FR-FRANCHISE);
    - ``charged(rate)``: VAT charged at ``rate`` percent by default, lines may carry others (S);
    - ``not_subject()``: amounts outside the scope of VAT, such as late-payment interest and the
      recovery indemnity, which pay for no service (O).
    """

    category: VatCategory
    default_rate: Decimal = Decimal(0)

    @classmethod
    def franchise(cls) -> VatRegime:
        """No VAT: franchise en base (art. 293 B du CGI)."""
        return cls(VatCategory.EXEMPT)

    @classmethod
    def charged(cls, default_rate: Decimal = Decimal(20)) -> VatRegime:
        """VAT charged, at ``default_rate`` percent unless a line says otherwise."""
        return cls(VatCategory.STANDARD, _decimal(default_rate, "vat_rate"))

    @classmethod
    def not_subject(cls) -> VatRegime:
        """Outside the scope of VAT (late-payment interest and indemnity)."""
        return cls(VatCategory.NOT_SUBJECT)

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", VatCategory(self.category))
        rate = _decimal(self.default_rate, "vat_rate")
        if self.category is VatCategory.STANDARD and not 0 < rate < 100:
            raise InvalidValueError("vat_rate", f"{rate} is not a VAT rate between 0 and 100")
        if self.category is not VatCategory.STANDARD and rate != 0:
            raise InvalidValueError("vat_rate", f"no VAT rate applies under {self.category.name.lower()}")

    def rate_of(self, line: Line) -> Decimal:
        """The VAT rate that applies to ``line`` under this regime."""
        if self.category is not VatCategory.STANDARD:
            if line.vat_rate not in (None, Decimal(0)):
                raise InvalidValueError(
                    "vat_rate", f"line {line.designation!r} charges {line.vat_rate} % but no VAT applies"
                )
            return Decimal(0)
        return self.default_rate if line.vat_rate is None else line.vat_rate
