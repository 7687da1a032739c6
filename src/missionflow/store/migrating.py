"""Moving the missions of a workflow to another of its versions, in flight, in one transaction.

The plan lists, per state of the versions being left, how many missions move and where, and
which would be stranded (see :mod:`missionflow.workflow.migration`); nothing moves while one is.
The real run moves every mission: a ``migrate`` entry in its history chain (the one place entries
are appended, :func:`missionflow.store.history.append_entry`), the new version on its row, and
the timers of the new version scheduled in place of the old ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.orm import Session

from missionflow.errors import ConcurrentUpdateError, ConflictError
from missionflow.freelance.vocabulary import FACTS, SETTINGS
from missionflow.store import facts, history, rows, timers
from missionflow.store.chain import GENESIS
from missionflow.store.missions import keep_workflow
from missionflow.store.models import Base, MissionRow
from missionflow.store.records import mission_ref
from missionflow.store.session import Database, now, utc
from missionflow.workflow import GuardContext, TransitionRecord, WorkflowDefinition, load_workflow
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


def migrate_missions(
    db: Database,
    name: str,
    to_version: int,
    *,
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
        plan = _plan(connection, target, sources, missions, mapping)
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
                _move(connection, int(ref.removeprefix("M-")), target, move, actor, moment)
    return MigrationPlan(plan.workflow, plan.to_version, plan.moves, plan.already, plan.mapping, done=True)


def _plan(
    connection: Connection,
    target: WorkflowDefinition,
    sources: Mapping[int, WorkflowDefinition],
    missions: Sequence[Row[int, int, str]],
    mapping: Mapping[str, str],
) -> MigrationPlan:
    groups: dict[tuple[int, str], list[int]] = {}
    already = 0
    for mission_id, version, state in missions:
        if version == target.version:
            already += 1
        else:
            groups.setdefault((version, state), []).append(mission_id)
    moves = []
    for version, definition in sources.items():
        for state in definition.state_ids:
            ids = groups.pop((version, state), [])
            if ids:
                moves.append(_state_move(connection, target, version, state, ids, mapping))
    for (version, state), ids in groups.items():  # a state the version no longer declares
        moves.append(_state_move(connection, target, version, state, ids, mapping))
    return MigrationPlan(target.name, target.version, tuple(moves), already, dict(mapping))


def _state_move(
    connection: Connection,
    target: WorkflowDefinition,
    version: int,
    state: str,
    ids: list[int],
    mapping: Mapping[str, str],
) -> StateMove:
    refs = tuple(mission_ref(i) for i in ids)
    dest, missing = landing_state(state, target, mapping)
    if dest is None:
        assert missing is not None
        return StateMove(version, state, None, refs, tuple(Stranded(ref, state, (missing,)) for ref in refs))
    stranded = []
    for mission_id, ref in zip(ids, refs, strict=True):
        row = facts.read_mission(connection, mission_id)
        assert row is not None
        mission = facts.build_mission(connection, row, FACTS)
        settings = facts.settings_of(row)
        ctx = GuardContext(now(), "", "", {}, {SETTINGS: settings}, settings, target)
        reasons = entry_refusals(target, mission, dest, ctx)
        if reasons:
            stranded.append(Stranded(ref, state, reasons))
    return StateMove(version, state, dest, refs, tuple(stranded))


def _move(
    connection: Connection,
    mission_id: int,
    target: WorkflowDefinition,
    move: StateMove,
    actor: str,
    moment: datetime,
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
    if not history.append_entry(
        connection,
        mission_id=mission_id,
        seen_version=row.version,
        position=row.history_length + 1,
        prev_hash=row.history_head or GENESIS,
        record=record,
        updated_at=now(),
    ):  # pragma: no cover - the missions are locked
        raise ConcurrentUpdateError(mission_ref(mission_id))
    connection.execute(
        update(_MISSIONS).where(_MISSIONS.c.id == mission_id).values(workflow_version=target.version)
    )
    timers.reschedule(connection, target, mission_id, at)
