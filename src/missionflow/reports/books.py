"""The books a French micro-entrepreneur must keep, from what the store reads.

- The *livre des recettes* (receipts book): every payment received, in the order received, with
  its date, the client, the invoices it paid, the amount and how it was paid.
- The revenue per month or quarter: the money *received* in each period (micro-entrepreneurs
  declare their turnover to the URSSAF on receipts, not on invoices).

Which invoices a payment paid follows the allocation everywhere else: payments, in the order
received, pay the invoices that stand oldest first; what is left is a credit (no invoice yet, or
more than was invoiced).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from missionflow.errors import InvalidValueError
from missionflow.freelance import InvoiceRecord, Mission
from missionflow.freelance.billing import OpenInvoice, allocate_each
from missionflow.money import Money

PERIODS = ("month", "quarter")
"""How revenue is grouped: the URSSAF declaration is monthly or quarterly."""


@dataclass(frozen=True)
class Receipt:
    """One line of the receipts book: a payment and the invoices it paid (none: a credit)."""

    received_on: date
    client: str
    client_ref: str
    mission: str
    invoices: tuple[str, ...]
    amount: Money
    method: str
    reference: str
    paid_to: tuple[tuple[str, Money], ...] = ()
    """How much of the payment went to each invoice (what is left is a credit)."""


@dataclass(frozen=True)
class ReceiptsBook:
    """Every payment received in ``currency`` (in ``year``, or ever), oldest first, and their total."""

    year: int | None
    currency: str
    receipts: tuple[Receipt, ...]
    total: Money
    excluded_missions: int = 0
    """Missions in another currency, left out."""


@dataclass(frozen=True)
class RevenuePeriod:
    """The money received in one month ("2026-03") or quarter ("2026-Q1")."""

    label: str
    start: date
    end: date
    amount: Money
    receipts: int


@dataclass(frozen=True)
class RevenueBook:
    """The money received per period, every period of the span listed (empty ones at 0)."""

    period: str
    year: int | None
    currency: str
    periods: tuple[RevenuePeriod, ...]
    total: Money
    excluded_missions: int = 0


def _standing(invoices: Iterable[InvoiceRecord]) -> list[OpenInvoice]:
    """The invoices that stand (neither credit notes nor cancelled by one), as the allocation reads them."""
    records = list(invoices)
    cancelled = {i.references for i in records if i.kind == "credit" and i.references}
    return [
        OpenInvoice(i.number, i.total, i.issued_on)
        for i in records
        if i.kind != "credit" and i.number not in cancelled
    ]


def build_receipts_book(
    missions: Iterable[Mission],
    invoices: Iterable[InvoiceRecord],
    *,
    currency: str,
    year: int | None = None,
    on: date | None = None,
) -> ReceiptsBook:
    """The receipts book of ``year`` (every year when None) up to ``on``, from missions (with their
    payments) and invoices, as the store gives them."""
    by_mission: dict[str, list[InvoiceRecord]] = {}
    for invoice in invoices:
        if on is None or invoice.issued_on <= on:
            by_mission.setdefault(invoice.mission, []).append(invoice)
    receipts: list[Receipt] = []
    excluded = 0
    for mission in missions:
        if mission.currency != currency:
            excluded += 1
            continue
        payments = sorted(
            (p for p in mission.payments if on is None or p.received_on <= on), key=lambda p: p.received_on
        )
        shares = allocate_each(_standing(by_mission.get(mission.ref, [])), [p.amount for p in payments])
        for payment, paid in zip(payments, shares, strict=True):
            if year is not None and payment.received_on.year != year:
                continue
            receipts.append(
                Receipt(
                    received_on=payment.received_on,
                    client=mission.client.name,
                    client_ref=mission.client.ref,
                    mission=mission.ref,
                    invoices=tuple(paid),
                    amount=payment.amount,
                    method=payment.method,
                    reference=payment.reference,
                    paid_to=tuple(paid.items()),
                )
            )
    receipts.sort(key=lambda r: (r.received_on, r.mission))
    total = Money.total((r.amount for r in receipts), currency)
    return ReceiptsBook(year, currency, tuple(receipts), total, excluded)


def _period_of(day: date, period: str) -> tuple[str, date, date]:
    if period == "month":
        start = day.replace(day=1)
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return f"{day.year}-{day.month:02d}", start, date.fromordinal(following.toordinal() - 1)
    quarter = (day.month - 1) // 3
    start = date(day.year, quarter * 3 + 1, 1)
    following = date(day.year + 1, 1, 1) if quarter == 3 else date(day.year, quarter * 3 + 4, 1)
    return f"{day.year}-Q{quarter + 1}", start, date.fromordinal(following.toordinal() - 1)


def build_revenue_book(book: ReceiptsBook, *, period: str) -> RevenueBook:
    """The money received per ``period`` (month or quarter), from the receipts book: every period
    from the first receipt to the last (the whole year when the book is of one year) is listed.

    >>> from datetime import date
    >>> eur = Money.of("1350", "EUR")
    >>> receipt = Receipt(date(2026, 2, 10), "Acme", "C-1", "M-1", ("2026-0001",), eur, "transfer", "")
    >>> revenue = build_revenue_book(ReceiptsBook(2026, "EUR", (receipt,), eur), period="quarter")
    >>> [(p.label, str(p.amount)) for p in revenue.periods]
    [('2026-Q1', '1,350.00 EUR'), ('2026-Q2', '0.00 EUR'), ('2026-Q3', '0.00 EUR'), ('2026-Q4', '0.00 EUR')]
    """
    if period not in PERIODS:
        raise InvalidValueError("period", f"{period!r} is not one of: {', '.join(PERIODS)}")
    zero = Money.zero(book.currency)
    days = [r.received_on for r in book.receipts]
    if book.year is not None:
        first, last = date(book.year, 1, 1), date(book.year, 12, 31)
    elif days:
        first, last = min(days), max(days)
    else:
        return RevenueBook(period, book.year, book.currency, (), zero, book.excluded_missions)
    periods: list[RevenuePeriod] = []
    day = first
    while day <= last:
        label, start, end = _period_of(day, period)
        inside = [r for r in book.receipts if start <= r.received_on <= end]
        amount = Money.total((r.amount for r in inside), book.currency)
        periods.append(RevenuePeriod(label, start, end, amount, len(inside)))
        day = date.fromordinal(end.toordinal() + 1)
    total = Money.total((p.amount for p in periods), book.currency)
    return RevenueBook(period, book.year, book.currency, tuple(periods), total, book.excluded_missions)
