"""Reminder rows: scheduled in the transaction of what starts them (a signature, a delivery, an
invoice, an installment), processed later by ``tick``. Which transition starts which reminder is
declared in the workflow: a transition tagged ``signature`` starts the deposit reminder, a
delivery starts the end of the approval period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.freelance import Mission, Settings
from missionflow.freelance.reminders import APPROVAL_OVER, DEPOSIT_MISSING, INVOICE_DUE, day_after
from missionflow.freelance.vocabulary import SIGNATURE
from missionflow.store.models import InvoiceRow, ReminderRow
from missionflow.store.records import parse_ref
from missionflow.store.session import now
from missionflow.workflow import TransitionRecord, WorkflowDefinition


def add(session: Session, mission_id: int, kind: str, subject: str, due_at: datetime) -> None:
    """Schedule a reminder unless the same one is already there."""
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
            created_at=now(),
            done_at=None,
            outcome="",
        )
    )


def for_invoice(session: Session, invoice: InvoiceRow, settings: Settings) -> None:
    """An invoice (not a credit note) gets a reminder for the day after its due date."""
    if invoice.kind == "credit":
        return
    add(
        session, invoice.mission_id, INVOICE_DUE, invoice.number, day_after(invoice.due_on, settings.timezone)
    )


def _signs(definition: WorkflowDefinition, record: TransitionRecord) -> bool:
    transition = definition.transition(record.source, record.trigger)
    return transition is not None and SIGNATURE in transition.tags


def starts_reminders(definition: WorkflowDefinition, record: TransitionRecord) -> bool:
    """Whether :func:`after_fire` may schedule something for this transition (it reads the
    mission's contract then): a signature or a delivery. The store skips it for the others."""
    return record.delivery is not None or _signs(definition, record)


def after_fire(
    session: Session,
    definition: WorkflowDefinition,
    mission: Mission,
    record: TransitionRecord,
    position: int,
    settings: Settings,
) -> None:
    """The reminders a transition starts: the deposit after a signature, the approval period after a
    delivery (when the contract gives one). Runs in the transaction that writes the transition."""
    if not starts_reminders(definition, record):
        return
    mission_id = parse_ref(mission.ref, "M")
    if mission_id is None:  # pragma: no cover - the store's own reference
        return
    contract = mission.contract
    if _signs(definition, record) and contract is not None and mission.deposit_due.amount > 0:
        due = record.at + timedelta(days=settings.deposit_reminder_days)
        add(session, mission_id, DEPOSIT_MISSING, "contract", due)
    if record.delivery is not None and contract is not None and contract.acceptance_days:
        due = record.at + timedelta(days=contract.acceptance_days)
        add(session, mission_id, APPROVAL_OVER, f"delivery #{position}", due)
