"""Reading what missions' invoices, payments and plans add up to on a date, in bulk: a few queries
per chunk of missions, not per mission, so that a report over thousands stays a handful of round
trips. Nothing here is stored that can be derived: payments are allocated to invoices oldest
first and statuses follow from the dates, each time they are read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.errors import MissionNotFoundError
from missionflow.freelance import Installment, InvoiceBalance, InvoiceRecord, PaymentPlan
from missionflow.freelance.balances import installment_statuses, invoice_balances
from missionflow.freelance.billing import PlanShare, plan_due_dates
from missionflow.money import Money
from missionflow.store.invoice_rows import invoice_record
from missionflow.store.models import InstallmentRow, InvoiceRow, MissionRow, PaymentPlanRow, PaymentRow
from missionflow.store.plan_rows import current_plans
from missionflow.store.records import mission_ref

CHUNK = 500
"""Missions per IN (...) list when accounts are read in bulk: well under any driver's limit."""


@dataclass(frozen=True)
class Account:
    """What one mission's invoices, payments and plan add up to on a date."""

    invoices: list[InvoiceRecord]
    balances: list[InvoiceBalance]
    plan: PaymentPlan | None
    plan_id: int | None
    paid: Money
    payments: tuple[tuple[date, Money], ...] = ()
    """Each payment received up to the day of the account: when, and how much."""
    plan_shares: tuple[PlanShare, ...] = ()
    """What the plan covers: each invoice's balance when it was agreed."""
    paid_before_plan: Money | None = None
    """Everything paid when the plan was agreed (later payments go to the plan)."""


def plan_shares(covers: Sequence[object], currency: str) -> list[PlanShare]:
    """What a stored plan covers: each invoice's balance when it was agreed."""
    shares = []
    for item in covers:
        if isinstance(item, dict):
            shares.append(
                PlanShare(
                    str(item["number"]),
                    Money(Decimal(str(item["balance"])), currency),
                    date.fromisoformat(str(item["issued_on"])),
                )
            )
    return shares


def account(session: Session, mission_id: int, on: date, *, with_plan: bool = True) -> Account:
    """One mission's account on ``on``."""
    return accounts(session, [mission_id], on, with_plan=with_plan)[mission_id]


def accounts(
    session: Session, mission_ids: Sequence[int], on: date, *, with_plan: bool = True
) -> dict[int, Account]:
    """The accounts of many missions on ``on``: invoices issued, payments received and plans agreed
    after that day are left out, so that an account as of a past day reads as it did then."""
    found: dict[int, Account] = {}
    for start in range(0, len(mission_ids), CHUNK):
        chunk = mission_ids[start : start + CHUNK]
        # .all(): a Result has keys(), so dict() would take it for a mapping
        currencies = dict(
            session.execute(select(MissionRow.id, MissionRow.currency).where(MissionRow.id.in_(chunk))).all()
        )
        missing = [i for i in chunk if i not in currencies]
        if missing:  # pragma: no cover - callers found them
            raise MissionNotFoundError(mission_ref(missing[0]))
        invoices: dict[int, list[InvoiceRow]] = {i: [] for i in chunk}
        for row in session.scalars(
            select(InvoiceRow)
            .where(InvoiceRow.mission_id.in_(chunk), InvoiceRow.issued_on <= on)
            .order_by(InvoiceRow.year, InvoiceRow.sequence)
        ):
            invoices[row.mission_id].append(row)
        received: dict[int, list[tuple[date, Money]]] = {i: [] for i in chunk}
        for paid_mission, day, cents, currency in session.execute(
            select(
                PaymentRow.mission_id, PaymentRow.received_on, PaymentRow.amount_cents, PaymentRow.currency
            )
            .where(PaymentRow.mission_id.in_(chunk), PaymentRow.received_on <= on)
            .order_by(PaymentRow.received_on, PaymentRow.id)
        ):
            received[paid_mission].append((day, Money(cents, currency)))
        plans: dict[int, PaymentPlanRow] = current_plans(session, chunk) if with_plan else {}
        plans = {mission: plan for mission, plan in plans.items() if plan.agreed_on <= on}
        installments = _installments(session, [plan.id for plan in plans.values()])
        for mission_id in chunk:
            currency = currencies[mission_id]
            payments = tuple(received[mission_id])
            plan_row = plans.get(mission_id)
            found[mission_id] = _account_of(
                mission_id,
                currency,
                invoices[mission_id],
                payments,
                plan_row,
                installments.get(plan_row.id, []) if plan_row is not None else [],
                on,
            )
    return found


def _installments(session: Session, plan_ids: list[int]) -> dict[int, list[Installment]]:
    found: dict[int, list[Installment]] = {}
    if not plan_ids:
        return found
    for item in session.scalars(
        select(InstallmentRow)
        .where(InstallmentRow.plan_id.in_(plan_ids))
        .order_by(InstallmentRow.plan_id, InstallmentRow.position)
    ):
        found.setdefault(item.plan_id, []).append(
            Installment(item.due_on, Money(item.amount_cents, item.currency))
        )
    return found


def _account_of(
    mission_id: int,
    currency: str,
    invoice_rows: list[InvoiceRow],
    payments: tuple[tuple[date, Money], ...],
    plan_row: PaymentPlanRow | None,
    items: list[Installment],
    on: date,
) -> Account:
    ref = mission_ref(mission_id)
    paid = Money.total((amount for _, amount in payments), currency)
    numbers = {r.id: r.number for r in invoice_rows}
    invoices = [
        invoice_record(r, ref, numbers.get(r.references_id) if r.references_id else None)
        for r in invoice_rows
    ]
    plan: PaymentPlan | None = None
    due_dates: dict[str, date] = {}
    shares: list[PlanShare] = []
    if plan_row is not None:
        shares = plan_shares(plan_row.covers, currency)
        due_dates = plan_due_dates(shares, items)
        amount = Money(plan_row.amount_cents, currency)
        toward = paid - Money(plan_row.paid_before_cents, currency)
        toward = max(Money.zero(currency), min(toward, amount))
        plan = PaymentPlan(
            mission=ref,
            amount=amount,
            agreed_on=plan_row.agreed_on,
            covers=tuple(s.number for s in shares),
            installments=tuple(installment_statuses(items, toward, on)),
        )
    balances = invoice_balances(invoices, paid, on, due_dates=due_dates)
    return Account(
        invoices,
        balances,
        plan,
        plan_row.id if plan_row is not None else None,
        paid,
        payments,
        tuple(shares),
        Money(plan_row.paid_before_cents, currency) if plan_row is not None else None,
    )
