"""Moving the missions of a workflow to another of its versions, in flight, in one transaction.

The plan lists, per state of the versions being left, how many missions move and where, and
which would be stranded (see :mod:`missionflow.workflow.migration`); nothing moves while one is.
The real run moves every mission: a ``migrate`` entry in its history chain (the one place entries
are appended, :func:`missionflow.store.history.append_entry`), the new version on its row, and
the timers of the new version scheduled in place of the old ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.orm import Session

from missionflow.errors import ConflictError
from missionflow.freelance.vocabulary import FACTS, SETTINGS
from missionflow.store import facts, history, ledger, ledger_cover, rows, timers
from missionflow.store.missions import keep_workflow
from missionflow.store.models import Base, MissionRow
from missionflow.store.session import Database, now, utc
from missionflow.store.subjects import build_subject
from missionflow.workflow import GuardContext, Subject, TransitionRecord, WorkflowDefinition, load_workflow
from missionflow.workflow.migration import MIGRATE_TRIGGER, check_mapping, entry_refusals, landing_state

_MISSIONS = Base.metadata.tables[str(MissionRow.__tablename__)]


@dataclass(frozen=True)
class Stranded:
    """A mission that cannot move, and why."""

    mission: str
    state: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.mission} ({self.state}: {'; '.join(self.reasons)})"


@dataclass(frozen=True)
class StateMove:
    """The missions of one state of one version being left: where they land (None: nowhere)."""

    version: int
    state: str
    dest: str | None
    missions: tuple[str, ...]
    stranded: tuple[Stranded, ...] = ()

    @property
    def moving(self) -> int:
        """How many of them move."""
        return len(self.missions) - len(self.stranded)


@dataclass(frozen=True)
class MigrationPlan:
    """What moving a workflow's missions to ``to_version`` does (``done`` once they moved)."""

    workflow: str
    to_version: int
    moves: tuple[StateMove, ...]
    already: int = 0
    """Missions already under ``to_version``, left as they are."""
    mapping: Mapping[str, str] = field(default_factory=dict)
    done: bool = False

    @property
    def stranded(self) -> tuple[Stranded, ...]:
        """Every mission that cannot move."""
        return tuple(s for move in self.moves for s in move.stranded)

    @property
    def moving(self) -> int:
        """How many missions move."""
        return sum(move.moving for move in self.moves)


Provided = Callable[[Subject, Connection], Mapping[str, object]]
"""The application's facts for a subject, read on the migration's connection (its providers)."""


def _none(subject: Subject, connection: Connection) -> Mapping[str, object]:
    return {}


def migrate_missions(
    db: Database,
    name: str,
    to_version: int,
    *,
    provided: Provided = _none,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    actor: str = "",
    at: datetime | None = None,
) -> MigrationPlan:
    """Plan, and unless ``dry_run`` do, the move of every mission of ``name`` to ``to_version``.

    ConflictError naming each stranded mission when some would be (nothing is written then);
    InvalidValueError for a mapping from or to an unknown state; WorkflowNotFoundError for an
    unknown version.
    """
    target = load_workflow(name, to_version)
    mapping = dict(mapping or {})
    moment = utc(at)
    opened = db.read_connection(name) if dry_run else db.write_connection(name)
    with opened as connection:
        query = (
            select(_MISSIONS.c.id, _MISSIONS.c.workflow_version, _MISSIONS.c.state)
            .where(_MISSIONS.c.workflow == name)
            .order_by(_MISSIONS.c.id)
        )
        # The real run holds every mission of the workflow until it commits (SQLite: the database).
        missions = connection.execute(query if dry_run else query.with_for_update()).all()
        leaving = sorted({version for _, version, _ in missions if version != to_version})
        sources = {version: rows.definition(connection, name, version) for version in leaving}
        check_mapping(mapping, target, list(sources.values()))
        plan, ids = _plan(connection, target, sources, missions, mapping, provided)
        if plan.stranded and not dry_run:
            count = len(plan.stranded)
            raise ConflictError(
                "migration",
                f"{count} mission{'s' if count != 1 else ''} would be stranded by moving {name} to "
                f"version {to_version}; nothing moved: " + ", ".join(str(s) for s in plan.stranded),
            )
        if dry_run or not plan.moving:
            return plan
        with Session(bind=connection) as session:
            keep_workflow(session, target, moment)
            session.flush()
        for move in plan.moves:
            assert move.dest is not None
            for ref in move.missions:
                _move(connection, ids[ref], target, move, actor, moment, provided)
    return MigrationPlan(plan.workflow, plan.to_version, plan.moves, plan.already, plan.mapping, done=True)


def _plan(
    connection: Connection,
    target: WorkflowDefinition,
    sources: Mapping[int, WorkflowDefinition],
    missions: Sequence[Row[int, int, str]],
    mapping: Mapping[str, str],
    provided: Provided,
) -> tuple[MigrationPlan, dict[str, int]]:
    """The plan, and the id of each subject it names."""
    groups: dict[tuple[int, str], list[int]] = {}
    already = 0
    for mission_id, version, state in missions:
        if version == target.version:
            already += 1
        else:
            groups.setdefault((version, state), []).append(mission_id)
    ordered = [(version, state) for version, definition in sources.items() for state in definition.state_ids]
    ordered += [key for key in groups if key not in ordered]  # a state its version no longer declares
    moves = []
    found: dict[str, int] = {}
    for version, state in ordered:
        listed = groups.get((version, state), [])
        if listed:
            move, refs = _state_move(connection, target, version, state, listed, mapping, provided)
            moves.append(move)
            found.update(refs)
    return MigrationPlan(target.name, target.version, tuple(moves), already, dict(mapping)), found


def _state_move(
    connection: Connection,
    target: WorkflowDefinition,
    version: int,
    state: str,
    ids: list[int],
    mapping: Mapping[str, str],
    provided: Provided,
) -> tuple[StateMove, dict[str, int]]:
    read = [facts.read_mission(connection, subject_id) for subject_id in ids]
    found = {row.display_ref: row.id for row in read if row is not None}
    refs = tuple(found)
    dest, missing = landing_state(state, target, mapping)
    if dest is None:
        assert missing is not None
        stranded = tuple(Stranded(ref, state, (missing,)) for ref in refs)
        return StateMove(version, state, None, refs, stranded), found
    refused = []
    for row in read:
        assert row is not None
        subject = _subject(connection, row)
        settings = facts.settings_of(row) if row.is_mission else None
        known: dict[str, object] = dict(provided(subject, connection))
        if settings is not None:
            known[SETTINGS] = settings
        ctx = GuardContext(now(), "", "", {}, known, settings, target)
        reasons = entry_refusals(target, subject, dest, ctx)
        if reasons:
            refused.append(Stranded(row.display_ref, state, reasons))
    return StateMove(version, state, dest, refs, tuple(refused)), found


def _subject(connection: Connection, row: facts.MissionRead) -> Subject:
    """The whole subject of ``row``: a mission with every fact, or a subject of another domain."""
    if row.is_mission:
        return facts.build_mission(connection, row, FACTS)
    return build_subject(connection, row, None)


def _move(
    connection: Connection,
    mission_id: int,
    target: WorkflowDefinition,
    move: StateMove,
    actor: str,
    moment: datetime,
    provided: Provided,
) -> None:
    row = facts.read_mission(connection, mission_id)
    assert row is not None
    assert move.dest is not None
    at = max(moment, facts.load_history(connection, mission_id)[-1].at) if row.history_length else moment
    note = f"moved from {target.name}@{row.workflow_version} to {target.key}"
    if move.dest != row.state:
        note += f", state {row.state} mapped to {move.dest}"
    record = TransitionRecord(
        trigger=MIGRATE_TRIGGER,
        source=row.state,
        dest=move.dest,
        actor=actor,
        at=at,
        note=note,
        data={"from": f"{target.name}@{row.workflow_version}", "to": target.key},
    )
    history.append_after(connection, row, record)
    connection.execute(
        update(_MISSIONS).where(_MISSIONS.c.id == mission_id).values(workflow_version=target.version)
    )
    ledger.note(connection, ledger_cover.MISSION, {"id": mission_id})  # its rules changed
    subject = _subject(connection, row) if target.has_timers else None
    given = provided(subject, connection) if subject is not None else {}
    timers.reschedule(connection, target, mission_id, at, provided=given)
