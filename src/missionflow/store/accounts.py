"""Missions' accounts: what each invoice received, installment plans, and what is overdue with its
late interest and recovery indemnity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from missionflow.errors import ConflictError, InvalidValueError
from missionflow.freelance import (
    Installment,
    InvoiceBalance,
    InvoiceTerms,
    OverdueItem,
    PaymentPlan,
    Settings,
)
from missionflow.freelance.balances import days_late
from missionflow.freelance.billing import PlanShare, check_plan, late_interest
from missionflow.money import Money
from missionflow.store import account_reads, plan_rows, rows
from missionflow.store.account_reads import Account
from missionflow.store.invoice_rows import number_key
from missionflow.store.invoices import local_day
from missionflow.store.models import ClientRow, InstallmentRow, InvoiceRow, MissionRow, PaymentPlanRow
from missionflow.store.records import mission_ref, parse_ref
from missionflow.store.session import Database, now


class Accounts:
    """Balances, plans and late payments of every mission."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def invoice_balances(self, mission: str | None = None, *, on: date | None = None) -> list[InvoiceBalance]:
        """Every invoice (of one mission, or all) with what it has received and its status on ``on``
        (today by default): due, partially_paid, paid, overdue, cancelled, or credit for a credit note."""
        with self.db.reading() as session:
            day = on or local_day(rows.settings(session))
            if mission is not None:
                ids = [rows.mission_row(session, mission).id]
            else:
                ids = list(
                    session.scalars(select(InvoiceRow.mission_id).distinct().order_by(InvoiceRow.mission_id))
                )
            found = account_reads.accounts(session, ids, day)
            balances = [b for account in found.values() for b in account.balances]
        return sorted(balances, key=lambda b: (b.issued_on, number_key(b.number)))

    def set_payment_plan(
        self, ref: str, installments: Sequence[Installment], *, on: date | None = None
    ) -> PaymentPlan:
        """Agree an installment plan (R6) for everything the mission's invoices still ask for.

        It must sum exactly to that amount, and no invoice may be paid off later than 60 days after
        its date. A new plan replaces the previous one; later payments go to the installments in order.
        """
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref)
            settings = rows.settings(session)
            day = on or local_day(settings)
            for item in installments:
                if item.amount.currency != row.currency:
                    raise InvalidValueError(
                        "installments", f"{item.amount} is not in the mission's currency {row.currency}"
                    )
            account = account_reads.account(session, row.id, day, with_plan=False)
            open_invoices = sorted(
                (b for b in account.balances if b.is_open), key=lambda b: (b.issued_on, number_key(b.number))
            )
            if not open_invoices:
                raise ConflictError("plan", f"nothing is due on mission {ref}: there is nothing to plan")
            shares = [PlanShare(b.number, b.balance, b.issued_on) for b in open_invoices]
            ordered = check_plan(installments, shares)
            current = plan_rows.current_plan(session, row.id)
            if current is not None:
                plan_rows.replace_plan(session, current)
            amount = sum((s.balance for s in shares), Money.zero(row.currency))
            plan = PaymentPlanRow(
                mission_id=row.id,
                amount_cents=amount.amount,
                currency=row.currency,
                paid_before_cents=account.paid.amount,
                covers=[
                    {
                        "number": s.number,
                        "balance": f"{s.balance.amount:.2f}",
                        "issued_on": s.issued_on.isoformat(),
                    }
                    for s in shares
                ],
                agreed_on=day,
                created_at=now(),
                replaced_at=None,
            )
            session.add(plan)
            session.flush()
            for position, item in enumerate(ordered, start=1):
                session.add(
                    InstallmentRow(
                        plan_id=plan.id,
                        position=position,
                        due_on=item.due_on,
                        amount_cents=item.amount.amount,
                        currency=item.amount.currency,
                    )
                )
            session.flush()
            result = account_reads.account(session, row.id, day).plan
            assert result is not None
            return result

    def get_payment_plan(self, ref: str, *, on: date | None = None) -> PaymentPlan | None:
        """The mission's current installment plan with each installment's status on ``on`` (or None)."""
        with self.db.reading() as session:
            row = rows.mission_row(session, ref)
            return account_reads.account(session, row.id, on or local_day(rows.settings(session))).plan

    def overdue(self, on: date) -> list[OverdueItem]:
        """Every invoice and installment unpaid after its due date on ``on``, with the days late, the
        late interest (balance x rate x days / 365, at the rate the invoice states) and the fixed
        recovery indemnity for business clients (none for consumers).

        An invoice paid by an installment plan is judged by its installments instead.
        """
        items: list[OverdueItem] = []
        with self.db.reading() as session:
            settings = rows.settings(session)
            # Only a mission with an invoice past its due date, or with a payment plan, can owe late.
            late = select(InvoiceRow.mission_id).where(InvoiceRow.due_on < on)
            planned = select(PaymentPlanRow.mission_id).where(plan_rows.IS_CURRENT_PLAN)
            candidates = list(
                session.execute(
                    select(MissionRow.id, ClientRow.name, ClientRow.business)
                    .join(ClientRow, ClientRow.id == MissionRow.client_id)
                    .where(MissionRow.id.in_(late.union(planned).scalar_subquery()))
                    .order_by(MissionRow.id)
                )
            )
            found = account_reads.accounts(session, [mission_id for mission_id, _, _ in candidates], on)
            for mission_id, client, business in candidates:
                items.extend(_overdue_of(mission_id, client, business, found[mission_id], on, settings))
        return sorted(items, key=lambda i: (i.due_on, parse_ref(i.mission, "M") or 0, i.reference))


def _overdue_of(
    mission_id: int, client: str, business: bool, account: Account, on: date, settings: Settings
) -> list[OverdueItem]:
    """The overdue invoices of one mission's account (those a payment plan covers are judged by
    its installments), then its overdue installments; the indemnity is claimed once per plan."""
    terms = {i.number: i.terms for i in account.invoices}
    covered = set(account.plan.covers) if account.plan is not None else set()
    items = []
    for balance in account.balances:
        if balance.status != "overdue" or balance.number in covered:
            continue
        late = _Late(mission_id, client, business, on, settings, terms.get(balance.number))
        items.append(
            late.item("invoice", balance.number, balance.due_on, balance.balance, with_indemnity=True)
        )
    if account.plan is not None:
        last_terms = next((terms.get(n) for n in reversed(account.plan.covers) if terms.get(n)), None)
        late = _Late(mission_id, client, business, on, settings, last_terms)
        first = True
        for installment in account.plan.installments:
            if installment.status != "overdue":
                continue
            reference = f"{mission_ref(mission_id)} #{installment.position}"
            items.append(
                late.item(
                    "installment", reference, installment.due_on, installment.balance, with_indemnity=first
                )
            )
            first = False
    return items


class _Late:
    """How one mission's late items are worked out: at the rate and indemnity the invoice stated."""

    def __init__(
        self,
        mission_id: int,
        client: str,
        business_now: bool,
        on: date,
        settings: Settings,
        terms: InvoiceTerms | None,
    ) -> None:
        self.mission_id = mission_id
        self.client = client
        self.on = on
        self.settings = settings
        self.terms = terms
        self.business = terms.client_business if terms is not None else business_now

    def item(
        self, kind: str, reference: str, due_on: date, balance: Money, *, with_indemnity: bool
    ) -> OverdueItem:
        late = days_late(due_on, self.on)
        terms = self.terms
        rate = terms.late_penalty_rate if terms is not None else self.settings.late_penalty_rate
        indemnity = Money.zero(balance.currency)
        if self.business and with_indemnity:
            stated = terms.recovery_indemnity if terms is not None else None
            indemnity = (
                stated if stated is not None else Money(self.settings.recovery_indemnity, balance.currency)
            )
        return OverdueItem(
            mission=mission_ref(self.mission_id),
            client=self.client,
            kind=kind,
            reference=reference,
            due_on=due_on,
            days_late=late,
            balance=balance,
            rate=rate,
            interest=late_interest(balance, rate, late),
            indemnity=indemnity,
            business=self.business,
        )
