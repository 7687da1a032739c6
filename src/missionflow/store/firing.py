"""The fire transaction: read the subject (with only the facts its guards read), ask the
application's facts providers, let the engine decide, then write the new state and its history
entry together under an optimistic check of the subject's ``version``, all in one write
transaction; a writer that lost the race gets ConcurrentUpdateError and writes nothing.
Idempotency keys, the effects a transition declares, what a caller writes with it, and the hooks
around it are handled here, in that one transaction (the application's, inside
``store.transaction()``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from missionflow.errors import ConcurrentUpdateError, ConflictError, InvalidValueError, MissionNotFoundError
from missionflow.freelance import Mission, Settings
from missionflow.freelance.vocabulary import FACTS, SETTINGS
from missionflow.store import facts, history, rows, timers
from missionflow.store.chain import GENESIS
from missionflow.store.database import application_code
from missionflow.store.history import DuplicateKey
from missionflow.store.limits import StoreSession
from missionflow.store.preparing import prepare_steps
from missionflow.store.providers import Providers
from missionflow.store.session import Database, now, utc
from missionflow.store.subjects import StoredSubject, build_subject, read_subject
from missionflow.workflow import (
    TIMER_ACTOR,
    GuardContext,
    HookEvent,
    Hooks,
    PathReport,
    TransactionConnection,
    TransitionRecord,
    TriggerOption,
    Workflow,
    WorkflowDefinition,
    check_moving_forward,
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
AppConnection = Callable[[Connection], TransactionConnection]
"""What hooks and providers are given for the store's connection (the async store's wrapper)."""


@dataclass(frozen=True)
class Extra:
    """What a caller writes together with one fire (a contract with the signature, a block of the
    client with a way out): an Effect given for this fire only."""

    prepare: Callable[[Mission], None] | None = None
    write: Callable[[Session, int], None] | None = None


@dataclass(slots=True)
class _Loaded:
    """What a fire read: the subject with the facts its guards need, and where its chain stands."""

    subject: Mission | StoredSubject
    subject_id: int
    seen_version: int
    position: int
    prev_hash: str
    settings: Settings | None
    """The freelancer's settings for a mission; None for a subject of another domain."""
    workflow: Workflow[Subject]
    hooks: Hooks
    facts: frozenset[str] | None


def _load(
    connection: Connection,
    row: facts.MissionRead,
    workflow: Workflow[Subject],
    hooks: Hooks,
    needs: frozenset[str] | None,
) -> _Loaded:
    """The subject of ``row`` with the facts in ``needs`` (all when None), and its chain's end."""
    subject: Mission | StoredSubject
    if row.is_mission:
        subject = facts.build_mission(connection, row, FACTS if needs is None else needs)
        settings: Settings | None = facts.settings_of(row)
    else:
        subject, settings = build_subject(connection, row, needs), None
    return _Loaded(
        subject=subject,
        subject_id=row.id,
        seen_version=row.version,
        position=row.history_length + 1,
        prev_hash=row.history_head or GENESIS,
        settings=settings,
        workflow=workflow,
        hooks=hooks,
        facts=needs,
    )


FUTURE_MARGIN = timedelta(days=1)
"""How far ahead of the clock a step or a payment may be dated (time zones, a clock a bit fast)."""


def check_not_ahead(field: str, moment: datetime, current: datetime) -> None:
    """Refuse (InvalidValueError) a moment more than a day after ``current``, the clock's time."""
    if moment > current + FUTURE_MARGIN:
        raise InvalidValueError(field, f"{moment.isoformat()} is in the future: record what has happened")


def check_moment(
    definition: WorkflowDefinition, row: facts.MissionRead, moment: datetime, current: datetime
) -> None:
    """A step is recorded at a moment that is not ahead of the clock, not before the subject was
    created, and not before its last step unless the workflow allows back-dating (InvalidValueError)."""
    check_not_ahead("at", moment, current)
    if moment < row.created_at and not definition.backdating:
        raise InvalidValueError(
            "at",
            f"{moment.isoformat()} is before {'mission ' if row.is_mission else ''}{row.display_ref} "
            f"was created ({row.created_at.isoformat()})",
        )
    check_moving_forward(definition, moment, row.last_at)


def _same(connection: Connection) -> TransactionConnection:
    return connection


class Firing:
    """Fires triggers on stored subjects; ``hooks`` are the application's, run around every fire,
    and ``providers`` give the guards the facts the application keeps."""

    def __init__(
        self,
        db: Database,
        hooks: Hooks,
        effects: Mapping[str, EffectFactory],
        providers: Providers,
        app_connection: AppConnection = _same,
    ) -> None:
        self.db = db
        self.hooks = hooks
        self.effects = effects
        self.providers = providers
        self.app_connection = app_connection

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
        a declared effect name in this fire (the caller then reads what it did).

        Everything happens in one write transaction: on SQLite (BEGIN IMMEDIATE) writers take
        turns, and a loser reads the winner's state and decides on it; on PostgreSQL the version
        check stops a writer whose read is stale.
        """
        moment = utc(at if at is not None else self.db.clock())
        if idempotency_key is not None and not (0 < len(idempotency_key) <= MAX_KEY):
            raise InvalidValueError("idempotency_key", f"give 1 to {MAX_KEY} characters")
        try:
            with self.db.write_connection(ref) as connection:
                record, event, hooks = self._fire_on(
                    connection, ref, trigger, actor, note, moment, data, idempotency_key, extras, effects
                )
        except DuplicateKey:
            if idempotency_key is not None:
                with self.db.read_connection() as connection:
                    row = read_subject(connection, ref)
                    earlier = self._by_key(connection, row.id, idempotency_key, trigger) if row else None
                if earlier is not None:
                    return earlier
            raise ConcurrentUpdateError(ref) from None
        if event is not None:
            self.db.after_commit(partial(hooks.run_after_commit, event))
        return record

    def _fire_on(
        self,
        connection: Connection,
        ref: str,
        trigger: str,
        actor: str,
        note: str,
        moment: datetime,
        data: Mapping[str, str] | None,
        idempotency_key: str | None,
        extras: Sequence[Extra],
        effects: Mapping[str, Effect] | None,
        *,
        timer: bool = False,
    ) -> tuple[TransitionRecord, HookEvent | None, Hooks]:
        """Read, decide and write in the transaction of ``connection``; the record, and the event
        to tell the after_commit hooks once it committed (None: nobody to tell). ``timer`` fires
        a timed transition that fell due (see :meth:`fire_timer`)."""
        row = read_subject(connection, ref)
        if row is None:
            raise MissionNotFoundError(ref)
        if idempotency_key is not None:
            earlier = self._by_key(connection, row.id, idempotency_key, trigger)
            if earlier is not None:
                return earlier, None, self.hooks
        workflow = compile_workflow(rows.definition(connection, row.workflow, row.workflow_version))
        check_moment(workflow.definition, row, moment, self.db.clock())
        hooks = chain(workflow.hooks, self.hooks)
        workflow.check_runnable(hooks)
        if extras and not row.is_mission:
            raise ConflictError(
                "mission", f"{ref} is a subject of workflow {row.workflow}, not a freelance mission"
            )
        transition = workflow.definition.transition(row.state, trigger)
        names = transition.effects if transition is not None and row.is_mission else ()
        steps: list[Extra | Effect] = [*extras, *self._effects(ref, moment, names, effects)]
        # Hooks and effects may look at anything: they are given the whole subject.
        needs = None if (len(hooks) or steps) else workflow.facts_read(row.state, trigger)
        loaded = _load(connection, row, workflow, hooks, needs)
        provided = self._provided(loaded.subject, connection)
        prepare_steps(connection, steps, loaded.subject, row.id, loaded.seen_version, ref)
        ctx = self._context(loaded, moment, actor, note, data, provided)
        record = workflow.decide(loaded.subject, trigger, ctx, hooks=hooks, timer=timer)
        earlier = self._write(connection, loaded, record, idempotency_key, steps)
        if earlier is not None:
            return earlier, None, hooks
        return record, HookEvent.after(loaded.subject, record) if len(hooks) else None, hooks

    def fire_timer(
        self, connection: Connection, ref: str, trigger: str, moment: datetime, due_at: datetime
    ) -> tuple[TransitionRecord, HookEvent | None, Hooks]:
        """Fire the timed transition ``trigger`` that fell due at ``due_at``, in the caller's
        transaction (``tick``'s), as its timer: the actor ``timer``, the due time in the data.
        TransitionBlockedError when its guards refuse; the event for the after_commit hooks."""
        data = {"due": due_at.isoformat()}
        return self._fire_on(
            connection, ref, trigger, TIMER_ACTOR, "", moment, data, None, (), None, timer=True
        )

    def provided_facts(self, subject: Subject, connection: Connection) -> dict[str, object]:
        """The application's facts for ``subject``, read on ``connection`` by its providers."""
        return self._provided(subject, connection)

    def _provided(self, subject: Subject, connection: Connection) -> dict[str, object]:
        return self.providers.facts(subject, self.app_connection(connection)) if self.providers else {}

    @staticmethod
    def _context(
        loaded: _Loaded,
        moment: datetime,
        actor: str,
        note: str,
        data: Mapping[str, str] | None,
        provided: Mapping[str, object],
    ) -> GuardContext:
        """The context a fire's guards are evaluated in: a mission's guards also get the
        freelancer's settings (and their working hours flag a step out of hours)."""
        settings = loaded.settings
        known = {SETTINGS: settings, **provided} if settings is not None else dict(provided)
        return GuardContext(moment, actor, note, data or {}, known, settings, loaded.workflow.definition)

    def _effects(
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

    def _write(
        self,
        connection: Connection,
        loaded: _Loaded,
        record: TransitionRecord,
        idempotency_key: str | None,
        extras: Sequence[Extra | Effect],
    ) -> TransitionRecord | None:
        """Write the new state and its history entry if the subject's version is still the one read;
        returns the earlier record when another writer fired with the same idempotency key."""
        subject = loaded.subject
        if not history.append_entry(
            connection,
            mission_id=loaded.subject_id,
            seen_version=loaded.seen_version,
            position=loaded.position,
            prev_hash=loaded.prev_hash,
            record=record,
            updated_at=now(),
            idempotency_key=idempotency_key,
            ref=subject.ref,
        ):
            if idempotency_key is not None:
                earlier = self._by_key(connection, loaded.subject_id, idempotency_key, record.trigger)
                if earlier is not None:
                    return earlier
            raise ConcurrentUpdateError(subject.ref)
        writes = [extra.write for extra in extras if extra.write is not None]
        if writes:
            # Bound to the connection, the session writes in its transaction and never commits it.
            with StoreSession(bind=connection) as session:
                for write in writes:
                    write(session, loaded.subject_id)
                try:
                    session.flush()
                except IntegrityError:
                    raise DuplicateKey from None
        definition = loaded.workflow.definition
        if definition.has_timers and timers.may_move(definition, record, wrote_facts=bool(writes)):
            # The timers of the state it entered are scheduled, those of the state it left cancelled.
            provided = self._provided(subject, connection)
            timers.reschedule(
                connection, definition, loaded.subject_id, record.at, state=record.dest, provided=provided
            )
        if len(loaded.hooks):
            # an exception here leaves the block: the transaction rolls back, nothing is recorded,
            # and the exception (a database error of the application's own SQL too) propagates as is
            with application_code():
                loaded.hooks.run_after(HookEvent.after(subject, record, self.app_connection(connection)))
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
        self,
        ref: str,
        *,
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        note: str = "",
        actor: str = "",
    ) -> list[TriggerOption]:
        """Every trigger from the subject's state, allowed or blocked with reasons; changes nothing."""
        subject, workflow, ctx = self.for_engine(ref, at, data=data, note=note, actor=actor)
        return workflow.triggers(subject, ctx)

    def path_to(self, ref: str, target: str, *, at: datetime | None = None, actor: str = "") -> PathReport:
        """The shortest way to ``target`` and what blocks each step today."""
        subject, workflow, ctx = self.for_engine(ref, at, actor=actor)
        return workflow.path_to(subject, target, ctx)

    def for_engine(
        self,
        ref: str,
        at: datetime | None,
        *,
        data: Mapping[str, str] | None = None,
        note: str = "",
        actor: str = "",
    ) -> tuple[Mission | StoredSubject, Workflow[Subject], GuardContext]:
        """The whole subject, its compiled workflow and the context its guards are evaluated in,
        the application's facts included: what a fire at ``at`` would decide on."""
        moment = utc(at)
        with self.db.read_connection(ref) as connection:
            row = read_subject(connection, ref)
            if row is None:
                raise MissionNotFoundError(ref)
            workflow = compile_workflow(rows.definition(connection, row.workflow, row.workflow_version))
            workflow.check_runnable()
            loaded = _load(connection, row, workflow, self.hooks, None)
            provided = self._provided(loaded.subject, connection)
        return loaded.subject, workflow, self._context(loaded, moment, actor, note, data, provided)
