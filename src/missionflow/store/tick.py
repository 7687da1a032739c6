"""``tick``: the timers that fell due, each fired once, however often and however many processes
run it at the same time.

One query finds what is due; the timers are then taken in chunks, one write transaction per
chunk. Inside it the chunk's missions are locked (on PostgreSQL with ``SKIP LOCKED``, so that
ticks running at once share the work; SQLite's writers take turns), each timer is checked to be
still pending, and its transition is decided by the engine as a fire would be, reading only the
facts its guards read: allowed, it is fired (history entry with the actor ``timer``, new state,
timers of the new state scheduled); refused, it is skipped with the reasons, never fired. A timer
marked fired or skipped in a committed transaction is never looked at again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, bindparam, select

from missionflow.errors import TransitionBlockedError
from missionflow.store import facts, rows, timers
from missionflow.store.firing import Firing, load_for_fire
from missionflow.store.models import Base, MissionRow
from missionflow.store.records import mission_ref
from missionflow.store.session import Database, utc
from missionflow.workflow import TIMER_ACTOR, HookEvent, Hooks, TransitionRecord, compile_workflow
from missionflow.workflow.hooks import chain

CHUNK = 200
"""Timers per write transaction: few commits for many timers, short enough locks."""

_MISSIONS = Base.metadata.tables[str(MissionRow.__tablename__)]
_T = timers.TIMERS
_DUE = (
    select(_T.c.id, _T.c.mission_id)
    .where(_T.c.status == timers.PENDING, _T.c.due_at <= bindparam("now"))
    .order_by(_T.c.due_at, _T.c.id)
)


@dataclass(frozen=True)
class TickResult:
    """What ``tick`` did with one due timer: fired (``record`` is its history entry) or not, and why."""

    mission: str
    trigger: str
    source: str
    due_at: datetime
    fired: bool
    outcome: str
    record: TransitionRecord | None = None


class Tick:
    """Fires the due timers of every mission; the fires go through ``firing`` (its hooks, its effects)."""

    def __init__(self, db: Database, firing: Firing) -> None:
        self.db = db
        self.firing = firing

    def run(self, at: datetime) -> list[TickResult]:
        """Fire or skip every timer due at ``at``, once each; soonest first in the result."""
        moment = utc(at)
        results: list[TickResult] = []
        attempted: set[int] = set()
        while True:
            # Again after each pass: a fire may schedule a timer that is due already (the next
            # installment of a plan agreed late); timers another process holds are not waited for.
            with self.db.read_connection() as connection:
                due = [(i, m) for i, m in connection.execute(_DUE, {"now": moment}) if i not in attempted]
            if not due:
                break
            attempted.update(timer_id for timer_id, _ in due)
            for start in range(0, len(due), CHUNK):
                results.extend(self._chunk(due[start : start + CHUNK], moment))
        return sorted(results, key=lambda r: (r.due_at, int(r.mission.removeprefix("M-")), r.trigger))

    def _chunk(self, due: list[tuple[int, int]], moment: datetime) -> list[TickResult]:
        results: list[TickResult] = []
        committed: list[tuple[Hooks, HookEvent]] = []
        with self.db.write_connection() as connection:
            missions = sorted({mission_id for _, mission_id in due})
            # On SQLite the write transaction holds the database; FOR UPDATE is not rendered there.
            locked = set(
                connection.execute(
                    select(_MISSIONS.c.id)
                    .where(_MISSIONS.c.id.in_(missions))
                    .order_by(_MISSIONS.c.id)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            pending = connection.execute(
                select(_T.c.id, _T.c.mission_id, _T.c.trigger, _T.c.source, _T.c.due_at)
                .where(_T.c.id.in_([timer_id for timer_id, _ in due]), _T.c.status == timers.PENDING)
                .order_by(_T.c.mission_id, _T.c.due_at, _T.c.id)
            ).all()
            for _, group in itertools.groupby(
                (timer for timer in pending if timer.mission_id in locked), key=lambda timer: timer.mission_id
            ):
                for timer in group:
                    result = self._one(connection, timer, moment, committed)
                    if result is not None:
                        results.append(result)
        for hooks, event in committed:
            hooks.run_after_commit(event)
        return results

    def _one(
        self,
        connection: Connection,
        timer: Row[int, int, str, str, datetime],
        moment: datetime,
        committed: list[tuple[Hooks, HookEvent]],
    ) -> TickResult | None:
        """Fire or skip one timer of a locked mission (None: another fire of this tick cancelled it)."""
        timer_id, mission_id, trigger, source, due_at = timer
        ref = mission_ref(mission_id)

        def result(fired: bool, outcome: str, record: TransitionRecord | None = None) -> TickResult:
            return TickResult(ref, trigger, source, due_at, fired, outcome, record)

        row = facts.read_mission(connection, mission_id)
        assert row is not None  # the mission is locked, and missions are never deleted
        definition = rows.definition(connection, row.workflow, row.workflow_version)
        transition = definition.transition(row.state, trigger)
        if row.state != source or transition is None or not transition.timed:
            why = f"cancelled: the mission is in {row.state} under {definition.key}"
            closed = timers.close(connection, timer_id, timers.CANCELLED, why, moment, None)
            return result(False, why) if closed else None
        workflow = compile_workflow(definition)
        hooks = chain(workflow.hooks, self.firing.hooks)
        effects = self.firing.effects_for(ref, moment, transition.effects, None)
        # Hooks and effects may look at anything; otherwise only what the guards read is loaded.
        needs = None if len(hooks) or effects else workflow.facts_read(row.state, trigger)
        loaded = load_for_fire(connection, row, workflow, hooks, needs)
        for effect in effects:
            effect.prepare(loaded.mission)
        data = {"due": due_at.isoformat()}
        try:
            record = self.firing.decide(loaded, trigger, TIMER_ACTOR, "", moment, data, timer=True)
        except TransitionBlockedError as blocked:
            why = "skipped: " + "; ".join(blocked.reasons)
            timers.close(connection, timer_id, timers.SKIPPED, why, moment, None)
            if transition.after is not None and transition.after.since_fact is not None:
                timers.reschedule(connection, definition, mission_id, moment)  # its next moment
            return result(False, why)
        # Marked fired first: the timers scheduled with the fire then count this due time as done.
        timers.close(connection, timer_id, timers.FIRED, "fired", moment, loaded.position)
        self.firing.write(connection, loaded, record, None, effects)
        if len(hooks):
            committed.append((hooks, HookEvent.after(loaded.mission, record)))
        return result(True, "fired", record)
