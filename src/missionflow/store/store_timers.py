"""The part of the store's API about time and versions: the timer rows, ``tick`` that fires those
due, and moving subjects to another version of their workflow. Mixed into the generic core
(:class:`~missionflow.store.core.SubjectStore`), so subjects of any workflow have them; each method
is one call into its module."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from missionflow.errors import MissionNotFoundError
from missionflow.store import timers
from missionflow.store.firing import Firing
from missionflow.store.migrating import MigrationPlan, migrate_missions
from missionflow.store.session import Database
from missionflow.store.subjects import subject_id
from missionflow.store.tick import Tick, TickResult
from missionflow.store.timers import TimerRecord


class TimersAndVersions:
    """Timers, ``tick`` and moves between workflow versions, on the store's database."""

    _db: Database
    _tick: Tick
    _firing: Firing

    # --- timers (see missionflow.store.timers and missionflow.store.tick) --------------------

    def list_timers(self, mission: str | None = None) -> list[TimerRecord]:
        """The timer rows (of one subject, or all), soonest first: pending, fired, skipped or cancelled."""
        with self._db.reading() as session:
            found = subject_id(session.connection(), mission) if mission is not None else None
            if mission is not None and found is None:
                raise MissionNotFoundError(mission)
            return timers.list_timers(session, found)

    def tick(self, now: datetime) -> list[TickResult]:
        """Fire every timer due at ``now``, once each (safe to run from cron, and from several
        processes at once): a history entry with the actor ``timer``, or a skip with the reasons
        its guards give."""
        return self._tick.run(now)

    def migrate_missions(
        self,
        workflow: str,
        to_version: int,
        *,
        mapping: Mapping[str, str] | None = None,
        dry_run: bool = False,
        actor: str = "",
        at: datetime | None = None,
    ) -> MigrationPlan:
        """Move every mission of ``workflow`` to ``to_version`` in one transaction (``mapping``:
        old state to new); refused (ConflictError) while one would be stranded. ``dry_run`` only
        says what would happen."""
        return migrate_missions(
            self._db,
            workflow,
            to_version,
            provided=self._firing.provided_facts,
            mapping=mapping,
            dry_run=dry_run,
            actor=actor,
            at=at,
        )
