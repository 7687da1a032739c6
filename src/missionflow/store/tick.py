"""``tick``: the timers that fell due, each fired once, however often and however many processes
run it at the same time.

One query finds what is due; the timers are then taken in chunks, one write transaction per
chunk (the application's, inside ``store.transaction()``). Inside it the chunk's subjects are
locked (on PostgreSQL with ``SKIP LOCKED``, so that ticks running at once share the work;
SQLite's writers take turns), each timer is checked to be still pending, and its transition is
fired as any fire would be (the guards reading only what they read, the application's facts,
effects and hooks), with the actor ``timer``: allowed, it moves the subject and the timers of the
new state are scheduled; refused, the timer is skipped with the reasons, never fired. A timer
marked fired or skipped in a committed transaction is never looked at again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import Connection, Row, bindparam, select

from missionflow.errors import InvalidValueError, TransitionBlockedError
from missionflow.store import facts, rows, timers
from missionflow.store.firing import Firing, check_not_ahead
from missionflow.store.models import Base, MissionRow
from missionflow.store.session import Database, utc
from missionflow.workflow import TransitionRecord

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
    """Fires the due timers of every subject; the fires go through ``firing`` (its hooks, effects
    and facts providers)."""

    def __init__(self, db: Database, firing: Firing) -> None:
        self.db = db
        self.firing = firing

    def run(self, at: datetime) -> list[TickResult]:
        """Fire or skip every timer due at ``at``, once each; soonest first in the result."""
        moment = utc(at)
        check_not_ahead("at", moment, self.db.clock())
        results: list[tuple[int, TickResult]] = []
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
        ordered = sorted(results, key=lambda found: (found[1].due_at, found[0], found[1].trigger))
        return [result for _, result in ordered]

    def _chunk(self, due: list[tuple[int, int]], moment: datetime) -> list[tuple[int, TickResult]]:
        results: list[tuple[int, TickResult]] = []
        with self.db.write_connection() as connection:
            subjects = sorted({subject_id for _, subject_id in due})
            # On SQLite the write transaction holds the database; FOR UPDATE is not rendered there.
            locked = set(
                connection.execute(
                    select(_MISSIONS.c.id)
                    .where(_MISSIONS.c.id.in_(subjects))
                    .order_by(_MISSIONS.c.id)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            pending = connection.execute(
                select(_T.c.id, _T.c.mission_id, _T.c.trigger, _T.c.source, _T.c.due_at)
                .where(_T.c.id.in_([timer_id for timer_id, _ in due]), _T.c.status == timers.PENDING)
                .order_by(_T.c.mission_id, _T.c.due_at, _T.c.id)
            ).all()
            for subject_id, group in itertools.groupby(
                (timer for timer in pending if timer.mission_id in locked), key=lambda timer: timer.mission_id
            ):
                for timer in group:
                    result = self._one(connection, timer, moment)
                    if result is not None:
                        results.append((subject_id, result))
        return results

    def _one(
        self, connection: Connection, timer: Row[int, int, str, str, datetime], moment: datetime
    ) -> TickResult | None:
        """Fire or skip one timer of a locked subject (None: a fire of this tick cancelled it)."""
        timer_id, subject_id, trigger, source, due_at = timer
        row = facts.read_mission(connection, subject_id)
        assert row is not None  # the subject is locked, and subjects are never deleted
        ref = row.display_ref

        def result(fired: bool, outcome: str, record: TransitionRecord | None = None) -> TickResult:
            return TickResult(ref, trigger, source, due_at, fired, outcome, record)

        definition = rows.definition(connection, row.workflow, row.workflow_version)
        transition = definition.transition(row.state, trigger)
        if row.state != source or transition is None or not transition.timed:
            why = f"cancelled: the subject is in {row.state} under {definition.key}"
            closed = timers.close(connection, timer_id, timers.CANCELLED, why, moment, None)
            return result(False, why) if closed else None
        # Marked fired first: the timers scheduled with the fire then count this due time as done.
        timers.close(connection, timer_id, timers.FIRED, "fired", moment, row.history_length + 1)
        try:
            record, event, hooks = self.firing.fire_timer(connection, ref, trigger, moment, due_at)
        except (TransitionBlockedError, InvalidValueError) as refused:
            # Refused before anything was written (by its guards, or because this tick's moment is
            # before the subject's last step: history only moves forward): skipped instead.
            reasons = refused.reasons if isinstance(refused, TransitionBlockedError) else (str(refused),)
            why = "skipped: " + "; ".join(reasons)
            timers.skipped(connection, timer_id, why, moment)
            if transition.after is not None and transition.after.since_fact is not None:
                timers.reschedule(connection, definition, subject_id, moment)  # its next moment
            return result(False, why)
        if event is not None:
            self.db.after_commit(partial(hooks.run_after_commit, event))
        return result(True, "fired", record)
