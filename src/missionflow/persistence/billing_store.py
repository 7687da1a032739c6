"""Money in the store: deposit and final invoices, credit notes, what each invoice received,
installment plans, late payments, and the reminder rows ``tick`` processes (mixed into Store).

Nothing here is stored that can be derived: payments are allocated to invoices oldest first
and statuses follow from the dates, each time they are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from missionflow.billing import (
    Installment,
    InstallmentStatus,
    InvoiceBalance,
    InvoiceTerms,
    OverdueItem,
    PaymentPlan,
    PlanShare,
    check_plan,
    days_late,
    due_date,
    final_invoice_lines,
    installment_statuses,
    invoice_balances,
    late_interest,
    plan_due_dates,
)
from missionflow.engine import workflow_for
from missionflow.errors import (
    ConcurrentUpdateError,
    InvalidValueError,
    InvoiceNotFoundError,
    MissionNotFoundError,
)
from missionflow.mission import InvoiceSummary, Mission, TransitionRecord
from missionflow.money import Money
from missionflow.persistence.chain import GENESIS, entry_hash
from missionflow.persistence.models import (
    AmendmentRow,
    ClientRow,
    ContractRow,
    HistoryRow,
    InstallmentRow,
    InvoiceRow,
    MissionRow,
    PaymentPlanRow,
    PaymentRow,
    ReminderRow,
)
from missionflow.persistence.records import InvoiceRecord, lines_to_json, mission_ref, parse_ref
from missionflow.reminders import (
    APPROVAL_OVER,
    DEPOSIT_MISSING,
    INSTALLMENT_DUE,
    INVOICE_DUE,
    REMIND_TRIGGER,
    TICK_ACTOR,
    ReminderRecord,
    ReminderResult,
    approval_message,
    day_after,
    deposit_message,
    installment_message,
    invoice_message,
)
from missionflow.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from contextlib import AbstractContextManager

    from missionflow.definition import WorkflowDefinition

FINAL_INVOICE_EFFECTS = {"invoice": "invoiced"}
"""Firing one of these triggers into this state issues the final invoice in the same transaction
(``Store.fire(ref, "invoice")`` from ``approved`` in the shipped workflows)."""


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValueError("time", f"{at.isoformat()} has no timezone; give an offset like +01:00")
    return at.astimezone(UTC)


def _local_day(settings: Settings, moment: datetime | None = None) -> date:
    """The date it is (or was at ``moment``) where the freelancer works."""
    return (moment or datetime.now(UTC)).astimezone(ZoneInfo(settings.timezone)).date()


def _money_line(description: str, amount: Money) -> dict[str, object]:
    return {"description": description, "amount": amount}


# --- what every invoice states, and the reminder it comes with --------------------------------


def invoice_terms(session: Session, mission_id: int, settings: Settings, note: str = "") -> InvoiceTerms:
    """The freelancer's identity, the client and the terms, as an invoice issued now must state them."""
    mission = session.get(MissionRow, mission_id)
    if mission is None:  # pragma: no cover - the caller just locked it
        raise MissionNotFoundError(mission_ref(mission_id))
    client = session.get(ClientRow, mission.client_id)
    business = client.business if client is not None else True
    return InvoiceTerms(
        seller_name=settings.name,
        seller_legal_name=settings.legal_name,
        seller_siret=settings.siret,
        seller_address=settings.address,
        vat_mention=settings.vat_mention,
        client_name=client.name if client is not None else "",
        client_company=client.company if client is not None else "",
        client_email=client.email if client is not None else "",
        client_business=business,
        mission_title=mission.title,
        payment_terms_days=settings.payment_terms_days,
        late_penalty_rate=settings.late_penalty_rate,
        recovery_indemnity=Money(settings.recovery_indemnity, mission.currency) if business else None,
        note=note,
    )


def schedule_invoice_reminder(session: Session, invoice: InvoiceRow, settings: Settings) -> None:
    """An invoice (not a credit note) gets a reminder for the day after its due date."""
    if invoice.kind == "credit":
        return
    _schedule(
        session, invoice.mission_id, INVOICE_DUE, invoice.number, day_after(invoice.due_on, settings.timezone)
    )


def starts_reminders(record: TransitionRecord) -> bool:
    """Whether ``schedule_after_fire`` may schedule something for this transition (it reads the
    mission's contract then): a signature or a delivery. The store skips it for the others."""
    return record.trigger == "sign_contract" or record.delivery is not None


def schedule_after_fire(
    session: Session, mission: Mission, record: TransitionRecord, position: int, settings: Settings
) -> None:
    """The reminders a transition starts: the deposit after a signature, the approval period after a
    delivery (when the contract gives one). Runs in the transaction that writes the transition."""
    if not starts_reminders(record):
        return
    mission_id = parse_ref(mission.ref, "M")
    if mission_id is None:  # pragma: no cover - the store's own reference
        return
    contract = mission.contract
    if record.trigger == "sign_contract" and contract is not None and mission.deposit_due.amount > 0:
        due = record.at + timedelta(days=settings.deposit_reminder_days)
        _schedule(session, mission_id, DEPOSIT_MISSING, "contract", due)
    if record.delivery is not None and contract is not None and contract.acceptance_days:
        due = record.at + timedelta(days=contract.acceptance_days)
        _schedule(session, mission_id, APPROVAL_OVER, f"delivery #{position}", due)


def _schedule(session: Session, mission_id: int, kind: str, subject: str, due_at: datetime) -> None:
    # The mission is locked by the caller's write, so checking first cannot race.
    exists = session.scalars(
        select(ReminderRow.id).where(
            ReminderRow.mission_id == mission_id, ReminderRow.kind == kind, ReminderRow.subject == subject
        )
    ).first()
    if exists is not None:
        return
    session.add(
        ReminderRow(
            mission_id=mission_id,
            kind=kind,
            subject=subject,
            due_at=due_at,
            created_at=datetime.now(UTC),
            done_at=None,
            outcome="",
        )
    )


# --- the final invoice, issued by the `invoice` trigger ----------------------------------------


@dataclass
class _FinalInvoiceEffect:
    """Issue the final invoice with the transition: computed before the guards run (they see it),
    inserted in the transaction that writes the transition (it takes its number there)."""

    store: BillingStore
    ref: str
    trigger: str
    moment: datetime
    required: bool = False
    draft: tuple[list[object], Money, date, date] | None = None
    issued: list[InvoiceRecord] = field(default_factory=list)

    def prepare(self, mission: Mission) -> None:
        definition = workflow_for(mission).definition
        wanted = FINAL_INVOICE_EFFECTS.get(self.trigger)
        leads_there = any(
            t.trigger == self.trigger and t.dest_from(mission.state) == wanted
            for t in definition.transitions_from(mission.state)
        )
        if not leads_there:
            if self.required and any(
                t.trigger == self.trigger for t in definition.transitions_from(mission.state)
            ):
                raise InvalidValueError(
                    "trigger", f"{self.trigger!r} does not lead to {wanted!r} in workflow {definition.name}"
                )
            return  # the engine refuses the trigger, or it is an ordinary one in this workflow
        with self.store._reading() as session:
            row = self.store._mission_row(session, self.ref)
            # Every write the invoice depends on bumps the version: the same version means the
            # amounts read here are those of the snapshot the engine decides on.
            if row.version != mission.version:
                raise ConcurrentUpdateError(mission.ref)
            settings = self.store._settings(session)
            issued_on = _local_day(settings, self.moment)
            lines, total = _final_invoice(session, row)
        self.draft = (lines, total, issued_on, due_date(issued_on, settings.payment_terms_days))
        mission.invoices.append(InvoiceSummary("(being issued)", "final", total))

    def write(self, session: Session, mission_id: int) -> None:
        if self.draft is None:
            return
        lines, total, issued_on, due_on = self.draft
        self.issued.append(
            self.store._insert_invoice(session, mission_id, "final", total, issued_on, due_on, None, lines)
        )


def _final_invoice(session: Session, row: MissionRow) -> tuple[list[object], Money]:
    """The final invoice's lines and total: the contract, plus agreed extras, minus each deposit invoice."""
    ref = mission_ref(row.id)
    contract = session.get(ContractRow, row.id)
    if contract is None:
        raise InvalidValueError(
            "invoice", f"mission {ref} has no contract: the final invoice bills its amount"
        )
    invoices = list(
        session.scalars(select(InvoiceRow).where(InvoiceRow.mission_id == row.id).order_by(InvoiceRow.id))
    )
    cancelled = {i.references_id for i in invoices if i.kind == "credit"}
    standing = [i for i in invoices if i.kind != "credit" and i.id not in cancelled]
    finals = [i.number for i in standing if i.kind == "final"]
    if finals:
        raise InvalidValueError(
            "invoice",
            f"mission {ref} already has the final invoice {finals[0]}; cancel it with a credit note first",
        )
    amendments = session.scalars(
        select(AmendmentRow).where(AmendmentRow.mission_id == row.id).order_by(AmendmentRow.id)
    )
    extras = [(_amendment_text(a.kind, a.note), Money(a.amount_cents, a.currency)) for a in amendments]
    deposits = [(i.number, Money(i.total_cents, i.currency)) for i in standing if i.kind == "deposit"]
    amount = Money(contract.amount_cents, contract.currency)
    lines, total = final_invoice_lines(amount, extras, deposits)
    described = [
        _money_line(f"Contract amount ({contract.terms_version})", Money(lines[0].amount, total.currency))
    ]
    described.extend(_money_line(line.description, Money(line.amount, total.currency)) for line in lines[1:])
    return lines_to_json(described), total


def _amendment_text(kind: str, note: str) -> str:
    name = "Extra revision round" if kind == "extra_revision" else kind.replace("_", " ").capitalize()
    return f"{name}: {note}" if note.strip() else name


# --- reading a mission's account ---------------------------------------------------------------


_CHUNK = 500
"""Missions per IN (...) list when accounts are read in bulk: well under any driver's limit."""


@dataclass(frozen=True)
class _Account:
    """What one mission's invoices, payments and plan add up to on a date."""

    invoices: list[InvoiceRecord]
    balances: list[InvoiceBalance]
    plan: PaymentPlan | None
    plan_id: int | None
    paid: Money


def _plan_shares(covers: Sequence[object], currency: str) -> list[PlanShare]:
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


class BillingStore:
    """Invoices, payments, plans, late payments and reminders; a mixin of :class:`Store`."""

    if TYPE_CHECKING:
        # What the mixin uses of Store (mypy checks that Store's definitions match these).
        def _reading(self) -> AbstractContextManager[Session]: ...
        def _writing(self, mission: str | None = None) -> AbstractContextManager[Session]: ...
        @staticmethod
        def _touch(session: Session, ref: str, **values: object) -> MissionRow: ...
        @staticmethod
        def _settings(session: Session) -> Settings: ...
        @staticmethod
        def _mission_row(session: Session, ref: str) -> MissionRow: ...
        def _snapshot(self, session: Session, row: MissionRow) -> Mission: ...
        def _definition(self, session: Session, name: str, version: int) -> WorkflowDefinition: ...
        def _fire(
            self,
            ref: str,
            trigger: str,
            *,
            actor: str,
            note: str,
            at: datetime | None,
            data: Mapping[str, str] | None,
            idempotency_key: str | None,
            prepare: Callable[[Mission], None] | None = None,
            also_write: Callable[[Session, int], None] | None = None,
        ) -> TransitionRecord: ...
        def _insert_invoice(
            self,
            session: Session,
            mission_id: int,
            kind: str,
            total: Money,
            issued_on: date,
            due_on: date,
            references: str | None,
            lines: list[object],
            *,
            note: str = "",
        ) -> InvoiceRecord: ...
        @staticmethod
        def _invoice_record(row: InvoiceRow, mission: str, references: str | None) -> InvoiceRecord: ...

    # --- invoices ------------------------------------------------------------------------------

    def issue_deposit_invoice(self, ref: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Issue the deposit invoice (facture d'acompte) of a signed contract: the deposit percentage
        of the contract amount, numbered in the one series; refused without a contract, with a
        0 % deposit, or when the mission already has one (cancel it with a credit note first).
        """
        with self._writing(ref) as session:
            row = self._touch(session, ref)
            settings = self._settings(session)
            contract = session.get(ContractRow, row.id)
            if contract is None:
                raise InvalidValueError("deposit", f"mission {ref} has no signed contract yet")
            amount = Money(contract.amount_cents, contract.currency).percent(row.deposit_percent)
            if amount.amount <= 0:
                raise InvalidValueError(
                    "deposit",
                    f"mission {ref} asks for no deposit ({row.deposit_percent} % of {contract.amount_cents})",
                )
            invoices = list(session.scalars(select(InvoiceRow).where(InvoiceRow.mission_id == row.id)))
            cancelled = {i.references_id for i in invoices if i.kind == "credit"}
            for existing in invoices:
                if existing.kind in ("deposit", "final") and existing.id not in cancelled:
                    raise InvalidValueError(
                        "deposit",
                        f"mission {ref} already has the {existing.kind} invoice {existing.number}; "
                        "cancel it with a credit note first",
                    )
            day = issued_on or _local_day(settings)
            text = (
                f"Deposit (acompte) of {row.deposit_percent} % of the contract amount "
                f"{Money(contract.amount_cents, contract.currency)} ({contract.terms_version})"
            )
            lines = lines_to_json([_money_line(text, amount)])
            return self._insert_invoice(
                session,
                row.id,
                "deposit",
                amount,
                day,
                due_date(day, settings.payment_terms_days),
                None,
                lines,
            )

    def issue_final_invoice(
        self, ref: str, *, actor: str = "", note: str = "", at: datetime | None = None
    ) -> tuple[TransitionRecord, InvoiceRecord]:
        """Fire ``invoice`` (approved -> invoiced) and issue the final invoice in one transaction:
        the contract amount plus agreed extras, minus every deposit invoice, each listed by number.

        Refused (and nothing is issued) from any other state. ``Store.fire(ref, "invoice")`` does
        the same; this also returns the invoice.
        """
        moment = _aware(at)
        effect = _FinalInvoiceEffect(self, ref, "invoice", moment, required=True)
        record = self._fire(
            ref,
            "invoice",
            actor=actor,
            note=note,
            at=moment,
            data=None,
            idempotency_key=None,
            prepare=effect.prepare,
            also_write=effect.write,
        )
        return record, effect.issued[0]

    def reissue_final_invoice(self, ref: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Issue the final invoice again after its credit note (a mission already ``invoiced`` whose
        final invoice was cancelled), with today's amounts; refused while a final invoice stands."""
        with self._writing(ref) as session:
            row = self._touch(session, ref)
            if row.state not in FINAL_INVOICE_EFFECTS.values():
                raise InvalidValueError(
                    "invoice",
                    f"mission {ref} is {row.state}: the final invoice goes out with the invoice trigger",
                )
            settings = self._settings(session)
            day = issued_on or _local_day(settings)
            lines, total = _final_invoice(session, row)
            due_on = due_date(day, settings.payment_terms_days)
            return self._insert_invoice(session, row.id, "final", total, day, due_on, None, lines)

    def _fire_effect(self, ref: str, trigger: str, moment: datetime) -> _FinalInvoiceEffect | None:
        """What firing ``trigger`` also writes (the final invoice for ``invoice``), or None."""
        if trigger not in FINAL_INVOICE_EFFECTS:
            return None
        return _FinalInvoiceEffect(self, ref, trigger, moment)

    def issue_credit_note(self, number: str, reason: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Cancel an issued invoice with a credit note (avoir) for its whole total, numbered in the same
        series and referring to it. An installment plan that counted on the invoice is void."""
        if not reason.strip():
            raise InvalidValueError("reason", "say why the invoice is cancelled")
        with self._writing() as session:
            target = session.scalars(
                select(InvoiceRow).where(InvoiceRow.number == number.strip())
            ).one_or_none()
            if target is None:
                raise InvoiceNotFoundError(number)
            if target.kind == "credit":
                raise InvalidValueError(
                    "invoice", f"{target.number} is a credit note; it cannot be cancelled"
                )
            earlier = session.scalars(
                select(InvoiceRow.number).where(InvoiceRow.references_id == target.id)
            ).first()
            if earlier is not None:
                raise InvalidValueError(
                    "invoice", f"{target.number} is already cancelled by credit note {earlier}"
                )
            row = self._touch(session, mission_ref(target.mission_id))
            day = issued_on or _local_day(self._settings(session))
            total = Money(target.total_cents, target.currency)
            lines = lines_to_json(
                [
                    _money_line(
                        f"Cancels invoice {target.number} of {target.issued_on.isoformat()}: {reason.strip()}",
                        total,
                    )
                ]
            )
            record = self._insert_invoice(
                session, row.id, "credit", total, day, day, target.number, lines, note=reason.strip()
            )
            plan = self._current_plan(session, row.id)
            if plan is not None and any(
                isinstance(c, dict) and c.get("number") == target.number for c in plan.covers
            ):
                self._replace_plan(session, plan, f"superseded: invoice {target.number} was cancelled")
            return record

    def get_invoice(self, number: str) -> InvoiceRecord:
        """The invoice or credit note with this number; InvoiceNotFoundError when there is none."""
        with self._reading() as session:
            row = session.scalars(select(InvoiceRow).where(InvoiceRow.number == number.strip())).one_or_none()
            if row is None:
                raise InvoiceNotFoundError(number)
            referenced = session.get(InvoiceRow, row.references_id) if row.references_id else None
            return self._invoice_record(
                row, mission_ref(row.mission_id), referenced.number if referenced else None
            )

    def invoice_balances(self, mission: str | None = None, *, on: date | None = None) -> list[InvoiceBalance]:
        """Every invoice (of one mission, or all) with what it has received and its status on ``on``
        (today by default): due, partially_paid, paid, overdue, cancelled, or credit for a credit note."""
        with self._reading() as session:
            day = on or _local_day(self._settings(session))
            if mission is not None:
                ids = [self._mission_row(session, mission).id]
            else:
                ids = list(
                    session.scalars(select(InvoiceRow.mission_id).distinct().order_by(InvoiceRow.mission_id))
                )
            accounts = self._accounts(session, ids, day)
            balances = [b for account in accounts.values() for b in account.balances]
        return sorted(balances, key=lambda b: (b.issued_on, _number_key(b.number)))

    # --- installment plans ---------------------------------------------------------------------

    def set_payment_plan(
        self, ref: str, installments: Sequence[Installment], *, on: date | None = None
    ) -> PaymentPlan:
        """Agree an installment plan (R6) for everything the mission's invoices still ask for.

        It must sum exactly to that amount, and no invoice may be paid off later than 60 days after
        its date. A new plan replaces the previous one; later payments go to the installments in order.
        """
        with self._writing(ref) as session:
            row = self._touch(session, ref)
            settings = self._settings(session)
            day = on or _local_day(settings)
            for item in installments:
                if item.amount.currency != row.currency:
                    raise InvalidValueError(
                        "installments", f"{item.amount} is not in the mission's currency {row.currency}"
                    )
            account = self._account(session, row.id, day, with_plan=False)
            open_invoices = sorted(
                (b for b in account.balances if b.is_open), key=lambda b: (b.issued_on, _number_key(b.number))
            )
            if not open_invoices:
                raise InvalidValueError("plan", f"nothing is due on mission {ref}: there is nothing to plan")
            shares = [PlanShare(b.number, b.balance, b.issued_on) for b in open_invoices]
            ordered = check_plan(installments, shares)
            current = self._current_plan(session, row.id)
            if current is not None:
                self._replace_plan(session, current, "superseded by a new plan")
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
                created_at=datetime.now(UTC),
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
                _schedule(
                    session,
                    row.id,
                    INSTALLMENT_DUE,
                    f"plan {plan.id} #{position}",
                    day_after(item.due_on, settings.timezone),
                )
            session.flush()
            result = self._account(session, row.id, day).plan
            assert result is not None
            return result

    def get_payment_plan(self, ref: str, *, on: date | None = None) -> PaymentPlan | None:
        """The mission's current installment plan with each installment's status on ``on`` (or None)."""
        with self._reading() as session:
            row = self._mission_row(session, ref)
            return self._account(session, row.id, on or _local_day(self._settings(session))).plan

    @staticmethod
    def _current_plan(session: Session, mission_id: int) -> PaymentPlanRow | None:
        return _current_plans(session, [mission_id]).get(mission_id)

    @staticmethod
    def _replace_plan(session: Session, plan: PaymentPlanRow, outcome: str) -> None:
        now = datetime.now(UTC)
        plan.replaced_at = now
        session.execute(
            update(ReminderRow)
            .where(
                ReminderRow.mission_id == plan.mission_id,
                ReminderRow.kind == INSTALLMENT_DUE,
                ReminderRow.subject.startswith(f"plan {plan.id} #"),
                ReminderRow.done_at.is_(None),
            )
            .values(done_at=now, outcome=outcome)
            .execution_options(synchronize_session=False)
        )

    def _account(self, session: Session, mission_id: int, on: date, *, with_plan: bool = True) -> _Account:
        return self._accounts(session, [mission_id], on, with_plan=with_plan)[mission_id]

    def _accounts(
        self, session: Session, mission_ids: Sequence[int], on: date, *, with_plan: bool = True
    ) -> dict[int, _Account]:
        """The accounts of many missions, read with a few queries per chunk of missions (not per
        mission): the overdue report over thousands of missions stays a handful of round trips."""
        accounts: dict[int, _Account] = {}
        for start in range(0, len(mission_ids), _CHUNK):
            chunk = mission_ids[start : start + _CHUNK]
            # .all(): a Result has keys(), so dict() would take it for a mapping
            currencies = dict(
                session.execute(
                    select(MissionRow.id, MissionRow.currency).where(MissionRow.id.in_(chunk))
                ).all()
            )
            missing = [i for i in chunk if i not in currencies]
            if missing:  # pragma: no cover - callers found them
                raise MissionNotFoundError(mission_ref(missing[0]))
            rows: dict[int, list[InvoiceRow]] = {i: [] for i in chunk}
            for row in session.scalars(
                select(InvoiceRow)
                .where(InvoiceRow.mission_id.in_(chunk))
                .order_by(InvoiceRow.year, InvoiceRow.sequence)
            ):
                rows[row.mission_id].append(row)
            paid_cents: dict[int, list[Decimal]] = {i: [] for i in chunk}
            for paid_mission, cents in session.execute(
                select(PaymentRow.mission_id, PaymentRow.amount_cents).where(PaymentRow.mission_id.in_(chunk))
            ):
                paid_cents[paid_mission].append(cents)
            plans: dict[int, PaymentPlanRow] = {}
            installments: dict[int, list[Installment]] = {}
            if with_plan:
                plans = _current_plans(session, chunk)
                plan_ids = [plan.id for plan in plans.values()]
                for item in (
                    session.scalars(
                        select(InstallmentRow)
                        .where(InstallmentRow.plan_id.in_(plan_ids))
                        .order_by(InstallmentRow.plan_id, InstallmentRow.position)
                    )
                    if plan_ids
                    else ()
                ):
                    installments.setdefault(item.plan_id, []).append(
                        Installment(item.due_on, Money(item.amount_cents, item.currency))
                    )
            for mission_id in chunk:
                currency = currencies[mission_id]
                paid = Money(sum(paid_cents[mission_id], Decimal(0)), currency)
                plan_row = plans.get(mission_id)
                accounts[mission_id] = self._account_of(
                    mission_id,
                    currency,
                    rows[mission_id],
                    paid,
                    plan_row,
                    installments.get(plan_row.id, []) if plan_row is not None else [],
                    on,
                )
        return accounts

    def _account_of(
        self,
        mission_id: int,
        currency: str,
        rows: list[InvoiceRow],
        paid: Money,
        plan_row: PaymentPlanRow | None,
        items: list[Installment],
        on: date,
    ) -> _Account:
        ref = mission_ref(mission_id)
        numbers = {r.id: r.number for r in rows}
        invoices = [
            self._invoice_record(r, ref, numbers.get(r.references_id) if r.references_id else None)
            for r in rows
        ]
        plan: PaymentPlan | None = None
        due_dates: dict[str, date] = {}
        if plan_row is not None:
            shares = _plan_shares(plan_row.covers, currency)
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
        return _Account(invoices, balances, plan, plan_row.id if plan_row is not None else None, paid)

    # --- late payment --------------------------------------------------------------------------

    def overdue(self, on: date) -> list[OverdueItem]:
        """Every invoice and installment unpaid after its due date on ``on``, with the days late, the
        late interest (balance x rate x days / 365, at the rate the invoice states) and the fixed
        recovery indemnity for business clients (none for consumers).

        An invoice paid by an installment plan is judged by its installments instead.
        """
        items: list[OverdueItem] = []
        with self._reading() as session:
            settings = self._settings(session)
            # Only a mission with an invoice past its due date, or with a payment plan, can owe late.
            late = select(InvoiceRow.mission_id).where(InvoiceRow.due_on < on)
            planned = select(PaymentPlanRow.mission_id).where(_IS_CURRENT_PLAN)
            candidates = list(
                session.execute(
                    select(MissionRow.id, ClientRow.name, ClientRow.business)
                    .join(ClientRow, ClientRow.id == MissionRow.client_id)
                    .where(MissionRow.id.in_(late.union(planned).scalar_subquery()))
                    .order_by(MissionRow.id)
                )
            )
            accounts = self._accounts(session, [mission_id for mission_id, _, _ in candidates], on)
            for mission_id, client, business in candidates:
                items.extend(_overdue_of(mission_id, client, business, accounts[mission_id], on, settings))
        return sorted(items, key=lambda i: (i.due_on, parse_ref(i.mission, "M") or 0, i.reference))

    # --- reminders -----------------------------------------------------------------------------

    def list_reminders(self, mission: str | None = None) -> list[ReminderRecord]:
        """The reminder rows (of one mission, or all), soonest first, done or pending."""
        with self._reading() as session:
            query = select(ReminderRow).order_by(ReminderRow.due_at, ReminderRow.id)
            if mission is not None:
                query = query.where(ReminderRow.mission_id == self._mission_row(session, mission).id)
            return [
                ReminderRecord(mission_ref(r.mission_id), r.kind, r.subject, r.due_at, r.done_at, r.outcome)
                for r in session.scalars(query)
            ]

    def tick(self, now: datetime) -> list[ReminderResult]:
        """Process every reminder due at ``now``: each one still relevant adds a ``remind`` entry to its
        mission's history; each one is marked done in the same transaction, so running tick again (or
        two ticks at once) never acts twice. Safe to run from cron; no thread, no timer.
        """
        moment = _aware(now)
        with self._reading() as session:
            due = list(
                session.execute(
                    select(ReminderRow.id, ReminderRow.mission_id)
                    .where(ReminderRow.done_at.is_(None), ReminderRow.due_at <= moment)
                    .order_by(ReminderRow.due_at, ReminderRow.id)
                )
            )
        results = []
        for reminder_id, mission_id in due:
            result = self._process_reminder(reminder_id, mission_id, moment)
            if result is not None:
                results.append(result)
        return results

    def _process_reminder(self, reminder_id: int, mission_id: int, now: datetime) -> ReminderResult | None:
        ref = mission_ref(mission_id)
        with self._writing(ref) as session:
            # The mission first, then the reminder: the order every other write takes them in.
            row = session.scalars(
                select(MissionRow).where(MissionRow.id == mission_id).with_for_update()
            ).one()
            reminder = session.scalars(
                select(ReminderRow)
                .where(ReminderRow.id == reminder_id, ReminderRow.done_at.is_(None))
                .with_for_update()
            ).one_or_none()
            if reminder is None:
                return None  # another tick did it
            mission = self._snapshot(session, row)
            settings = self._settings(session)
            remind, message = self._reminder_decision(session, reminder, mission, row, now, settings)
            if remind:
                _append_history(
                    session,
                    row,
                    mission,
                    now,
                    message,
                    {"reminder": reminder.kind, "subject": reminder.subject},
                )
            reminder.done_at = datetime.now(UTC)
            reminder.outcome = message
            return ReminderResult(ref, reminder.kind, reminder.subject, reminder.due_at, remind, message)

    def _reminder_decision(
        self,
        session: Session,
        reminder: ReminderRow,
        mission: Mission,
        row: MissionRow,
        now: datetime,
        settings: Settings,
    ) -> tuple[bool, str]:
        definition = self._definition(session, row.workflow, row.workflow_version)
        final = mission.state in definition.final_states
        if reminder.kind == DEPOSIT_MISSING:
            return deposit_message(mission, settings.deposit_reminder_days, final)
        if reminder.kind == APPROVAL_OVER:
            position = int(reminder.subject.rpartition("#")[2] or 0)
            can_approve = any(t.trigger == "approve" for t in definition.transitions_from(mission.state))
            days = (mission.contract.acceptance_days or 0) if mission.contract is not None else 0
            return approval_message(mission, position, days, can_approve)
        account = self._account(session, row.id, _local_day(settings, now))
        if reminder.kind == INVOICE_DUE:
            balance = next((b for b in account.balances if b.number == reminder.subject), None)
            covered = account.plan is not None and reminder.subject in account.plan.covers
            return invoice_message(balance, covered)
        if reminder.kind == INSTALLMENT_DUE:
            plan_part, _, position_text = reminder.subject.partition(" #")
            plan_id = int(plan_part.removeprefix("plan ") or 0)
            installment: InstallmentStatus | None = None
            if account.plan is not None and account.plan_id == plan_id:
                installment = next(
                    (i for i in account.plan.installments if str(i.position) == position_text), None
                )
            return installment_message(installment, account.plan_id == plan_id)
        return False, f"skipped: unknown reminder kind {reminder.kind!r}"


_IS_CURRENT_PLAN = PaymentPlanRow.replaced_at.is_(None)
"""A plan stays current until a new plan or a credit note replaces it."""


def _current_plans(session: Session, mission_ids: Sequence[int]) -> dict[int, PaymentPlanRow]:
    """The current payment plan of each of these missions that has one (the newest, if several)."""
    plans: dict[int, PaymentPlanRow] = {}
    for plan in session.scalars(
        select(PaymentPlanRow)
        .where(PaymentPlanRow.mission_id.in_(mission_ids), _IS_CURRENT_PLAN)
        .order_by(PaymentPlanRow.id)
    ):
        plans[plan.mission_id] = plan  # ordered by id: the newest is kept
    return plans


def _overdue_of(
    mission_id: int, client: str, business: bool, account: _Account, on: date, settings: Settings
) -> list[OverdueItem]:
    """The overdue invoices of one mission's account (those a payment plan covers are judged by
    its installments), then its overdue installments; the indemnity is claimed once per plan."""
    terms = {i.number: i.terms for i in account.invoices}
    covered = set(account.plan.covers) if account.plan is not None else set()
    items = []
    for balance in account.balances:
        if balance.status != "overdue" or balance.number in covered:
            continue
        stated = terms.get(balance.number)
        items.append(
            _overdue_item(
                mission_id,
                client,
                "invoice",
                balance.number,
                balance.due_on,
                balance.balance,
                on,
                stated,
                settings,
                business,
                with_indemnity=True,
            )
        )
    if account.plan is not None:
        last_terms = next((terms.get(n) for n in reversed(account.plan.covers) if terms.get(n)), None)
        first = True
        for installment in account.plan.installments:
            if installment.status != "overdue":
                continue
            items.append(
                _overdue_item(
                    mission_id,
                    client,
                    "installment",
                    f"{mission_ref(mission_id)} #{installment.position}",
                    installment.due_on,
                    installment.balance,
                    on,
                    last_terms,
                    settings,
                    business,
                    with_indemnity=first,
                )
            )
            first = False
    return items


def _overdue_item(
    mission_id: int,
    client: str,
    kind: str,
    reference: str,
    due_on: date,
    balance: Money,
    on: date,
    terms: InvoiceTerms | None,
    settings: Settings,
    business_now: bool,
    *,
    with_indemnity: bool,
) -> OverdueItem:
    """One late item; the rate and the indemnity are those the invoice stated when issued."""
    late = days_late(due_on, on)
    rate = terms.late_penalty_rate if terms is not None else settings.late_penalty_rate
    business = terms.client_business if terms is not None else business_now
    indemnity = Money.zero(balance.currency)
    if business and with_indemnity:
        stated = terms.recovery_indemnity if terms is not None else None
        indemnity = stated if stated is not None else Money(settings.recovery_indemnity, balance.currency)
    return OverdueItem(
        mission=mission_ref(mission_id),
        client=client,
        kind=kind,
        reference=reference,
        due_on=due_on,
        days_late=late,
        balance=balance,
        rate=rate,
        interest=late_interest(balance, rate, late),
        indemnity=indemnity,
        business=business,
    )


def _append_history(
    session: Session, row: MissionRow, mission: Mission, now: datetime, note: str, data: dict[str, str]
) -> None:
    """Add an internal entry (source == dest == the current state) to the mission's hash chain.

    Why the history rather than a separate log: a reminder is part of the record of how the
    mission went (R14), shows in ``mission history`` and is covered by ``verify``; since it
    leaves the state unchanged, no workflow needs a ``remind`` transition and the chain still
    replays. The mission row is locked by the caller; the version moves like any write guards
    can see, so a fire that read the mission before this entry loses its optimistic check.
    """
    record = TransitionRecord(
        trigger=REMIND_TRIGGER,
        source=row.state,
        dest=row.state,
        actor=TICK_ACTOR,
        at=now.astimezone(UTC),
        note=note,
        data=data,
    )
    position = row.history_length + 1
    prev_hash = row.history_head or GENESIS
    digest = entry_hash(mission.ref, position, record, prev_hash)
    moved = session.execute(
        update(MissionRow)
        .where(MissionRow.id == row.id, MissionRow.version == row.version)
        .values(version=MissionRow.version + 1, history_length=position, history_head=digest)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentUpdateError(mission.ref)
    session.add(
        HistoryRow(
            mission_id=row.id,
            position=position,
            trigger=record.trigger,
            source=record.source,
            dest=record.dest,
            actor=record.actor,
            at=record.at,
            note=record.note,
            data=dict(record.data),
            guards=[],
            out_of_hours=False,
            idempotency_key=None,
            prev_hash=prev_hash,
            hash=digest,
        )
    )


def _number_key(number: str) -> tuple[int, int, str]:
    year, _, sequence = number.partition("-")
    if year.isdigit() and sequence.isdigit():
        return int(year), int(sequence), ""
    return 0, 0, number
