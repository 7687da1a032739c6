"""What is agreed on a mission, recorded for its guards to read: criteria answers, the
specification, the signed contract, amendments, extra revision rounds and rush surcharges.

Signing and tacit approval fire the transitions the workflow tags ``signature`` and ``approval``
from the mission's state, whatever those triggers are called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from missionflow.errors import (
    ConflictError,
    InvalidValueError,
    MissionNotFoundError,
    TransitionNotAllowedError,
)
from missionflow.freelance import Amendment, Contract, Mission, Specification, invoicing
from missionflow.freelance.specification_file import check_deliverables
from missionflow.freelance.vocabulary import APPROVAL, DELIVERY, SIGNATURE
from missionflow.money import Money
from missionflow.store import facts, ledger, rows
from missionflow.store.firing import Extra, Firing
from missionflow.store.ledger_cover import AMENDMENT, CONTRACT
from missionflow.store.models import (
    AmendmentRow,
    ContractRow,
    CriterionAnswerRow,
    DeliverableRow,
    MissionRow,
    QuoteRow,
    SpecificationRow,
)
from missionflow.store.records import mission_ref
from missionflow.store.session import Database, now, utc
from missionflow.store.subjects import read_subject
from missionflow.workflow import TransitionRecord


class Terms:
    """The agreed terms of missions."""

    def __init__(self, db: Database, firing: Firing) -> None:
        self.db = db
        self.firing = firing

    def answer_criterion(self, ref: str, criterion: str, met: bool, note: str = "") -> None:
        """Record whether a client criterion of the settings is met for this mission (R1)."""
        with self.db.writing(ref) as session:
            known = [c.name for c in rows.settings(session).criteria]
            if criterion not in known:
                raise InvalidValueError(
                    "criterion", f"unknown criterion {criterion!r}; criteria: {', '.join(known) or 'none'}"
                )
            row = rows.touch(session, ref)
            answer = session.scalars(
                select(CriterionAnswerRow).where(
                    CriterionAnswerRow.mission_id == row.id, CriterionAnswerRow.criterion == criterion
                )
            ).one_or_none()
            if answer is None:
                session.add(
                    CriterionAnswerRow(
                        mission_id=row.id, criterion=criterion, met=met, note=note, answered_at=now()
                    )
                )
            else:
                answer.met, answer.note, answer.answered_at = met, note, now()

    def set_specification(self, ref: str, spec: Specification) -> None:
        """Record (or replace) the mission's specification and its deliverables (R3)."""
        check_deliverables(spec.deliverables)
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref)
            if spec.budget is not None:
                rows.same_currency("budget", spec.budget, row.currency)
                rows.not_negative("budget", spec.budget)
            session.execute(delete(DeliverableRow).where(DeliverableRow.mission_id == row.id))
            spec_row = session.get(SpecificationRow, row.id)
            if spec_row is None:
                spec_row = SpecificationRow(mission_id=row.id)
                session.add(spec_row)
            spec_row.objectives = spec.objectives
            spec_row.deadline = spec.deadline
            spec_row.budget_cents = spec.budget.amount if spec.budget is not None else None
            spec_row.budget_currency = spec.budget.currency if spec.budget is not None else None
            spec_row.acceptance = spec.acceptance
            spec_row.updated_at = now()
            session.flush()
            for position, deliverable in enumerate(spec.deliverables, start=1):
                price = deliverable.price
                if price is not None:
                    rows.same_currency("price", price.unit_price, row.currency)
                session.add(
                    DeliverableRow(
                        mission_id=row.id,
                        position=position,
                        name=deliverable.name,
                        kind=deliverable.kind,
                        quantity=price.quantity if price is not None else None,
                        unit=price.unit.value if price is not None else None,
                        unit_price_cents=price.unit_price.amount if price is not None else None,
                        vat_rate=price.vat_rate if price is not None else None,
                    )
                )

    def tagged_trigger(self, ref: str, tag: str, what: str) -> str:
        """The trigger the mission's workflow tags ``tag`` from its current state.

        TransitionNotAllowedError when the workflow has such a step but not from here; a
        ConflictError when the workflow has no such step at all.
        """
        with self.db.reading() as session:
            row = rows.mission_row(session, ref)
            definition = rows.definition(session, row.workflow, row.workflow_version)
        transition = definition.tagged_from(row.state, tag)
        if transition is not None:
            return transition.trigger
        anywhere = sorted(definition.triggers_tagged(tag))
        if not anywhere:
            raise ConflictError(
                tag, f"workflow {definition.name} has no {what} step (no transition tagged {tag!r})"
            )
        raise TransitionNotAllowedError(
            subject=ref,
            state=row.state,
            trigger=anywhere[0],
            allowed=[t.trigger for t in definition.transitions_from(row.state)],
        )

    def sign_contract(
        self,
        ref: str,
        contract: Contract,
        *,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
        check: Callable[[Mission], None] | None = None,
    ) -> TransitionRecord:
        """Record the signed contract and fire the signature in one transaction (R4).

        When the trigger is blocked (for example the specification is incomplete), the contract
        is not recorded either. A contract without lines bills its amount as one line named after
        the mission, under the VAT regime of the settings. ``check`` runs on the mission the
        engine decides on (a quote's acceptance refuses there an expired or superseded quote).
        """
        if contract.amount is None:  # untyped callers: the type already says it cannot be missing
            raise InvalidValueError(
                "amount", "give the quote amount; pro bono is an explicit 0, never a missing one"
            )
        rows.not_negative("amount", contract.amount)
        if contract.acceptance_days is not None and contract.acceptance_days < 1:
            raise InvalidValueError("acceptance_days", f"{contract.acceptance_days} is not a number of days")

        if not contract.lines and contract.vat_rate is None:
            # Signed for an amount: it bills one line of it, under the VAT regime of the settings.
            with self.db.reading() as session:
                contract = replace(contract, vat_rate=rows.settings(session).vat_charged_rate)

        def prepare(mission: Mission) -> None:
            rows.same_currency("amount", contract.amount, mission.currency)
            if check is not None:
                check(mission)
            mission.contract = contract

        def write(session: Session, mission_id: int) -> None:
            quote_id = None
            if contract.quote is not None:
                quote_id = session.scalars(select(QuoteRow.id).where(QuoteRow.number == contract.quote)).one()
            session.execute(delete(ContractRow).where(ContractRow.mission_id == mission_id))
            session.add(
                ContractRow(
                    mission_id=mission_id,
                    amount_cents=contract.amount.amount,
                    currency=contract.amount.currency,
                    terms_version=contract.terms_version,
                    signed_on=contract.signed_on,
                    signed_by=contract.signed_by,
                    acceptance_days=contract.acceptance_days,
                    recorded_at=now(),
                    quote_id=quote_id,
                    lines=[line.to_json() for line in contract.lines] or None,
                    vat_rate=contract.vat_rate,
                )
            )
            ledger.note(session, CONTRACT, {"mission_id": mission_id})

        trigger = self.tagged_trigger(ref, SIGNATURE, "signature")
        moment = at if at is not None else self.signature_moment(ref, contract.signed_on)
        return self.firing.fire(
            ref, trigger, actor=actor, note=note, at=moment, extras=[Extra(prepare, write)]
        )

    def signature_moment(self, ref: str, signed_on: date) -> datetime:
        """When the signature is recorded in the history: its business date. Today is now; an earlier
        day is its noon where the freelancer works, or the mission's last step when that came later
        the same day. A signature dated after today is refused (InvalidValueError)."""
        with self.db.read_connection(ref) as connection:
            found = read_subject(connection, ref)
        if found is None:
            raise MissionNotFoundError(ref)
        zone = ZoneInfo(facts.settings_of(found).timezone)
        current = self.db.clock()
        today = current.astimezone(zone).date()
        if signed_on > today:
            raise InvalidValueError(
                "signed_on", f"{signed_on.isoformat()} is after today: a contract is signed first"
            )
        if signed_on == today:
            return current
        moment = datetime.combine(signed_on, time(12, 0), zone)
        last = found.last_at
        if last is not None and last.astimezone(zone).date() == signed_on and last > moment:
            return last
        return moment

    def approve_tacitly(self, ref: str, *, actor: str = "", at: datetime | None = None) -> TransitionRecord:
        """Fire the approval on the client's silence (R10), noted "tacit approval" in the history.

        Allowed once every deliverable is handed over and the contract's acceptance period has
        passed since the last delivery without a revision request; otherwise TransitionBlockedError
        says from when.
        """
        trigger = self.tagged_trigger(ref, APPROVAL, "approval")
        return self.firing.fire(
            ref, trigger, actor=actor, note="tacit approval", at=at, data={"tacit": "yes"}
        )

    def deliver(
        self, ref: str, deliverable: str, *, actor: str = "", note: str = "", at: datetime | None = None
    ) -> TransitionRecord:
        """Hand over one deliverable of the specification: fire the delivery from the mission's state."""
        trigger = self.tagged_trigger(ref, DELIVERY, "delivery")
        return self.firing.fire(
            ref, trigger, actor=actor, note=note, at=at, data={"deliverable": deliverable}
        )

    def agree_extra_revision(
        self, ref: str, amount: Money, note: str = "", *, at: datetime | None = None
    ) -> None:
        """Agree one more revision round (R8), recorded as an amendment with its price and billed with
        the final invoice. Refused (ConflictError) without a signed contract, once the mission is over,
        or while its final invoice stands."""
        rows.not_negative("amount", amount)
        moment = utc(at if at is not None else self.db.clock())
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref, extra_revisions=MissionRow.extra_revisions + 1)
            rows.same_currency("amount", amount, row.currency)
            self._agreement_open(session, row, "an extra revision round")
            added = AmendmentRow(
                mission_id=row.id,
                kind="extra_revision",
                amount_cents=amount.amount,
                currency=amount.currency,
                note=note,
                agreed_at=moment,
            )
            session.add(added)
            session.flush()
            ledger.note(session, AMENDMENT, {"id": added.id})

    def set_rush_surcharge(self, ref: str, amount: Money) -> None:
        """Agree a rush surcharge (more than 0), which lets a deadline closer than the minimum lead time
        be accepted (R2); it is part of the contract total, billed as its own line. Agreed before the
        signature (ConflictError after it: change the price with an amendment)."""
        if amount.amount <= 0:
            raise InvalidValueError(
                "amount", f"a rush surcharge of {amount} is no surcharge: agree an amount more than 0"
            )
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref, rush_surcharge_cents=amount.amount)
            rows.same_currency("amount", amount, row.currency)
            if session.get(ContractRow, row.id) is not None:
                raise ConflictError(
                    "rush surcharge",
                    f"mission {mission_ref(row.id)} is signed: agree the surcharge as an amendment "
                    f"(missionflow contract amend {mission_ref(row.id)} --amount ... --reason ...)",
                )
            self._agreement_open(session, row, "a rush surcharge", contract_needed=False)

    @staticmethod
    def _agreement_open(
        session: Session, row: MissionRow, what: str, *, contract_needed: bool = True
    ) -> None:
        """Refuse (ConflictError) a change of what is agreed without a contract (when needed), once the
        mission is over, or while its final invoice stands (see invoicing.check_agreement_open)."""
        ref = mission_ref(row.id)
        if contract_needed and session.get(ContractRow, row.id) is None:
            raise ConflictError("contract", f"mission {ref} has no signed contract: {what} changes the quote")
        if rows.definition(session, row.workflow, row.workflow_version).state(row.state).final:
            raise ConflictError(
                "contract", f"mission {ref} is {row.state}: what was agreed can no longer change"
            )
        invoicing.check_agreement_open(rows.snapshot(session, row), what)

    def amend_contract(
        self, ref: str, amount: Money, reason: str, *, at: datetime | None = None
    ) -> Amendment:
        """Record an agreed change to the signed contract (R4); the contract itself stays as signed.

        ``amount`` is what the change adds to the price: a negative amount lowers it, never below 0.
        Refused (ConflictError) before the signature, where the quote itself changes, and once the
        mission is over.
        """
        if not reason.strip():
            raise InvalidValueError("reason", "say what the amendment changes")
        moment = utc(at if at is not None else self.db.clock())
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref)
            rows.same_currency("amount", amount, row.currency)
            contract = session.get(ContractRow, row.id)
            if contract is None:
                raise ConflictError(
                    "contract",
                    f"mission {mission_ref(row.id)} has no signed contract to amend; change the quote",
                )
            self._agreement_open(session, row, "an amendment")
            earlier = session.scalars(
                select(AmendmentRow.amount_cents).where(AmendmentRow.mission_id == row.id)
            ).all()
            total = contract.amount_cents + sum(earlier, Decimal(0)) + amount.amount
            if total < 0:
                raise InvalidValueError(
                    "amount", f"the contract would fall to {Money(total, row.currency)}; it cannot go below 0"
                )
            added = AmendmentRow(
                mission_id=row.id,
                kind="amendment",
                amount_cents=amount.amount,
                currency=amount.currency,
                note=reason.strip(),
                agreed_at=moment,
            )
            session.add(added)
            session.flush()
            ledger.note(session, AMENDMENT, {"id": added.id})
        return Amendment("amendment", amount, reason.strip(), moment)

    def list_amendments(self, ref: str) -> list[Amendment]:
        """The amendments of the mission's contract (extra revision rounds included), in the order agreed."""
        with self.db.reading() as session:
            row = rows.mission_row(session, ref)
            found = session.scalars(
                select(AmendmentRow).where(AmendmentRow.mission_id == row.id).order_by(AmendmentRow.id)
            )
            return [Amendment(a.kind, Money(a.amount_cents, a.currency), a.note, a.agreed_at) for a in found]
