"""The timer rows of missions: one pending row per timer of a mission's current state, kept in
step with it in the transaction of every change that can move a timer.

When the timers fall due is the engine's to say (:func:`missionflow.workflow.due_timers`, a
function of the mission's state, history and facts); this module makes the rows agree with it:
a fire that enters a state schedules its timers and cancels those of the state it left, a fire
of a trigger a timer counts from (a delivery) moves it, and a write of a fact a timer reads (an
invoice, a payment, a plan) moves the timers of the mission's state when its transaction ends.
A due time that already fired or was skipped is never scheduled again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from missionflow.freelance import Settings
from missionflow.freelance.vocabulary import FACTS, SETTINGS
from missionflow.store import facts, rows
from missionflow.store.models import Base, MissionRow, TimerRow
from missionflow.store.records import mission_ref
from missionflow.store.rows import TOUCHED
from missionflow.store.session import now
from missionflow.workflow import (
    TIMER_ACTOR,
    GuardContext,
    Subject,
    TimerDef,
    TransitionRecord,
    WorkflowDefinition,
    due_timers,
    get_timer_fact,
)

PENDING = "pending"
FIRED = "fired"
SKIPPED = "skipped"
CANCELLED = "cancelled"

TIMERS = Base.metadata.tables[str(TimerRow.__tablename__)]


@dataclass(frozen=True)
class TimerRecord:
    """A timer row: which timed transition of which state, when it falls due, and what became of it."""

    mission: str
    trigger: str
    source: str
    due_at: datetime
    status: str
    outcome: str = ""
    done_at: datetime | None = None

    @property
    def pending(self) -> bool:
        """True until ``tick`` fires or skips it, or the mission leaves the state."""
        return self.status == PENDING


def needs(definition: WorkflowDefinition, state: str) -> frozenset[str] | None:
    """The facts of a mission the timers of ``state`` read: always its history (when it entered
    the state, what it fired since), and what their timer facts read (None: every fact)."""
    found: set[str] = {"history"}
    for transition in definition.timed_from(state):
        timer = transition.after
        assert timer is not None
        for name in (timer.fact, timer.since_fact):
            spec = get_timer_fact(name) if name is not None else None
            if spec is not None:
                if spec.reads is None:
                    return None
                found |= spec.reads
    return frozenset(found & FACTS)


def may_move(definition: WorkflowDefinition, record: TransitionRecord, *, wrote_facts: bool) -> bool:
    """Whether a fire can change the timers of the mission: it changed state, or left and entered
    it again, or fired a trigger a timer counts from or is cancelled by, or was a timer counting
    from a moment fact (its next moment is due next), or wrote facts with it (``wrote_facts``)."""
    left = definition.timed_from(record.source)
    if record.source != record.dest:
        return bool(left or definition.timed_from(record.dest))
    if not left:
        return False
    transition = definition.transition(record.source, record.trigger)
    if wrote_facts or (transition is not None and transition.dest is not None):
        return True
    return any(
        record.trigger in timed.after.triggers_read
        or (timed.trigger == record.trigger and timed.after.since_fact is not None)
        for timed in left
        if timed.after is not None
    )


def timer_context(
    definition: WorkflowDefinition,
    settings: Settings | None,
    moment: datetime,
    provided: Mapping[str, object] | None = None,
) -> GuardContext:
    """What timer facts read: the application's facts and, for a mission, the freelancer's
    settings and working calendar (a subject of another domain counts weekdays in UTC)."""
    known = dict(provided or {})
    if settings is not None:
        known[SETTINGS] = settings
    return GuardContext(moment, TIMER_ACTOR, "", {}, known, settings, definition)


_ROWS_OF = select(TIMERS.c.id, TIMERS.c.trigger, TIMERS.c.source, TIMERS.c.due_at, TIMERS.c.status).where(
    TIMERS.c.mission_id == bindparam("mission_id")
)
_CLOSE = (
    update(TIMERS)
    .where(TIMERS.c.id == bindparam("timer_id"), TIMERS.c.status == PENDING)
    .values(
        status=bindparam("new_status"),
        outcome=bindparam("new_outcome"),
        done_at=bindparam("moment"),
        position=bindparam("new_position"),
    )
)
_CLOSE_ALL = (
    update(TIMERS)
    .where(TIMERS.c.mission_id == bindparam("owner"), TIMERS.c.status == PENDING)
    .values(status=CANCELLED, outcome=bindparam("new_outcome"), done_at=bindparam("moment"))
)
_SKIPPED = (
    update(TIMERS)
    .where(TIMERS.c.id == bindparam("timer_id"))
    .values(status=SKIPPED, outcome=bindparam("new_outcome"), done_at=bindparam("moment"), position=None)
)
_REOPEN = (
    update(TIMERS)
    .where(TIMERS.c.id == bindparam("timer_id"))
    .values(status=PENDING, done_at=None, outcome="")
)
_ADD = insert(TIMERS)
"""Statements built once with bound parameters: SQLAlchemy compiles each once per process."""


def reschedule(
    connection: Connection,
    definition: WorkflowDefinition,
    mission_id: int,
    moment: datetime,
    *,
    state: str | None = None,
    created_at: datetime | None = None,
    provided: Mapping[str, object] | None = None,
) -> None:
    """Make the subject's pending rows the timers of its current state (``state`` when the caller
    knows it), read in this transaction: rows of another state or another due time are
    cancelled, missing ones added. ``provided`` are the application's facts for the subject."""
    if state is not None and not definition.timed_from(state):
        # A state without timers: whatever is pending is the state the mission left.
        connection.execute(
            _CLOSE_ALL,
            {
                "owner": mission_id,
                "new_outcome": f"cancelled: the mission moved to {state}",
                "moment": moment,
            },
        )
        return
    row = facts.read_mission(connection, mission_id)
    if row is None:  # pragma: no cover - the caller holds the mission
        return
    wanted: dict[tuple[str, str], list[datetime]] = {}
    if definition.timed_from(row.state):
        subject: Subject
        if row.is_mission:
            subject = facts.build_mission(connection, row, needs(definition, row.state) or FACTS)
        else:
            from missionflow.store.subjects import build_subject  # subjects are created with timers

            subject = build_subject(connection, row, None)
        if created_at is None:
            created_at = _created_at(connection, mission_id)
        settings = facts.settings_of(row) if row.is_mission else None
        ctx = timer_context(definition, settings, moment, provided)
        for due in due_timers(definition, subject, ctx, created_at=created_at):
            wanted[(due.trigger, due.source)] = list(due.moments)
    existing = connection.execute(_ROWS_OF, {"mission_id": mission_id}).all()
    if not wanted and not any(found.status == PENDING for found in existing):
        return
    chosen: dict[tuple[str, str], datetime] = {}
    for key, moments in wanted.items():
        done = {r.due_at for r in existing if (r.trigger, r.source) == key and r.status in (FIRED, SKIPPED)}
        later = [m for m in moments if m not in done]
        if later:
            chosen[key] = later[0]
    for found in existing:
        if found.status == PENDING and chosen.get((found.trigger, found.source)) != found.due_at:
            if found.source != row.state:
                why = f"cancelled: the mission moved to {row.state}"
            elif (found.trigger, found.source) in chosen:
                why = f"cancelled: now due {chosen[(found.trigger, found.source)].isoformat()}"
            else:
                why = "cancelled: no longer due"
            close(connection, found.id, CANCELLED, why, moment, None)
    for (trigger, source), due_at in chosen.items():
        same = [r for r in existing if (r.trigger, r.source, r.due_at) == (trigger, source, due_at)]
        if any(r.status == PENDING for r in same):
            continue
        if same:  # cancelled earlier, wanted again
            connection.execute(_REOPEN, {"timer_id": same[0].id})
            continue
        connection.execute(
            _ADD,
            {
                "mission_id": mission_id,
                "trigger": trigger,
                "source": source,
                "due_at": due_at,
                "status": PENDING,
                "created_at": now(),
                "done_at": None,
                "outcome": "",
                "position": None,
            },
        )


def _created_at(connection: Connection, mission_id: int) -> datetime | None:
    found: datetime | None = connection.execute(
        select(MissionRow.created_at).where(MissionRow.id == mission_id)
    ).scalar_one_or_none()
    return found


def close(
    connection: Connection, timer_id: int, status: str, outcome: str, moment: datetime, position: int | None
) -> bool:
    """Mark one pending timer fired, skipped or cancelled; False when it was not pending any more."""
    changed = connection.execute(
        _CLOSE,
        {
            "timer_id": timer_id,
            "new_status": status,
            "new_outcome": outcome,
            "moment": moment,
            "new_position": position,
        },
    )
    return bool(changed.rowcount == 1)


def skipped(connection: Connection, timer_id: int, outcome: str, moment: datetime) -> None:
    """Mark a timer skipped (its guards refused), whatever was marked before in this transaction."""
    connection.execute(_SKIPPED, {"timer_id": timer_id, "new_outcome": outcome, "moment": moment})


def refresh_touched(session: Session) -> None:
    """Before a write transaction commits: move the timers of the missions it changed (``rows.touch``
    noted them), for the timers that read facts (what is owed, the contract)."""
    touched: set[int] = session.info.pop(TOUCHED, set())
    if not touched:
        return
    session.flush()
    connection = session.connection()
    moment = now()
    for mission_id in sorted(touched):
        row = facts.read_mission(connection, mission_id)
        if row is None:
            continue
        definition = rows.definition(connection, row.workflow, row.workflow_version)
        if any(_reads_facts(t.after) for t in definition.timed_from(row.state) if t.after is not None):
            reschedule(connection, definition, mission_id, moment)


def _reads_facts(timer: TimerDef) -> bool:
    """True for a timer whose delay or start is a fact of the mission."""
    return timer.fact is not None or timer.since_fact is not None


def list_timers(session: Session, mission_id: int | None = None) -> list[TimerRecord]:
    """The timer rows (of one subject, or all), soonest first, whatever their status."""
    query = (
        select(TimerRow, MissionRow.ref)
        .join(MissionRow, MissionRow.id == TimerRow.mission_id)
        .order_by(TimerRow.due_at, TimerRow.id)
    )
    if mission_id is not None:
        query = query.where(TimerRow.mission_id == mission_id)
    return [
        TimerRecord(
            ref if ref is not None else mission_ref(t.mission_id),
            t.trigger,
            t.source,
            t.due_at,
            t.status,
            t.outcome,
            t.done_at,
        )
        for t, ref in session.execute(query)
    ]
