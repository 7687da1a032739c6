"""Invoice arithmetic, exact to the cent: lines and totals, due dates, payment allocation, invoice
and installment statuses, installment plans and late-payment interest (French practice; every
figure is a setting). Pure functions and values: the store feeds them what it read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from missionflow.errors import InvalidValueError
from missionflow.freelance.agreement import AgreedLine
from missionflow.money import CENT, Money

MAX_TERMS_DAYS = 60
"""Payment terms may not exceed 60 days after the invoice date (French commercial code)."""


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice; a deduction (a deposit already invoiced) has a negative amount.
    ``kind`` says what it bills (an agreement line's kind, ``deposit``, ``work_done``, ``interest``,
    ``indemnity``), so that a document can present it."""

    description: str
    amount: Decimal
    kind: str = ""


DEPOSIT_DEDUCTION = "deposit"
"""The kind of the line that deducts a deposit invoice from the final invoice."""


@dataclass(frozen=True)
class OpenInvoice:
    """An issued invoice as the allocation sees it: what it asks for and when it was issued."""

    number: str
    total: Money
    issued_on: date


@dataclass(frozen=True)
class Installment:
    """One agreed payment of a plan (R6)."""

    due_on: date
    amount: Money


def due_date(issued_on: date, terms_days: int) -> date:
    """The due date for payment terms of ``terms_days`` (refused above the legal maximum).

    >>> due_date(date(2026, 11, 24), 30)
    datetime.date(2026, 12, 24)
    """
    if terms_days < 0:
        raise InvalidValueError("payment terms", f"{terms_days} days is negative")
    if terms_days > MAX_TERMS_DAYS:
        raise InvalidValueError(
            "payment terms", f"{terms_days} days is over the legal maximum of {MAX_TERMS_DAYS} days"
        )
    return issued_on + timedelta(days=terms_days)


def final_invoice_lines(
    agreed: Sequence[AgreedLine], deposits: Sequence[tuple[str, Money]]
) -> tuple[list[InvoiceLine], Money]:
    """The lines and total of a final invoice: every agreed line (the contract, the rush surcharge,
    amendments and extra rounds), minus each deposit invoice by number.

    >>> from missionflow.freelance.agreement import agreement_of
    >>> agreed = agreement_of("EUR", contract_amount=Money.of("4500", "EUR")).lines
    >>> lines, total = final_invoice_lines(agreed, [("2026-0001", Money.of("1350", "EUR"))])
    >>> str(total)
    '3,150.00 EUR'
    """
    if not agreed:
        raise InvalidValueError("final invoice", "nothing is agreed: there is nothing to invoice")
    currency = agreed[0].amount.currency
    lines = [InvoiceLine(line.designation, line.amount.amount, line.kind) for line in agreed]
    total = Money.total((line.amount for line in agreed), currency)
    for number, amount in deposits:
        lines.append(InvoiceLine(f"Deposit invoice {number}", -amount.amount, DEPOSIT_DEDUCTION))
        total = total - amount
    if total.amount < 0:
        raise InvalidValueError("final invoice", f"deposits exceed the amount due by {-total.amount:.2f}")
    return lines, total


def allocate(invoices: Sequence[OpenInvoice], paid: Money) -> dict[str, Money]:
    """How much of ``paid`` goes to each invoice, oldest first (issue date, then number).

    What is left after every invoice is paid is a credit: it is not in the result.
    """
    remaining = paid
    allocation: dict[str, Money] = {}
    for invoice in sorted(invoices, key=lambda i: (i.issued_on, i.number)):
        share = min(remaining.amount, invoice.total.amount) if invoice.total.amount > 0 else Decimal(0)
        allocation[invoice.number] = Money(share, paid.currency)
        remaining = Money(remaining.amount - share, paid.currency)
    return allocation


def allocate_each(invoices: Sequence[OpenInvoice], payments: Sequence[Money]) -> list[dict[str, Money]]:
    """What each payment (in the order given: by date) pays of each invoice, the invoices taken oldest
    first like :func:`allocate`; what is left of a payment after every invoice is a credit.

    >>> eur = lambda text: Money.of(text, "EUR")
    >>> invoices = [OpenInvoice("2026-0001", eur("300"), date(2026, 3, 2)), OpenInvoice("2026-0002", eur("700"), date(2026, 5, 4))]
    >>> [{n: str(m) for n, m in shares.items()} for shares in allocate_each(invoices, [eur("500"), eur("600")])]
    [{'2026-0001': '300.00 EUR', '2026-0002': '200.00 EUR'}, {'2026-0002': '500.00 EUR'}]
    """
    ordered = sorted(invoices, key=lambda i: (i.issued_on, i.number))
    left = [invoice.total.amount if invoice.total.amount > 0 else Decimal(0) for invoice in ordered]
    position = 0
    result: list[dict[str, Money]] = []
    for payment in payments:
        remaining = payment.amount
        shares: dict[str, Money] = {}
        while remaining > 0 and position < len(ordered):
            share = min(remaining, left[position])
            if share > 0:
                shares[ordered[position].number] = Money(share, payment.currency)
            remaining -= share
            left[position] -= share
            if left[position] <= 0:
                position += 1
        result.append(shares)
    return result


def late_interest(balance: Money, rate_percent: Decimal, days_late: int) -> Money:
    """Late-payment interest: balance x rate x days / 365, rounded half-up to the cent.

    >>> str(late_interest(Money.of("1000", "EUR"), Decimal("12"), 30))
    '9.86 EUR'
    """
    if days_late <= 0:
        return Money.zero(balance.currency)
    value = balance.amount * rate_percent / Decimal(100) * Decimal(days_late) / Decimal(365)
    return Money(value.quantize(CENT, rounding=ROUND_HALF_UP), balance.currency)


@dataclass(frozen=True)
class PlanShare:
    """What a plan pays of one invoice: its balance when the plan was agreed, and its issue date."""

    number: str
    balance: Money
    issued_on: date


def plan_due_dates(shares: Sequence[PlanShare], installments: Sequence[Installment]) -> dict[str, date]:
    """When each invoice of a plan is paid off: the due date of the installment that completes it.

    Installments pay the invoices oldest first (like payments). The plan must cover the shares.

    >>> eur = lambda text: Money.of(text, "EUR")
    >>> shares = [PlanShare("2026-0001", eur("100"), date(2026, 1, 5)),
    ...           PlanShare("2026-0002", eur("50"), date(2026, 2, 1))]
    >>> plan = [Installment(date(2026, 2, 1), eur("120")), Installment(date(2026, 3, 1), eur("30"))]
    >>> plan_due_dates(shares, plan)
    {'2026-0001': datetime.date(2026, 2, 1), '2026-0002': datetime.date(2026, 3, 1)}
    """
    ordered = sorted(installments, key=lambda i: i.due_on)
    dates: dict[str, date] = {}
    covered = Decimal(0)
    position = -1
    owed = Decimal(0)
    for share in shares:
        owed += share.balance.amount
        while covered < owed:
            position += 1
            if position >= len(ordered):
                raise InvalidValueError("installments", f"the plan does not cover invoice {share.number}")
            covered += ordered[position].amount.amount
        dates[share.number] = ordered[position].due_on if position >= 0 else share.issued_on
    return dates


def check_plan(installments: Sequence[Installment], shares: Sequence[PlanShare]) -> list[Installment]:
    """The plan sorted by date, or InvalidValueError: it must sum exactly to what the invoices still
    ask for, and no invoice may be paid off later than the legal maximum after its issue date."""
    if not installments:
        raise InvalidValueError("installments", "a plan needs at least one installment")
    if not shares:
        raise InvalidValueError("installments", "nothing is due: there is nothing to plan")
    currency = shares[0].balance.currency
    amount_due = Money.zero(currency)
    for share in shares:
        amount_due = amount_due + share.balance
    total = Money.zero(currency)
    for item in installments:
        if item.amount.amount <= 0:
            raise InvalidValueError("installments", f"{item.due_on}: an installment must be more than 0")
        total = total + item.amount
    ordered = sorted(installments, key=lambda i: i.due_on)
    latest_allowed = max(share.issued_on for share in shares) + timedelta(days=MAX_TERMS_DAYS)
    for item in ordered:
        if item.due_on > latest_allowed:
            raise InvalidValueError(
                "installments",
                f"{item.due_on} is later than {latest_allowed.isoformat()}, the legal maximum of "
                f"{MAX_TERMS_DAYS} days after the invoice date",
            )
    if total != amount_due:
        raise InvalidValueError("installments", f"the plan sums to {total}, not the {amount_due} due")
    paid_off_dates = plan_due_dates(shares, ordered)
    for share in shares:
        paid_off = paid_off_dates[share.number]
        latest = share.issued_on + timedelta(days=MAX_TERMS_DAYS)
        if paid_off > latest:
            raise InvalidValueError(
                "installments",
                f"invoice {share.number} would be paid off on {paid_off.isoformat()}, later than "
                f"{latest.isoformat()}, the legal maximum of {MAX_TERMS_DAYS} days after its date",
            )
    return ordered


def check_installments(
    installments: Sequence[Installment], amount_due: Money, invoice_date: date
) -> list[Installment]:
    """The plan sorted by date, or InvalidValueError: it must sum to the amount due, exactly,
    and no installment may fall later than the legal maximum after the invoice date.

    >>> eur = lambda text: Money.of(text, "EUR")
    >>> plan = [Installment(date(2027, 2, 28), eur("1500")), Installment(date(2027, 1, 31), eur("1500"))]
    >>> [i.due_on.isoformat() for i in check_installments(plan, eur("3000"), date(2027, 1, 2))]
    ['2027-01-31', '2027-02-28']
    """
    return check_plan(installments, [PlanShare("the invoice", amount_due, invoice_date)])


def split_evenly(amount: Money, parts: int) -> list[Money]:
    """``amount`` in ``parts`` shares that differ by at most a cent and sum exactly to it.

    >>> [str(m) for m in split_evenly(Money.of("100", "EUR"), 3)]
    ['33.34 EUR', '33.33 EUR', '33.33 EUR']
    """
    if parts < 1:
        raise InvalidValueError("parts", "split into at least one part")
    cents = int(amount.amount * 100)
    base, extra = divmod(cents, parts)
    return [Money(Decimal(base + (1 if i < extra else 0)) / 100, amount.currency) for i in range(parts)]
