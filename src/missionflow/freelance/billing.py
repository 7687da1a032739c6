"""Invoice arithmetic, exact to the cent: lines and totals, due dates, payment allocation, invoice
and installment statuses, installment plans and late-payment interest (French practice; every
figure is a setting). Pure functions and values: the store feeds them what it read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from missionflow.errors import InvalidValueError
from missionflow.money import CENT, Money

MAX_TERMS_DAYS = 60
"""Payment terms may not exceed 60 days after the invoice date (French commercial code)."""


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice; a deduction (a deposit already invoiced) has a negative amount."""

    description: str
    amount: Decimal


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
    contract_amount: Money,
    extras: Sequence[tuple[str, Money]],
    deposits: Sequence[tuple[str, Money]],
) -> tuple[list[InvoiceLine], Money]:
    """The lines and total of a final invoice: the contract, plus extras, minus each deposit invoice.

    >>> lines, total = final_invoice_lines(Money.of("4500", "EUR"), [], [("2026-0001", Money.of("1350", "EUR"))])
    >>> str(total)
    '3,150.00 EUR'
    """
    lines = [InvoiceLine("Contract amount", contract_amount.amount)]
    total = contract_amount
    for description, amount in extras:
        lines.append(InvoiceLine(description, amount.amount))
        total = total + amount
    for number, amount in deposits:
        lines.append(InvoiceLine(f"Deposit invoice {number}", -amount.amount))
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


# --- what an invoice states, fixed when it is issued --------------------------------------------


@dataclass(frozen=True)
class InvoiceTerms:
    """What an invoice states besides its lines, copied when it is issued so that later changes
    to the settings or the client never change an issued invoice (identity, terms, penalties)."""

    seller_name: str
    seller_legal_name: str
    seller_siret: str
    seller_address: str
    vat_mention: str
    client_name: str
    client_company: str
    client_email: str
    client_business: bool
    mission_title: str
    payment_terms_days: int
    late_penalty_rate: Decimal
    recovery_indemnity: Money | None
    """The fixed recovery indemnity owed by a business client paying late; None for a consumer."""
    note: str = ""
    """Free text printed on the invoice; a credit note's reason."""

    def to_json(self) -> dict[str, object]:
        """The terms as JSON values (decimals and money as exact text)."""
        indemnity = self.recovery_indemnity
        return {
            "seller_name": self.seller_name,
            "seller_legal_name": self.seller_legal_name,
            "seller_siret": self.seller_siret,
            "seller_address": self.seller_address,
            "vat_mention": self.vat_mention,
            "client_name": self.client_name,
            "client_company": self.client_company,
            "client_email": self.client_email,
            "client_business": self.client_business,
            "mission_title": self.mission_title,
            "payment_terms_days": self.payment_terms_days,
            "late_penalty_rate": str(self.late_penalty_rate),
            "recovery_indemnity": (
                None
                if indemnity is None
                else {"amount": f"{indemnity.amount:.2f}", "currency": indemnity.currency}
            ),
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> InvoiceTerms:
        """The terms back from :meth:`to_json`."""
        indemnity = data.get("recovery_indemnity")
        return cls(
            seller_name=str(data.get("seller_name", "")),
            seller_legal_name=str(data.get("seller_legal_name", "")),
            seller_siret=str(data.get("seller_siret", "")),
            seller_address=str(data.get("seller_address", "")),
            vat_mention=str(data.get("vat_mention", "")),
            client_name=str(data.get("client_name", "")),
            client_company=str(data.get("client_company", "")),
            client_email=str(data.get("client_email", "")),
            client_business=bool(data.get("client_business", True)),
            mission_title=str(data.get("mission_title", "")),
            payment_terms_days=int(str(data.get("payment_terms_days", 30))),
            late_penalty_rate=Decimal(str(data.get("late_penalty_rate", "0"))),
            recovery_indemnity=(
                Money(Decimal(str(indemnity["amount"])), str(indemnity["currency"]))
                if isinstance(indemnity, dict)
                else None
            ),
            note=str(data.get("note", "")),
        )


# --- what each invoice has received -------------------------------------------------------------

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
