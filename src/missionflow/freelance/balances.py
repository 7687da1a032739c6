"""What each invoice and installment has received, and their statuses on a date: payments are
allocated to invoices oldest first, and statuses follow from the dates each time they are read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from missionflow.freelance.billing import Installment, OpenInvoice, allocate
from missionflow.money import Money

INVOICE_STATUSES = ("due", "partially_paid", "paid", "overdue", "cancelled", "credit")
"""An invoice is due, partially_paid, paid, overdue or cancelled (by a credit note); a credit
note itself has the status credit."""


class IssuedInvoice(Protocol):
    """An issued invoice as the statuses need it (``InvoiceRecord`` is one)."""

    @property
    def number(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def mission(self) -> str: ...
    @property
    def total(self) -> Money: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def due_on(self) -> date: ...
    @property
    def references(self) -> str | None: ...


@dataclass(frozen=True)
class InvoiceBalance:
    """An invoice and what it has received so far; ``balance`` is what is still owed on it."""

    number: str
    kind: str
    mission: str
    issued_on: date
    due_on: date
    total: Money
    paid: Money
    status: str
    references: str | None = None
    cancelled_by: str | None = None

    @property
    def balance(self) -> Money:
        """What the client still owes on this invoice (nothing on a cancelled one or a credit note)."""
        if self.status in ("cancelled", "credit"):
            return Money.zero(self.total.currency)
        return self.total - self.paid

    @property
    def is_open(self) -> bool:
        """True when something is still owed on it."""
        return self.balance.amount > 0


def invoice_balances(
    invoices: Sequence[IssuedInvoice],
    paid: Money,
    on: date,
    *,
    due_dates: Mapping[str, date] | None = None,
) -> list[InvoiceBalance]:
    """Every invoice of one mission with what it received and its status on ``on``, in number order.

    The payments (``paid`` in all) go to the invoices oldest first; a cancelled invoice takes
    nothing, so what it had received goes on to the next one. ``due_dates`` replaces the due date
    of the invoices an installment plan reschedules (see :func:`plan_due_dates`).

    >>> from types import SimpleNamespace as Invoice
    >>> eur = lambda text: Money.of(text, "EUR")
    >>> deposit = Invoice(number="2026-0001", kind="deposit", mission="M-1", total=eur("300"),
    ...                   issued_on=date(2026, 3, 2), due_on=date(2026, 4, 1), references=None)
    >>> final = Invoice(number="2026-0002", kind="final", mission="M-1", total=eur("700"),
    ...                 issued_on=date(2026, 5, 4), due_on=date(2026, 6, 3), references=None)
    >>> [(b.number, str(b.paid), b.status) for b in invoice_balances([deposit, final], eur("500"), date(2026, 6, 10))]
    [('2026-0001', '300.00 EUR', 'paid'), ('2026-0002', '200.00 EUR', 'overdue')]
    """
    cancelled_by = {i.references: i.number for i in invoices if i.kind == "credit" and i.references}
    payable = [
        OpenInvoice(i.number, i.total, i.issued_on)
        for i in invoices
        if i.kind != "credit" and i.number not in cancelled_by
    ]
    shares = allocate(payable, paid)
    overrides = due_dates or {}
    result = []
    for invoice in sorted(invoices, key=_number_order):
        received = shares.get(invoice.number, Money.zero(invoice.total.currency))
        if invoice.kind == "credit":
            status = "credit"
        elif invoice.number in cancelled_by:
            status = "cancelled"
        elif received == invoice.total:
            status = "paid"
        elif on > overrides.get(invoice.number, invoice.due_on):
            status = "overdue"
        elif received.amount > 0:
            status = "partially_paid"
        else:
            status = "due"
        result.append(
            InvoiceBalance(
                number=invoice.number,
                kind=invoice.kind,
                mission=invoice.mission,
                issued_on=invoice.issued_on,
                due_on=invoice.due_on,
                total=invoice.total,
                paid=received,
                status=status,
                references=invoice.references,
                cancelled_by=cancelled_by.get(invoice.number),
            )
        )
    return result


def _number_order(invoice: IssuedInvoice) -> tuple[int, int, str]:
    """Invoice numbers "YYYY-NNNN" in their series' order (text order breaks past 9999)."""
    year, _, sequence = invoice.number.partition("-")
    if year.isdigit() and sequence.isdigit():
        return int(year), int(sequence), ""
    return 0, 0, invoice.number


# --- installment plans --------------------------------------------------------------------------

INSTALLMENT_STATUSES = ("due", "paid", "overdue")


@dataclass(frozen=True)
class InstallmentStatus:
    """One installment of a plan and what it has received."""

    position: int
    due_on: date
    amount: Money
    paid: Money
    status: str

    @property
    def balance(self) -> Money:
        """What is still owed on this installment."""
        return self.amount - self.paid


def installment_statuses(
    installments: Sequence[Installment], paid_toward_plan: Money, on: date
) -> list[InstallmentStatus]:
    """Each installment (in date order) with its share of what was paid since the plan was agreed.

    >>> eur = lambda text: Money.of(text, "EUR")
    >>> plan = [Installment(date(2027, 1, 31), eur("1500")), Installment(date(2027, 2, 28), eur("1500"))]
    >>> [(s.status, str(s.paid)) for s in installment_statuses(plan, eur("1000"), date(2027, 2, 1))]
    [('overdue', '1,000.00 EUR'), ('due', '0.00 EUR')]
    """
    remaining = paid_toward_plan.amount
    result = []
    for position, item in enumerate(sorted(installments, key=lambda i: i.due_on), start=1):
        share = max(Decimal(0), min(remaining, item.amount.amount))
        remaining -= share
        received = Money(share, item.amount.currency)
        if received == item.amount:
            status = "paid"
        elif on > item.due_on:
            status = "overdue"
        else:
            status = "due"
        result.append(InstallmentStatus(position, item.due_on, item.amount, received, status))
    return result


@dataclass(frozen=True)
class PaymentPlan:
    """An installment plan agreed for what a mission's invoices still asked for (R6)."""

    mission: str
    amount: Money
    agreed_on: date
    covers: tuple[str, ...]
    """The numbers of the invoices the plan pays, oldest first."""
    installments: tuple[InstallmentStatus, ...]

    @property
    def paid(self) -> Money:
        """What the plan has received so far."""
        return Money.total((item.paid for item in self.installments), self.amount.currency)

    @property
    def balance(self) -> Money:
        """What the plan still asks for."""
        return self.amount - self.paid


# --- late payment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueItem:
    """An invoice or installment unpaid after its due date, with what lateness adds on ``on``.

    ``indemnity`` is the fixed recovery indemnity owed by a business client (zero for a
    consumer); with an installment plan it is counted once, on the plan's first late installment.
    """

    mission: str
    client: str
    kind: str
    """``invoice`` or ``installment``."""
    reference: str
    """The invoice number, or "M-1 #2" for the second installment of M-1's plan."""
    due_on: date
    days_late: int
    balance: Money
    rate: Decimal
    interest: Money
    indemnity: Money
    business: bool

    @property
    def total(self) -> Money:
        """Balance, interest and indemnity together."""
        return self.balance + self.interest + self.indemnity


def days_late(due_on: date, on: date) -> int:
    """Whole days past the due date (0 when not late).

    >>> days_late(date(2027, 1, 31), date(2027, 3, 2))
    30
    """
    return max(0, (on - due_on).days)
