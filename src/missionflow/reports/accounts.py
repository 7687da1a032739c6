"""A mission's account as the reports see it: invoiced, paid, due and overdue, and the invoices
paid late, from its invoices (credit notes count negatively) and its payments.

Payments go to invoices oldest first (:func:`missionflow.billing.allocate`); an invoice is paid
late when the payment that completes it arrives after its due date, or when it is still unpaid
once its due date has passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from missionflow.freelance import InvoiceRecord, OverdueItem, Payment
from missionflow.freelance.billing import OpenInvoice, allocate
from missionflow.money import Money


@dataclass(frozen=True)
class MissionAccount:
    """What a mission's client was invoiced and paid, and what is still due, at a date.

    ``invoiced`` and ``paid`` count what happened in the report's period; ``due``, ``overdue``
    and ``advance`` are the balance of everything up to the report's date.
    """

    invoiced: Money
    paid: Money
    due: Money
    overdue: Money
    advance: Money
    overdue_invoices: tuple[str, ...]
    late_payments: int


def _net_totals(invoices: Sequence[InvoiceRecord], currency: str) -> list[tuple[InvoiceRecord, Money]]:
    """Each invoice (not credit note) with its total less the credit notes that correct it."""
    credited: dict[str, Money] = {}
    for invoice in invoices:
        if invoice.kind == "credit" and invoice.references is not None:
            earlier = credited.get(invoice.references, Money.zero(currency))
            credited[invoice.references] = earlier + invoice.total
    nets = []
    for invoice in invoices:
        if invoice.kind == "credit":
            continue
        net = invoice.total - credited.get(invoice.number, Money.zero(currency))
        nets.append((invoice, net if net.amount > 0 else Money.zero(currency)))
    return nets


def compute_account(
    currency: str,
    invoices: Sequence[InvoiceRecord],
    payments: Sequence[Payment],
    *,
    on: date,
    since: date | None = None,
    overdue: Money | None = None,
) -> MissionAccount:
    """The account on ``on`` (invoices issued and payments received later are ignored).

    ``since`` limits the period of ``invoiced``, ``paid`` and ``late_payments`` (an invoice
    counts in the period of its due date); the balances always cover everything up to ``on``.
    ``overdue``, when given, is what the store's ``overdue`` found late on ``on`` (it follows the
    payment plan); without it, every unpaid invoice past its due date is overdue.
    """
    zero = Money.zero(currency)
    known = [i for i in invoices if i.issued_on <= on and i.total.currency == currency]
    received = sorted(
        (p for p in payments if p.received_on <= on and p.amount.currency == currency),
        key=lambda p: p.received_on,
    )

    def in_period(day: date) -> bool:
        return since is None or day >= since

    invoiced = zero
    for invoice in known:
        if in_period(invoice.issued_on):
            invoiced = invoiced - invoice.total if invoice.kind == "credit" else invoiced + invoice.total
    paid_total = zero
    paid = zero
    for payment in received:
        paid_total = paid_total + payment.amount
        if in_period(payment.received_on):
            paid = paid + payment.amount

    nets = _net_totals(known, currency)
    opens = [OpenInvoice(invoice.number, net, invoice.issued_on) for invoice, net in nets]
    owed = sum((net for _, net in nets), zero)
    allocation = allocate(opens, paid_total)

    # The day each invoice was paid in full: the payment after which the allocation covers it.
    totals = {o.number: o.total for o in opens}
    settled_on: dict[str, date] = {}
    running = zero
    for payment in received:
        running = running + payment.amount
        for number, share in allocate(opens, running).items():
            if number not in settled_on and share == totals[number]:
                settled_on[number] = payment.received_on

    overdue_found = zero
    overdue_numbers = []
    late = 0
    for invoice, net in nets:
        if net.amount == 0:
            continue
        balance = net - allocation[invoice.number]
        if invoice.due_on < on and balance.amount > 0:
            overdue_found = overdue_found + balance
            overdue_numbers.append(invoice.number)
        settled = settled_on.get(invoice.number)
        paid_late = settled > invoice.due_on if settled is not None else invoice.due_on < on
        if paid_late and in_period(invoice.due_on):
            late += 1
    return MissionAccount(
        invoiced=invoiced,
        paid=paid,
        due=owed - paid_total if owed > paid_total else zero,
        overdue=overdue_found if overdue is None else overdue,
        advance=paid_total - owed if paid_total > owed else zero,
        overdue_invoices=tuple(overdue_numbers),
        late_payments=late,
    )


def overdue_by_mission(items: Iterable[OverdueItem]) -> dict[str, Money]:
    """What is overdue on each mission (the balances of its late invoices and installments), from
    the store's ``overdue``: the one reckoning of lateness, payment plans included."""
    found: dict[str, Money] = {}
    for item in items:
        earlier = found.get(item.mission)
        found[item.mission] = item.balance if earlier is None else earlier + item.balance
    return found
