"""Issuing invoices: deposit invoices, the final invoice (issued by the transition that declares
the ``issue_final_invoice`` effect, in its transaction), credit notes, and reading them back.

An issued invoice is never edited or deleted: a mistake is corrected by a credit note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.errors import (
    ConcurrentUpdateError,
    ConflictError,
    InvalidValueError,
    InvoiceNotFoundError,
    TransitionNotAllowedError,
)
from missionflow.freelance import InvoiceRecord, InvoiceSummary, Mission, Settings, invoicing
from missionflow.freelance.billing import due_date
from missionflow.freelance.vocabulary import ISSUE_FINAL_INVOICE
from missionflow.money import Money
from missionflow.store import invoice_rows, logos, plan_rows, rows
from missionflow.store.firing import Extra, Firing
from missionflow.store.invoice_rows import invoice_record
from missionflow.store.models import InvoiceRow, MissionRow
from missionflow.store.records import mission_ref
from missionflow.store.session import Database, utc
from missionflow.workflow import StateKind, TransitionRecord, WorkflowDefinition

if TYPE_CHECKING:
    # Imported where an invoice is issued: it loads the document model and the identifier checks.
    from missionflow.store import invoice_documents


def local_day(settings: Settings, moment: datetime | None = None) -> date:
    """The date it is (or was at ``moment``) where the freelancer works."""
    return utc(moment).astimezone(ZoneInfo(settings.timezone)).date()


def invoicing_transitions(definition: WorkflowDefinition) -> list[str]:
    """The triggers of the workflow that issue the final invoice."""
    return [t.trigger for t in definition.transitions if ISSUE_FINAL_INVOICE in t.effects]


@dataclass
class FinalInvoice:
    """The ``issue_final_invoice`` effect: the invoice is computed before the guards run (they see
    it), and inserted in the transaction that writes the transition (it takes its number there)."""

    db: Database
    ref: str
    moment: datetime
    draft: tuple[invoice_documents.Billed, date, date] | None = None
    issued: list[InvoiceRecord] = field(default_factory=list)

    def prepare(self, mission: Mission) -> None:
        with self.db.reading() as session:
            row = rows.mission_row(session, self.ref)
            # Every write the invoice depends on bumps the version: the same version means the
            # amounts read here are those of the snapshot the engine decides on.
            if row.version != mission.version:
                raise ConcurrentUpdateError(mission.ref)
            settings = rows.settings(session)
            invoicing.require_identity(settings)
            issued_on = local_day(settings, self.moment)
            from missionflow.store import invoice_documents  # loaded when an invoice is issued

            billed = invoice_documents.final_invoice(session, row, settings, issued_on)
        self.draft = (billed, issued_on, due_date(issued_on, settings.payment_terms_days))
        mission.invoices.append(InvoiceSummary("(being issued)", "final", billed.total))

    def write(self, session: Session, mission_id: int) -> None:
        if self.draft is None:  # pragma: no cover - prepare always runs first
            return
        billed, issued_on, due_on = self.draft
        # The logo read in prepare is stored again here, in the transaction that issues the invoice.
        logos.keep_logo(session, rows.settings(session).logo)
        self.issued.append(_insert(session, mission_id, "final", billed, issued_on, due_on))


class Invoices:
    """The invoices and credit notes of every mission, in one gapless series per year."""

    def __init__(self, db: Database, firing: Firing) -> None:
        self.db = db
        self.firing = firing

    def issue(
        self,
        ref: str,
        kind: str,
        total: Money,
        issued_on: date,
        due_on: date,
        references: str | None = None,
        lines: list[dict[str, object]] | None = None,
    ) -> InvoiceRecord:
        """Issue an invoice (``deposit``, ``final``) or a credit note (``credit``, naming the invoice
        it cancels); its number is the next of its year's series ("2026-0001"), without gaps."""
        stored_lines = invoice_rows.check_invoice(kind, total, issued_on, due_on, references, lines)
        with self.db.writing() as session:
            row = rows.touch(session, ref)
            rows.same_currency("total", total, row.currency)
            settings = rows.settings(session)
            from missionflow.store import invoice_documents  # loaded when an invoice is issued

            copy = invoice_documents.given_invoice(session, row, settings, kind, issued_on)
            return invoice_rows.insert_invoice(
                session, row.id, kind, total, issued_on, due_on, references, stored_lines, document=copy
            )

    def fire_with_invoice(
        self,
        ref: str,
        trigger: str,
        *,
        kind: str,
        total: Money,
        issued_on: date,
        due_on: date,
        lines: list[dict[str, object]] | None = None,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> tuple[TransitionRecord, InvoiceRecord]:
        """Issue an invoice and fire ``trigger`` in one transaction: the guards see the new invoice;
        when the trigger is refused, no invoice is issued and no number is taken."""
        stored_lines = invoice_rows.check_invoice(kind, total, issued_on, due_on, None, lines)
        issued: list[InvoiceRecord] = []

        def prepare(mission: Mission) -> None:
            rows.same_currency("total", total, mission.currency)
            # Guards read kinds and totals; the number is only known once the series is locked.
            mission.invoices.append(InvoiceSummary("(being issued)", kind, total))

        def write(session: Session, mission_id: int) -> None:
            row = session.get(MissionRow, mission_id)
            assert row is not None  # the fire holds it
            from missionflow.store import invoice_documents  # loaded when an invoice is issued

            copy = invoice_documents.given_invoice(session, row, rows.settings(session), kind, issued_on)
            issued.append(
                invoice_rows.insert_invoice(
                    session, mission_id, kind, total, issued_on, due_on, None, stored_lines, document=copy
                )
            )

        # A final invoice given here is the one the transition's declared effect would issue.
        instead = {ISSUE_FINAL_INVOICE: _AlreadyIssued()} if kind == "final" else None
        record = self.firing.fire(
            ref, trigger, actor=actor, note=note, at=at, extras=[Extra(prepare, write)], effects=instead
        )
        return record, issued[0]

    def issue_deposit(self, ref: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Issue the deposit invoice (facture d'acompte) of a signed contract: the deposit percentage
        of the contract amount, numbered in the one series; refused (ConflictError) without a
        contract, with a 0 % deposit, or when the mission already has one (cancel it first)."""
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref)
            settings = rows.settings(session)
            mission = rows.snapshot(session, row)
            if mission.contract is None:
                raise ConflictError("deposit", f"mission {ref} has no signed contract yet")
            if mission.deposit_due.amount <= 0:
                base = mission.agreement.at_signature
                raise ConflictError(
                    "deposit", f"mission {ref} asks for no deposit ({row.deposit_percent} % of {base})"
                )
            for existing in invoice_rows.standing_invoices(session, row.id):
                raise ConflictError(
                    "deposit",
                    f"mission {ref} already has the {existing.kind} invoice {existing.number}; "
                    "cancel it with a credit note first",
                )
            day = issued_on or local_day(settings)
            from missionflow.store import invoice_documents  # loaded when an invoice is issued

            billed = invoice_documents.deposit_invoice(session, row, settings, day)
            due_on = due_date(day, settings.payment_terms_days)
            return _insert(session, row.id, "deposit", billed, day, due_on)

    def issue_final(
        self, ref: str, *, actor: str = "", note: str = "", at: datetime | None = None
    ) -> tuple[TransitionRecord, InvoiceRecord]:
        """Fire the transition that issues the final invoice from the mission's state (``invoice``,
        approved -> invoiced, in the shipped workflows) and return the invoice with the record:
        everything agreed (contract, rush surcharge, amendments, extra rounds) minus every deposit
        invoice, each listed by number.

        Refused (and nothing is issued) from a state no such transition leaves; a mission ended
        after its contract is invoiced with :meth:`issue_after_exit` instead.
        """
        moment = utc(at)
        with self.db.reading() as session:
            row = rows.mission_row(session, ref)
            definition = rows.definition(session, row.workflow, row.workflow_version)
        here = [t.trigger for t in definition.transitions_from(row.state) if ISSUE_FINAL_INVOICE in t.effects]
        anywhere = invoicing_transitions(definition)
        if not anywhere:
            raise ConflictError("invoice", f"workflow {definition.name} issues no final invoice")
        if definition.state(row.state).kind is StateKind.EXIT:
            raise ConflictError(
                "invoice",
                f"mission {ref} is {row.state}: invoice the work done with the amount agreed at "
                f"the end (missionflow invoice final {ref} --work-done AMOUNT)",
            )
        if not here:
            raise TransitionNotAllowedError(
                subject=ref,
                state=row.state,
                trigger=anywhere[0],
                allowed=[t.trigger for t in definition.transitions_from(row.state)],
            )
        effect = FinalInvoice(self.db, ref, moment)
        record = self.firing.fire(
            ref, here[0], actor=actor, note=note, at=moment, effects={ISSUE_FINAL_INVOICE: effect}
        )
        return record, effect.issued[0]

    def issue_after_exit(self, ref: str, work_done: Money, *, at: datetime | None = None) -> InvoiceRecord:
        """The final invoice of a mission ended after its contract (in a state of kind ``exit``:
        terminated): ``work_done``, the amount agreed at the end for the work done, minus every
        deposit invoice; what was agreed beyond it is never billed. No transition is fired.

        Refused (ConflictError) in any other state, or while a final invoice stands.
        """
        moment = utc(at)
        with self.db.reading() as session:
            row = rows.mission_row(session, ref)
            definition = rows.definition(session, row.workflow, row.workflow_version)
        if definition.state(row.state).kind is not StateKind.EXIT:
            raise ConflictError(
                "invoice",
                f"mission {ref} is {row.state}: the amount of the work done is only for a mission "
                "that ended early; its final invoice bills everything agreed",
            )
        return self._issue_after_exit(ref, work_done, moment)

    def _issue_after_exit(self, ref: str, work_done: Money, moment: datetime) -> InvoiceRecord:
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref)
            settings = rows.settings(session)
            day = local_day(settings, moment)
            due_on = due_date(day, settings.payment_terms_days)
            from missionflow.store import invoice_documents  # loaded when an invoice is issued

            billed = invoice_documents.termination_invoice(session, row, settings, day, work_done)
            return _insert(session, row.id, "final", billed, day, due_on)

    def reissue_final(self, ref: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Issue the final invoice again after its credit note (a mission already in the state its
        final invoice leads to), with today's amounts; refused while a final invoice stands."""
        with self.db.writing(ref) as session:
            row = rows.touch(session, ref)
            definition = rows.definition(session, row.workflow, row.workflow_version)
            invoiced_states = {
                t.dest for t in definition.transitions if ISSUE_FINAL_INVOICE in t.effects and t.dest
            }
            if row.state not in invoiced_states:
                raise ConflictError(
                    "invoice",
                    f"mission {ref} is {row.state}: the final invoice goes out with the "
                    f"{' or '.join(invoicing_transitions(definition)) or 'invoicing'} trigger",
                )
            settings = rows.settings(session)
            day = issued_on or local_day(settings)
            from missionflow.store import invoice_documents  # loaded when an invoice is issued

            billed = invoice_documents.final_invoice(session, row, settings, day)
            due_on = due_date(day, settings.payment_terms_days)
            return _insert(session, row.id, "final", billed, day, due_on)

    def issue_credit_note(self, number: str, reason: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Cancel an issued invoice with a credit note (avoir) for its whole total, numbered in the same
        series and referring to it. An installment plan that counted on the invoice is void."""
        if not reason.strip():
            raise InvalidValueError("reason", "say why the invoice is cancelled")
        with self.db.writing() as session:
            target = session.scalars(
                select(InvoiceRow).where(InvoiceRow.number == number.strip())
            ).one_or_none()
            if target is None:
                raise InvoiceNotFoundError(number)
            if target.kind == "credit":
                raise ConflictError("invoice", f"{target.number} is a credit note; it cannot be cancelled")
            earlier = session.scalars(
                select(InvoiceRow.number).where(InvoiceRow.references_id == target.id)
            ).first()
            if earlier is not None:
                raise ConflictError(
                    "invoice", f"{target.number} is already cancelled by credit note {earlier}"
                )
            row = rows.touch(session, mission_ref(target.mission_id))
            state = rows.definition(session, row.workflow, row.workflow_version).state(row.state)
            if state.final and state.kind is not StateKind.EXIT:
                raise ConflictError(
                    "invoice",
                    f"mission {mission_ref(row.id)} is {row.state}: its invoices are settled and can "
                    "no longer be cancelled",
                )
            invoicing.check_cancellation(rows.snapshot(session, row), target.number)
            settings = rows.settings(session)
            day = issued_on or local_day(settings)
            from missionflow.store import invoice_documents  # loaded when an invoice is issued

            billed = invoice_documents.credit_note(session, row, settings, target)
            record = _insert(session, row.id, "credit", billed, day, day, target.number, reason.strip())
            plan = plan_rows.current_plan(session, row.id)
            if plan is not None and any(
                isinstance(c, dict) and c.get("number") == target.number for c in plan.covers
            ):
                plan_rows.replace_plan(session, plan)
            return record

    def get(self, number: str) -> InvoiceRecord:
        """The invoice or credit note with this number; InvoiceNotFoundError when there is none."""
        with self.db.reading() as session:
            row = session.scalars(select(InvoiceRow).where(InvoiceRow.number == number.strip())).one_or_none()
            if row is None:
                raise InvoiceNotFoundError(number)
            referenced = session.get(InvoiceRow, row.references_id) if row.references_id else None
            return invoice_record(row, mission_ref(row.mission_id), referenced.number if referenced else None)

    def list_all(self, mission: str | None = None) -> list[InvoiceRecord]:
        """Issued invoices and credit notes in number order, of one mission or all."""
        with self.db.reading() as session:
            query = select(InvoiceRow).order_by(InvoiceRow.year, InvoiceRow.sequence)
            if mission is not None:
                query = query.where(InvoiceRow.mission_id == rows.mission_row(session, mission).id)
            found = list(session.scalars(query))
            # A credit note refers to an invoice of the same mission, so it is in this list too.
            numbers = {row.id: row.number for row in found}
            return [
                invoice_record(
                    row,
                    mission_ref(row.mission_id),
                    numbers.get(row.references_id) if row.references_id else None,
                )
                for row in found
            ]


def _insert(
    session: Session,
    mission_id: int,
    kind: str,
    billed: invoice_documents.Billed,
    issued_on: date,
    due_on: date,
    references: str | None = None,
    note: str = "",
) -> InvoiceRecord:
    return invoice_rows.insert_invoice(
        session,
        mission_id,
        kind,
        billed.total,
        issued_on,
        due_on,
        references,
        billed.lines,
        note=note,
        document=billed.copy,
    )


class _AlreadyIssued:
    """The declared final-invoice effect, when the caller issues the final invoice itself."""

    def prepare(self, mission: Mission) -> None:
        """Nothing to prepare: the caller's invoice is already in the mission."""

    def write(self, session: Session, mission_id: int) -> None:
        """Nothing to write: the caller's invoice is written as an extra."""
