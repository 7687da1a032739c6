"""The amounts of a document, computed exactly once and the same way for every format.

The rounding rule (EN 16931, and what French accounting software does):

1. each line's net amount is quantity x unit price, rounded half-up to the cent;
2. the total excluding tax (HT) is the sum of the rounded line amounts;
3. VAT is computed once per (category, rate) on the sum of that rate's line amounts, rounded
   half-up to the cent; never line by line, so three lines of 0.10 EUR at 5.5 % owe 0.02 EUR
   (5.5 % of 0.30), not 0.03 EUR (three roundings of 0.0055);
4. the total including tax (TTC) is HT plus the VAT amounts; the amount due is TTC minus the
   deposits already invoiced and deducted.

Late-payment interest is simple interest: amount x annual rate x days late / 365, half-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from missionflow.errors import InvalidValueError
from missionflow.freelance.documents.lines import Line, VatCategory, VatRegime
from missionflow.money import CENT, Money

__all__ = [
    "Totals",
    "VatBreakdown",
    "compute_totals",
    "days_late",
    "deposit_bases",
    "deposit_gross",
    "late_interest",
]

_DAYS_IN_YEAR = Decimal(365)
_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


@dataclass(frozen=True)
class VatBreakdown:
    """The VAT of one (category, rate): the base it applies to and the amount, both to the cent."""

    category: VatCategory
    rate: Decimal
    base: Money
    amount: Money


@dataclass(frozen=True)
class Totals:
    """HT, VAT per rate, TTC, deposits deducted (prepaid) and the amount due."""

    net: Money
    vat: tuple[VatBreakdown, ...]
    vat_total: Money
    gross: Money
    prepaid: Money
    due: Money


def _cents(amount: Decimal) -> Decimal:
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # as Money refuses it: quantize needs every digit of the result
        raise InvalidValueError("amount", f"{amount} is too large") from None


def _rounded(amount: Decimal, currency: str) -> Money:
    return Money(_cents(amount), currency)


def compute_totals(
    lines: Sequence[Line], regime: VatRegime, currency: str, prepaid: Iterable[Money] = ()
) -> Totals:
    """Every amount of a document from its lines, following the rounding rule of this module.

    >>> from missionflow.freelance.documents.lines import Unit
    >>> dime = Line("Item", Decimal(1), Unit.UNIT, Money.of("0.10", "EUR"), vat_rate=Decimal("5.5"))
    >>> totals = compute_totals([dime] * 3, VatRegime.charged(), "EUR")
    >>> str(totals.vat_total), str(totals.gross)
    ('0.02 EUR', '0.32 EUR')
    """
    bases = _rate_bases(lines, regime, currency)
    breakdown = tuple(
        VatBreakdown(
            regime.category,
            rate,
            Money(base, currency),
            _rounded(base * rate / Decimal(100), currency),
        )
        for rate, base in bases
    )
    net = Money.total((line.net for line in lines), currency)
    if net.amount < 0:  # reductions (negative quantities) larger than the other lines
        raise InvalidValueError("lines", f"the lines sum to {net}, below 0")
    vat_total = Money.total((b.amount for b in breakdown), currency)
    gross = net + vat_total
    deducted = Money.total(prepaid, currency)
    if deducted > gross:
        raise InvalidValueError("deposits", f"deposits of {deducted} exceed the total of {gross}")
    return Totals(net, breakdown, vat_total, gross, deducted, gross - deducted)


def _rate_bases(lines: Sequence[Line], regime: VatRegime, currency: str) -> list[tuple[Decimal, Decimal]]:
    """(rate, sum of the rounded line amounts at that rate), highest rate first; a line in another
    currency is refused."""
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.unit_price.currency != currency:
            raise InvalidValueError(
                "currency", f"line {line.designation!r} is in {line.unit_price.currency}, not {currency}"
            )
        rate = regime.rate_of(line)
        # line.net's amount, without the Money
        bases[rate] = bases.get(rate, _ZERO) + _cents(line.quantity * line.unit_price.amount)
    return sorted(bases.items(), reverse=True)


def deposit_bases(
    lines: Sequence[Line], regime: VatRegime, currency: str, percent: Decimal
) -> tuple[tuple[Decimal, Money], ...]:
    """A deposit of ``percent`` of a quote's lines, per VAT rate: (rate, amount excluding tax),
    each that rate's base times the percentage, half-up to the cent, highest rate first.

    The deposit invoice bills one line per rate with these amounts, so what a quote announces,
    what the deposit invoice asks and what the mission waits for are one and the same figure.

    >>> from missionflow.freelance.documents.lines import Unit
    >>> work = Line("Site", Decimal(1), Unit.LUMP_SUM, Money.of("4500", "EUR"))
    >>> deposit_bases([work], VatRegime.franchise(), "EUR", Decimal(30))
    ((Decimal('0'), Money(amount=Decimal('1350.00'), currency='EUR')),)
    """
    return tuple(
        (rate, Money(net, currency)) for rate, net in _deposit_nets(lines, regime, currency, percent)
    )


def _deposit_nets(
    lines: Sequence[Line], regime: VatRegime, currency: str, percent: Decimal
) -> list[tuple[Decimal, Decimal]]:
    # The figures of compute_totals(...).vat, in Decimals and with its checks: every guard on the
    # deposit asks for it, and building the whole Totals took two thirds of a fire.
    bases = _rate_bases(lines, regime, currency)
    net = vat = _ZERO
    for rate, base in bases:
        net += base
        vat += _cents(base * rate / _HUNDRED)
    if net < 0:
        raise InvalidValueError("lines", f"the lines sum to {Money(net, currency)}, below 0")
    gross = net + vat
    if gross < 0:
        zero = Money.zero(currency)
        raise InvalidValueError(
            "deposits", f"deposits of {zero} exceed the total of {Money(gross, currency)}"
        )
    return [(rate, _cents(base * percent / _HUNDRED)) for rate, base in bases]


def deposit_gross(lines: Sequence[Line], regime: VatRegime, currency: str, percent: Decimal) -> Money:
    """What a deposit of ``percent`` of ``lines`` asks for, tax included (see :func:`deposit_bases`)."""
    total = Decimal(0)
    for rate, net in _deposit_nets(lines, regime, currency, percent):
        total += net + _cents(net * rate / _HUNDRED)
    return Money(total, currency)


def days_late(due_on: date, on: date) -> int:
    """Whole days between the due date and ``on`` (0 when not late)."""
    return max((on - due_on).days, 0)


def late_interest(amount: Money, annual_rate: Decimal, due_on: date, on: date) -> Money:
    """Simple interest on ``amount`` at ``annual_rate`` percent a year from ``due_on`` to ``on``.

    >>> str(late_interest(Money.of("1000", "EUR"), Decimal("12"), date(2026, 1, 31), date(2026, 3, 2)))
    '9.86 EUR'
    """
    exact = amount.amount * annual_rate / Decimal(100) * days_late(due_on, on) / _DAYS_IN_YEAR
    return _rounded(exact, amount.currency)
