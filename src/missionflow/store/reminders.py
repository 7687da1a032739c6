"""``tick``: the reminders that fell due, each processed once in its own transaction, and what
it decided recorded in the mission's history chain."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.errors import ConcurrentUpdateError
from missionflow.freelance import Mission, ReminderRecord, ReminderResult, Settings
from missionflow.freelance.reminders import (
    APPROVAL_OVER,
    DEPOSIT_MISSING,
    INSTALLMENT_DUE,
    INVOICE_DUE,
    REMIND_TRIGGER,
    TICK_ACTOR,
    approval_message,
    deposit_message,
    installment_message,
    invoice_message,
)
from missionflow.freelance.vocabulary import APPROVAL
from missionflow.store import account_reads, facts, history, rows
from missionflow.store.chain import GENESIS
from missionflow.store.firing import check_not_ahead
from missionflow.store.invoices import local_day
from missionflow.store.models import MissionRow, ReminderRow
from missionflow.store.records import mission_ref
from missionflow.store.session import Database, now, utc
from missionflow.workflow import TransitionRecord


class Reminders:
    """The reminder rows and ``tick``, which processes those that are due."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def list_all(self, mission: str | None = None) -> list[ReminderRecord]:
        """The reminder rows (of one mission, or all), soonest first, done or pending."""
        with self.db.reading() as session:
            query = select(ReminderRow).order_by(ReminderRow.due_at, ReminderRow.id)
            if mission is not None:
                query = query.where(ReminderRow.mission_id == rows.mission_row(session, mission).id)
            return [
                ReminderRecord(mission_ref(r.mission_id), r.kind, r.subject, r.due_at, r.done_at, r.outcome)
                for r in session.scalars(query)
            ]

    def tick(self, at: datetime) -> list[ReminderResult]:
        """Process every reminder due at ``at``: each one still relevant adds a ``remind`` entry to its
        mission's history; each one is marked done in the same transaction, so running tick again (or
        two ticks at once) never acts twice. Safe to run from cron; no thread, no timer. A moment more
        than a day ahead of the clock is refused (InvalidValueError): history only records the past.
        """
        moment = utc(at)
        check_not_ahead("at", moment, self.db.clock())
        with self.db.reading() as session:
            due = list(
                session.execute(
                    select(ReminderRow.id, ReminderRow.mission_id)
                    .where(ReminderRow.done_at.is_(None), ReminderRow.due_at <= moment)
                    .order_by(ReminderRow.due_at, ReminderRow.id)
                )
            )
        results = []
        for reminder_id, mission_id in due:
            result = self._process(reminder_id, mission_id, moment)
            if result is not None:
                results.append(result)
        return results

    def _process(self, reminder_id: int, mission_id: int, moment: datetime) -> ReminderResult | None:
        ref = mission_ref(mission_id)
        with self.db.writing(ref) as session:
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
            mission = rows.snapshot(session, row)
            settings = rows.settings(session)
            remind, message = _decision(session, reminder, mission, row, moment, settings)
            if remind:
                _append_reminder(
                    session, row, moment, message, {"reminder": reminder.kind, "subject": reminder.subject}
                )
            reminder.done_at = now()
            reminder.outcome = message
            return ReminderResult(ref, reminder.kind, reminder.subject, reminder.due_at, remind, message)


def _decision(
    session: Session,
    reminder: ReminderRow,
    mission: Mission,
    row: MissionRow,
    moment: datetime,
    settings: Settings,
) -> tuple[bool, str]:
    definition = rows.definition(session, row.workflow, row.workflow_version)
    final = mission.state in definition.final_states
    if reminder.kind == DEPOSIT_MISSING:
        return deposit_message(mission, settings.deposit_reminder_days, final)
    if reminder.kind == APPROVAL_OVER:
        position = int(reminder.subject.rpartition("#")[2] or 0)
        can_approve = definition.tagged_from(mission.state, APPROVAL) is not None
        days = (mission.contract.acceptance_days or 0) if mission.contract is not None else 0
        return approval_message(mission, position, days, can_approve)
    account = account_reads.account(session, row.id, local_day(settings, moment))
    if reminder.kind == INVOICE_DUE:
        balance = next((b for b in account.balances if b.number == reminder.subject), None)
        covered = account.plan is not None and reminder.subject in account.plan.covers
        return invoice_message(balance, covered)
    if reminder.kind == INSTALLMENT_DUE:
        plan_part, _, position_text = reminder.subject.partition(" #")
        plan_id = int(plan_part.removeprefix("plan ") or 0)
        installment = None
        if account.plan is not None and account.plan_id == plan_id:
            installment = next(
                (i for i in account.plan.installments if str(i.position) == position_text), None
            )
        return installment_message(installment, account.plan_id == plan_id)
    return False, f"skipped: unknown reminder kind {reminder.kind!r}"


def _append_reminder(
    session: Session, row: MissionRow, moment: datetime, note: str, data: dict[str, str]
) -> None:
    """Add an internal entry (source == dest == the current state) to the mission's hash chain.

    Why the history rather than a separate log: a reminder is part of the record of how the
    mission went (R14), shows in ``mission history`` and is covered by ``verify``; since it
    leaves the state unchanged, no workflow needs a ``remind`` transition and the chain still
    replays. The mission row is locked by the caller; the version moves like any write guards
    can see, so a fire that read the mission before this entry loses its optimistic check.
    """
    # History only moves forward: a reminder processed late is recorded with the last step's time.
    found = facts.read_mission(session.connection(), row.id)
    last = found.last_at if found is not None else None
    record = TransitionRecord(
        trigger=REMIND_TRIGGER,
        source=row.state,
        dest=row.state,
        actor=TICK_ACTOR,
        at=max(moment, last).astimezone(UTC) if last is not None else moment.astimezone(UTC),
        note=note,
        data=data,
    )
    appended = history.append_entry(
        session.connection(),
        mission_id=row.id,
        seen_version=row.version,
        position=row.history_length + 1,
        prev_hash=row.history_head or GENESIS,
        record=record,
        updated_at=row.updated_at,
    )
    if not appended:
        raise ConcurrentUpdateError(mission_ref(row.id))
    session.expire(row)
