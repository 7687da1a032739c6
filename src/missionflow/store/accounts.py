"""Missions' accounts: what each invoice received, installment plans, and what is overdue with its
late interest and recovery indemnity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from missionflow.errors import ConflictError, InvalidValueError
from missionflow.freelance import (
    Installment,
    InvoiceBalance,
    InvoiceRecord,
    OverdueItem,
    PaymentPlan,
    Settings,
)
from missionflow.freelance.balances import days_late
from missionflow.freelance.billing import PlanShare, check_plan, due_date
from missionflow.freelance.late_charges import INDEMNITY, INTEREST, late_charges, unbilled
from missionflow.money import Money
from missionflow.store import account_reads, invoice_rows, lateness, plan_rows, rows
from missionflow.store.account_reads import Account
from missionflow.store.invoice_rows import money_line, number_key
from missionflow.store.invoices import local_day
from missionflow.store.models import ClientRow, InstallmentRow, InvoiceRow, MissionRow, PaymentPlanRow
from missionflow.store.records import lines_to_json, mission_ref, parse_ref
from missionflow.store.session import Database, now
from missionflow.workflow import StateKind


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

    def issue_late_payment_invoice(self, ref: str, *, on: date | None = None) -> InvoiceRecord:
        """Bill what paying late cost (a ``penalty`` invoice in the one gapless series): the late
        interest accrued on each invoice or installment up to ``on`` (today by default) or until it
        was paid, and the recovery indemnity of a business client once per late invoice (once per
        plan), less what earlier late-payment invoices billed. ConflictError when nothing is owed."""
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref)
            state = rows.definition(session, row.workflow, row.workflow_version).state(row.state)
            if state.final and state.kind is not StateKind.EXIT:
                raise ConflictError(
                    "penalty",
                    f"mission {ref} is {row.state}: it was settled; bill lateness before settling",
                )
            settings = rows.settings(session)
            day = on or local_day(settings)
            client = session.get(ClientRow, row.client_id)
            account = account_reads.account(session, row.id, day)
            debts, _ = lateness.debts_of(ref, account, client.business if client else True, settings)
            lines: list[dict[str, object]] = []
            for charge, interest, indemnity in unbilled(
                late_charges(debts, day), lateness.billed_of(account)
            ):
                what = f"{'installment' if charge.group.startswith('plan of ') else 'invoice'} {charge.reference}"
                keys = {"reference": charge.reference, "group": charge.group}
                if interest.amount > 0:
                    text = (
                        f"Late interest on {what} due {charge.due_on.isoformat()}: {charge.days_late} days "
                        f"at {charge.rate.normalize():f} % a year"
                    )
                    words = lateness.interest_words(charge.reference, charge.days_late, charge.rate)
                    lines.append({**money_line(text, interest, INTEREST), **keys, "words": words})
                if indemnity is not None:
                    text = f"Fixed recovery indemnity for late payment ({charge.group if charge.group.startswith('plan of ') else what})"
                    words = lateness.indemnity_words(charge.reference)
                    lines.append({**money_line(text, indemnity, INDEMNITY), **keys, "words": words})
            if not lines:
                raise ConflictError(
                    "penalty",
                    f"nothing to bill on mission {ref}: no late interest or indemnity is owed and unbilled "
                    f"on {day.isoformat()}",
                )
            total = Money.total(
                (line["amount"] for line in lines if isinstance(line["amount"], Money)), row.currency
            )
            due_on = due_date(day, settings.payment_terms_days)
            from missionflow.store import invoice_documents  # loaded when an invoice is issued

            late = lateness.late_invoices(account, [str(line["reference"]) for line in lines])
            copy = invoice_documents.penalty_copy(session, row, settings, late, day)
            return invoice_rows.insert_invoice(
                session,
                row.id,
                lateness.PENALTY,
                total,
                day,
                due_on,
                None,
                lines_to_json(lines),
                document=copy,
            )

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
    """The invoices and installments of one mission's account unpaid after their due date on ``on``
    (those a payment plan covers are judged by its installments), each with the late interest
    accrued and the indemnity (once per invoice, once per plan) that no late-payment invoice billed yet."""
    ref = mission_ref(mission_id)
    debts, businesses = lateness.debts_of(ref, account, business, settings)
    charges = [c for c in late_charges(debts, on) if c.balance.amount > 0]
    items = []
    for charge, interest, indemnity in unbilled(charges, lateness.billed_of(account)):
        zero = Money.zero(charge.balance.currency)
        items.append(
            OverdueItem(
                mission=ref,
                client=client,
                kind="installment" if charge.group.startswith("plan of ") else "invoice",
                reference=charge.reference,
                due_on=charge.due_on,
                days_late=charge.days_late,
                balance=charge.balance,
                rate=charge.rate,
                interest=interest,
                indemnity=indemnity if indemnity is not None else zero,
                business=businesses.get(charge.reference, business),
            )
        )
    for balance in account.balances:
        # A late-payment invoice paid late is owed as it is: no interest on interest.
        if balance.kind == lateness.PENALTY and balance.status == "overdue":
            zero = Money.zero(balance.total.currency)
            items.append(
                OverdueItem(
                    ref,
                    client,
                    "invoice",
                    balance.number,
                    balance.due_on,
                    days_late(balance.due_on, on),
                    balance.balance,
                    Decimal(0),
                    zero,
                    zero,
                    business,
                )
            )
    return items
