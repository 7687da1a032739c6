"""The fire transaction: read the mission (with only the facts its guards read), let the engine
decide, then write the new state and its history entry together under an optimistic check of
the mission's ``version``; a writer that lost the race gets ConcurrentUpdateError and writes
nothing. Idempotency keys, the effects a transition declares, what a caller writes with it, and
the hooks around it are handled here, in that one transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from missionflow.errors import ConcurrentUpdateError, InvalidValueError, MissionNotFoundError
from missionflow.freelance import Mission, Settings
from missionflow.freelance.vocabulary import FACTS, SETTINGS
from missionflow.store import facts, history, rows, timers
from missionflow.store.chain import GENESIS
from missionflow.store.history import DuplicateKey
from missionflow.store.records import parse_ref
from missionflow.store.session import Database, now, utc
from missionflow.workflow import (
    GuardContext,
    HookEvent,
    Hooks,
    PathReport,
    TransitionRecord,
    TriggerOption,
    Workflow,
    compile_workflow,
)
from missionflow.workflow.hooks import chain
from missionflow.workflow.subject import Subject

MAX_KEY = 200
"""The longest idempotency key (a webhook's delivery id fits)."""


class Effect(Protocol):
    """Work done with a transition: ``prepare`` before the guards run (it may refuse, or add what
    the guards must see to the mission), ``write`` inside the transaction that records it."""

    def prepare(self, mission: Mission) -> None: ...

    def write(self, session: Session, mission_id: int) -> None: ...


EffectFactory = Callable[[str, datetime], Effect]
"""Builds the effect for one fire of a mission (its reference, the moment of the fire)."""


@dataclass(frozen=True)
class Extra:
    """What a caller writes together with one fire (a contract with the signature, a block of the
    client with a way out): an Effect given for this fire only."""

    prepare: Callable[[Mission], None] | None = None
    write: Callable[[Session, int], None] | None = None


@dataclass(slots=True)
class Loaded:
    """What a fire read: the mission with the facts its guards need, and where its chain stands."""

    mission: Mission
    mission_id: int
    seen_version: int
    position: int
    prev_hash: str
    settings: Settings
    workflow: Workflow[Subject]
    hooks: Hooks
    facts: frozenset[str]


def load_for_fire(
    connection: Connection,
    row: facts.MissionRead,
    workflow: Workflow[Subject],
    hooks: Hooks,
    needs: frozenset[str] | None,
) -> Loaded:
    """The mission of ``row`` with the facts in ``needs`` (all when None), and its chain's end."""
    needs = FACTS if needs is None else needs
    return Loaded(
        mission=facts.build_mission(connection, row, needs),
        mission_id=row.id,
        seen_version=row.version,
        position=row.history_length + 1,
        prev_hash=row.history_head or GENESIS,
        settings=facts.settings_of(row),
        workflow=workflow,
        hooks=hooks,
        facts=needs,
    )


class Firing:
    """Fires triggers on stored missions; ``hooks`` are the application's, run around every fire."""

    def __init__(self, db: Database, hooks: Hooks, effects: Mapping[str, EffectFactory]) -> None:
        self.db = db
        self.hooks = hooks
        self.effects = effects

    def fire(
        self,
        ref: str,
        trigger: str,
        *,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        extras: Sequence[Extra] = (),
        effects: Mapping[str, Effect] | None = None,
    ) -> TransitionRecord:
        """Fire ``trigger``: the new state, its history entry, the transition's effects and the
        ``extras`` are written together, or nothing is. ``effects`` gives the effect to run for
        a declared effect name in this fire (the caller then reads what it did)."""
        moment = utc(at)
        if idempotency_key is not None and not (0 < len(idempotency_key) <= MAX_KEY):
            raise InvalidValueError("idempotency_key", f"give 1 to {MAX_KEY} characters")
        mission_id = parse_ref(ref, "M")
        if mission_id is None:
            raise MissionNotFoundError(ref)
        try:
            if not extras and not len(self.hooks):
                # Only guards run between the read and the write, so both happen in the write
                # transaction, reading only what the guards read. On SQLite (BEGIN IMMEDIATE)
                # writers take turns: a loser reads the winner's state and decides on it.
                with self.db.write_connection(ref) as connection:
                    found = self._read(connection, ref, mission_id, trigger, idempotency_key)
                    if isinstance(found, TransitionRecord):
                        return found
                    row, workflow, hooks = found
                    transition = workflow.definition.transition(row.state, trigger)
                    if not len(hooks) and not (transition is not None and transition.effects):
                        needs = workflow.facts_read(row.state, trigger)
                        loaded = load_for_fire(connection, row, workflow, hooks, needs)
                        record = self.decide(loaded, trigger, actor, note, moment, data)
                        earlier = self.write(connection, loaded, record, idempotency_key, ())
                        return earlier or record
            # Hooks, effects or extras run outside the write transaction: read, decide, then write.
            return self._fire_in_steps(
                ref, mission_id, trigger, actor, note, moment, data, idempotency_key, extras, effects
            )
        except DuplicateKey:
            if idempotency_key is not None:
                with self.db.read_connection() as connection:
                    earlier = self._by_key(connection, mission_id, idempotency_key, trigger)
                if earlier is not None:
                    return earlier
            raise ConcurrentUpdateError(ref) from None

    def effects_for(
        self, ref: str, moment: datetime, names: Sequence[str], given: Mapping[str, Effect] | None
    ) -> list[Effect]:
        """The effects to run for the transition's declared ``names`` (those this store implements)."""
        found: list[Effect] = []
        for name in names:
            if given is not None and name in given:
                found.append(given[name])
            elif name in self.effects:
                found.append(self.effects[name](ref, moment))
        return found

    def _fire_in_steps(
        self,
        ref: str,
        mission_id: int,
        trigger: str,
        actor: str,
        note: str,
        moment: datetime,
        data: Mapping[str, str] | None,
        idempotency_key: str | None,
        given: Sequence[Extra],
        effects: Mapping[str, Effect] | None,
    ) -> TransitionRecord:
        """Read the whole mission, decide (guards, before-hooks, each ``prepare``) outside any
        transaction, then write under the optimistic version check, run the after-hooks inside that
        transaction and the after_commit hooks once it committed."""
        with self.db.read_connection() as connection:
            found = self._read(connection, ref, mission_id, trigger, idempotency_key)
            if isinstance(found, TransitionRecord):
                return found
            row, workflow, hooks = found
            # Hooks are given the mission: they may look at anything.
            loaded = load_for_fire(connection, row, workflow, hooks, None)
        transition = workflow.definition.transition(row.state, trigger)
        declared = self.effects_for(ref, moment, transition.effects if transition else (), effects)
        extras: list[Extra | Effect] = [*given, *declared]
        for extra in extras:
            if extra.prepare is not None:
                extra.prepare(loaded.mission)
        record = self.decide(loaded, trigger, actor, note, moment, data)
        with self.db.write_connection(ref) as connection:
            if idempotency_key is not None:
                earlier = self._by_key(connection, mission_id, idempotency_key, trigger)
                if earlier is not None:
                    return earlier
            earlier = self.write(connection, loaded, record, idempotency_key, extras)
            if earlier is not None:
                return earlier
        if len(loaded.hooks):
            loaded.hooks.run_after_commit(HookEvent.after(loaded.mission, record))
        return record

    def _read(
        self, connection: Connection, ref: str, mission_id: int, trigger: str, idempotency_key: str | None
    ) -> tuple[facts.MissionRead, Workflow[Subject], Hooks] | TransitionRecord:
        """The mission's row, its workflow and the hooks that run around the fire, or the earlier
        record of a repeated idempotent fire."""
        row = facts.read_mission(connection, mission_id)
        if row is None:
            raise MissionNotFoundError(ref)
        if idempotency_key is not None:
            earlier = self._by_key(connection, mission_id, idempotency_key, trigger)
            if earlier is not None:
                return earlier
        workflow = compile_workflow(rows.definition(connection, row.workflow, row.workflow_version))
        return row, workflow, chain(workflow.hooks, self.hooks)

    @staticmethod
    def decide(
        loaded: Loaded,
        trigger: str,
        actor: str,
        note: str,
        moment: datetime,
        data: Mapping[str, str] | None,
        *,
        timer: bool = False,
    ) -> TransitionRecord:
        """The engine decides (guards, then before-hooks); after-hooks run in the write transaction.

        ``moment`` is in UTC, so the record's time is already the one stored and hashed; ``timer``
        is for a timed transition fired by its timer (``tick``).
        """
        ctx = GuardContext(
            moment,
            actor,
            note,
            data or {},
            {SETTINGS: loaded.settings},
            loaded.settings,
            loaded.workflow.definition,
        )
        return loaded.workflow.decide(loaded.mission, trigger, ctx, hooks=loaded.hooks, timer=timer)

    def write(
        self,
        connection: Connection,
        loaded: Loaded,
        record: TransitionRecord,
        idempotency_key: str | None,
        extras: Sequence[Extra | Effect],
    ) -> TransitionRecord | None:
        """Write the new state and its history entry if the mission's version is still the one read;
        returns the earlier record when another writer fired with the same idempotency key."""
        mission = loaded.mission
        if not history.append_entry(
            connection,
            mission_id=loaded.mission_id,
            seen_version=loaded.seen_version,
            position=loaded.position,
            prev_hash=loaded.prev_hash,
            record=record,
            updated_at=now(),
            idempotency_key=idempotency_key,
        ):
            if idempotency_key is not None:
                earlier = self._by_key(connection, loaded.mission_id, idempotency_key, record.trigger)
                if earlier is not None:
                    return earlier
            raise ConcurrentUpdateError(mission.ref)
        definition = loaded.workflow.definition
        writes = [extra.write for extra in extras if extra.write is not None]
        if writes:
            # Bound to the connection, the session writes in its transaction and never commits it.
            with Session(bind=connection) as session:
                for write in writes:
                    write(session, loaded.mission_id)
                try:
                    session.flush()
                except IntegrityError:
                    raise DuplicateKey from None
        if definition.has_timers and timers.may_move(definition, record, wrote_facts=bool(writes)):
            # The timers of the state it entered are scheduled, those of the state it left cancelled.
            timers.reschedule(connection, definition, loaded.mission_id, record.at, state=record.dest)
        if len(loaded.hooks):
            # an exception here leaves the block: the transaction rolls back, nothing is recorded
            loaded.hooks.run_after(HookEvent.after(mission, record, connection))
        return None

    @staticmethod
    def _by_key(connection: Connection, mission_id: int, key: str, trigger: str) -> TransitionRecord | None:
        earlier = facts.record_by_key(connection, mission_id, key)
        if earlier is not None and earlier.trigger != trigger:
            raise InvalidValueError(
                "idempotency_key", f"{key!r} was already used for {earlier.trigger!r}, not {trigger!r}"
            )
        return earlier

    def triggers(
        self, ref: str, *, at: datetime | None = None, data: Mapping[str, str] | None = None, note: str = ""
    ) -> list[TriggerOption]:
        """Every trigger from the mission's state, allowed or blocked with reasons; changes nothing."""
        mission, workflow, ctx = self.for_engine(ref, at, data=data, note=note)
        return workflow.triggers(mission, ctx)

    def path_to(self, ref: str, target: str, *, at: datetime | None = None) -> PathReport:
        """The shortest way to ``target`` and what blocks each step today."""
        mission, workflow, ctx = self.for_engine(ref, at)
        return workflow.path_to(mission, target, ctx)

    def for_engine(
        self, ref: str, at: datetime | None, *, data: Mapping[str, str] | None = None, note: str = ""
    ) -> tuple[Mission, Workflow[Subject], GuardContext]:
        """The whole mission, its compiled workflow and the context its guards are evaluated in."""
        moment = utc(at)
        with self.db.reading() as session:
            row = rows.mission_row(session, ref)
            mission = rows.snapshot(session, row)
            workflow = compile_workflow(rows.definition(session, row.workflow, row.workflow_version))
            settings = rows.settings(session)
        ctx = workflow.context(moment, note=note, data=data, facts={SETTINGS: settings}, calendar=settings)
        return mission, workflow, ctx
