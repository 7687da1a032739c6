"""What paying late costs the client, day by day: the late interest on what was still owed after each
due date (at the rate the invoice states, balance x rate x days / 365 for each stretch of days the
balance stayed the same) and the fixed recovery indemnity a business client owes once per late
invoice (once for a whole installment plan).

The same figures feed ``overdue`` (what is owed today, less what a late-payment invoice already
billed) and the late-payment invoice (everything accrued and not billed yet, also on invoices paid
late since), so that nothing ``overdue`` shows can vanish when the principal is paid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from missionflow.money import CENT, Money

INTEREST = "interest"
"""The kind of a late-payment invoice line that bills late interest."""
INDEMNITY = "indemnity"
"""The kind of a late-payment invoice line that bills the recovery indemnity."""


@dataclass(frozen=True)
class Debt:
    """Something the client owes by a date: an invoice, or an installment of a plan.

    ``paid`` lists when its share of the payments arrived and how much (see :func:`settle`);
    ``group`` is what the indemnity is owed once for (the invoice, or the whole plan).
    """

    reference: str
    due_on: date
    amount: Money
    rate: Decimal
    indemnity: Money | None
    group: str
    paid: tuple[tuple[date, Money], ...] = ()

    def balance_on(self, day: date) -> Money:
        """What was still owed on it at the end of ``day``."""
        received = Money.total((amount for when, amount in self.paid if when <= day), self.amount.currency)
        return self.amount - received

    def settled_on(self) -> date | None:
        """The day it was paid in full (None while something is owed; its due date when it asks
        for nothing)."""
        if self.amount.amount <= 0:
            return self.due_on
        running = Money.zero(self.amount.currency)
        for when, amount in self.paid:
            running = running + amount
            if running >= self.amount:
                return when
        return None


@dataclass(frozen=True)
class LateCharge:
    """What lateness on one debt added up to on a day: ``interest`` accrued so far (until it was
    paid, or the day), ``indemnity`` owed (None when not owed), and what is still owed on it."""

    reference: str
    due_on: date
    days_late: int
    balance: Money
    rate: Decimal
    interest: Money
    indemnity: Money | None
    group: str


@dataclass
class Billed:
    """What late-payment invoices already billed, by the reference of the debt and by group."""

    interest: dict[str, Money] = field(default_factory=dict)
    indemnity_groups: set[str] = field(default_factory=set)


def settle(
    debts: Sequence[tuple[str, Money]], payments: Sequence[tuple[date, Money]]
) -> dict[str, tuple[tuple[date, Money], ...]]:
    """How the payments, in date order, pay the debts in the order given (oldest first): for each
    debt, when its shares arrived and how much. What is left after every debt is a credit.

    >>> eur = lambda text: Money.of(text, "EUR")
    >>> settle([("A", eur("100")), ("B", eur("50"))], [(date(2026, 1, 5), eur("120")), (date(2026, 2, 1), eur("40"))])
    {'A': ((datetime.date(2026, 1, 5), Money(amount=Decimal('100.00'), currency='EUR')),), 'B': ((datetime.date(2026, 1, 5), Money(amount=Decimal('20.00'), currency='EUR')), (datetime.date(2026, 2, 1), Money(amount=Decimal('30.00'), currency='EUR')))}
    """
    references = [reference for reference, _ in debts]
    remaining = [amount.amount for _, amount in debts]
    shares: dict[str, list[tuple[date, Money]]] = {reference: [] for reference in references}
    position = 0
    for when, paid in sorted(payments, key=lambda p: p[0]):
        left = paid.amount
        while left > 0 and position < len(remaining):
            share = min(left, remaining[position])
            if share > 0:
                shares[references[position]].append((when, Money(share, paid.currency)))
            left -= share
            remaining[position] -= share
            if remaining[position] <= 0:
                position += 1
    return {reference: tuple(found) for reference, found in shares.items()}


def accrued_interest(debt: Debt, on: date) -> Money:
    """Interest on what was owed after the due date, for each day up to ``on`` (or until paid):
    the sum over the stretches where the balance stayed the same of balance x rate x days / 365,
    rounded half-up to the cent once."""
    currency = debt.amount.currency
    if on <= debt.due_on or debt.rate == 0:
        return Money.zero(currency)
    changes = sorted({when for when, _ in debt.paid if debt.due_on < when < on})
    exact = Decimal(0)
    start = debt.due_on
    for stop in [*changes, on]:
        balance = debt.balance_on(start)
        if balance.amount > 0:
            exact += balance.amount * debt.rate / Decimal(100) * Decimal((stop - start).days) / Decimal(365)
        start = stop
    return Money(exact.quantize(CENT, rounding=ROUND_HALF_UP), currency)


def late_charges(debts: Sequence[Debt], on: date) -> list[LateCharge]:
    """Every debt that was or is late on ``on`` (unpaid after its due date, or paid after it), with
    its interest accrued so far (until it was paid, or ``on``), by due date. ``indemnity`` is the
    debt's own; it is owed once per group (see :func:`unbilled`)."""
    charges = []
    for debt in sorted(debts, key=lambda d: (d.due_on, d.reference)):
        settled = debt.settled_on()
        end = min(settled, on) if settled is not None else on
        if end <= debt.due_on:
            continue
        charges.append(
            LateCharge(
                reference=debt.reference,
                due_on=debt.due_on,
                days_late=(end - debt.due_on).days,
                balance=debt.balance_on(on),
                rate=debt.rate,
                interest=accrued_interest(debt, end),
                indemnity=debt.indemnity
                if debt.indemnity is not None and debt.indemnity.amount > 0
                else None,
                group=debt.group,
            )
        )
    return charges


def unbilled(charges: Sequence[LateCharge], billed: Billed) -> list[tuple[LateCharge, Money, Money | None]]:
    """Each charge with the interest no late-payment invoice billed yet, and the indemnity when it is
    the first charge of its group (an invoice, or a whole plan) and the group's was not billed."""
    found = []
    claimed = set(billed.indemnity_groups)
    for charge in charges:
        before = billed.interest.get(charge.reference, Money.zero(charge.interest.currency))
        zero = Money.zero(charge.interest.currency)
        interest = charge.interest - before if charge.interest > before else zero
        indemnity = None
        if charge.indemnity is not None and charge.group not in claimed:
            indemnity = charge.indemnity
            claimed.add(charge.group)
        found.append((charge, interest, indemnity))
    return found


def billed_by(lines: Sequence[Mapping[str, object]], billed: Billed | None = None) -> Billed:
    """Add what a late-payment invoice's stored lines bill to ``billed`` (lines carry ``kind``,
    ``reference``, ``group`` and ``amount`` as {amount, currency})."""
    found = billed if billed is not None else Billed()
    for line in lines:
        amount = line.get("amount")
        reference = str(line.get("reference", ""))
        if not isinstance(amount, Mapping):
            continue
        money = Money(Decimal(str(amount.get("amount"))), str(amount.get("currency")))
        if line.get("kind") == INTEREST:
            earlier = found.interest.get(reference)
            found.interest[reference] = money if earlier is None else earlier + money
        elif line.get("kind") == INDEMNITY:
            found.indemnity_groups.add(str(line.get("group", reference)))
    return found
