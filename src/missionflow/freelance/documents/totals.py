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
from decimal import ROUND_HALF_UP, Decimal

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


def _rounded(amount: Decimal, currency: str) -> Money:
    return Money(amount.quantize(CENT, rounding=ROUND_HALF_UP), currency)


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
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.unit_price.currency != currency:
            raise InvalidValueError(
                "currency", f"line {line.designation!r} is in {line.unit_price.currency}, not {currency}"
            )
        rate = regime.rate_of(line)
        bases[rate] = bases.get(rate, Decimal(0)) + line.net.amount
    breakdown = tuple(
        VatBreakdown(
            regime.category,
            rate,
            Money(base, currency),
            _rounded(base * rate / Decimal(100), currency),
        )
        for rate, base in sorted(bases.items(), reverse=True)
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
        (b.rate, _rounded(b.base.amount * percent / Decimal(100), currency))
        for b in compute_totals(lines, regime, currency).vat
    )


def deposit_gross(lines: Sequence[Line], regime: VatRegime, currency: str, percent: Decimal) -> Money:
    """What a deposit of ``percent`` of ``lines`` asks for, tax included (see :func:`deposit_bases`)."""
    total = Money.zero(currency)
    for rate, net in deposit_bases(lines, regime, currency, percent):
        total = total + net + _rounded(net.amount * rate / Decimal(100), currency)
    return total


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
