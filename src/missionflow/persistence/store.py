"""The Store: missions, clients and their records in a database, one transaction per change.

Firing reads the mission (with only the facts its guards read), lets the engine decide, then
writes the new state and its history entry together under an optimistic check of the mission's
``version``; a writer that lost the race gets ConcurrentUpdateError and writes nothing.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine, delete, func, insert, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from missionflow.billing import InvoiceTerms
from missionflow.definition import StateKind, WorkflowDefinition
from missionflow.engine import PathReport, TriggerOption, Workflow, compile_workflow
from missionflow.errors import (
    ClientNotFoundError,
    ConcurrentUpdateError,
    InvalidValueError,
    InvoiceNotFoundError,
    MissionNotFoundError,
    StorageError,
    WorkflowNotFoundError,
)
from missionflow.guards import FACTS
from missionflow.hooks import HookEvent, Hooks, chain
from missionflow.loading import DEFAULT_WORKFLOW, load_workflow, parse_workflow, register_workflow
from missionflow.mission import (
    Amendment,
    Contract,
    InvoiceSummary,
    Mission,
    Payment,
    Specification,
    TransitionRecord,
)
from missionflow.money import Money
from missionflow.persistence import database, facts
from missionflow.persistence.billing_store import (
    BillingStore,
    invoice_terms,
    schedule_after_fire,
    schedule_invoice_reminder,
    starts_reminders,
)
from missionflow.persistence.chain import (
    GENESIS,
    HistoryEntry,
    MissionChain,
    VerifyFailure,
    entry_hash,
    verify_chain,
)
from missionflow.persistence.database import WRITE_OPTION, display_url, translated
from missionflow.persistence.models import (
    AmendmentRow,
    Base,
    ClientRow,
    ContractRow,
    CriterionAnswerRow,
    DeliverableRow,
    HistoryRow,
    InvoiceCounterRow,
    InvoiceRow,
    MissionRow,
    PaymentRow,
    SettingsRow,
    SpecificationRow,
    WorkflowVersionRow,
)
from missionflow.persistence.records import (
    INVOICE_KINDS,
    ClientRecord,
    InvoiceRecord,
    MissionSummary,
    client_ref,
    lines_to_json,
    mission_ref,
    parse_ref,
    settings_from_json,
    settings_to_json,
    workflow_source_text,
)
from missionflow.settings import Settings

_SETTINGS_ID = facts.SETTINGS_ID
_MAX_KEY = 200


class _DuplicateKey(Exception):
    """Another writer recorded the same idempotency key first."""


@dataclass(slots=True)
class _Loaded:
    """What a fire read: the mission with the facts its guards need, and where its chain stands."""

    mission: Mission
    mission_id: int
    seen_version: int
    position: int
    prev_hash: str
    settings: Settings
    workflow: Workflow
    hooks: Hooks
    facts: frozenset[str]


def _now() -> datetime:
    return datetime.now(UTC)


def _load(
    connection: Connection,
    mission_id: int,
    row: facts.MissionRead,
    workflow: Workflow,
    hooks: Hooks,
    needs: frozenset[str],
) -> _Loaded:
    """The mission of ``row`` with the facts in ``needs``, and where its history chain stands."""
    return _Loaded(
        mission=facts.build_mission(connection, row, needs),
        mission_id=mission_id,
        seen_version=row.version,
        position=row.history_length + 1,
        prev_hash=row.history_head or GENESIS,
        settings=facts.settings_of(row),
        workflow=workflow,
        hooks=hooks,
        facts=needs,
    )


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return _now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValueError("time", f"{at.isoformat()} has no timezone; give an offset like +01:00")
    return at.astimezone(UTC)


def _rowcount(result: object) -> int:
    return cast(CursorResult[Any], result).rowcount


def _same_currency(field: str, money: Money, currency: str) -> None:
    if money.currency != currency:
        raise InvalidValueError(field, f"{money} is not in the mission's currency {currency}")


def _not_negative(field: str, money: Money) -> None:
    if money.amount < 0:
        raise InvalidValueError(field, f"{money} is negative")


def _record(row: HistoryRow) -> TransitionRecord:
    return TransitionRecord(
        trigger=row.trigger,
        source=row.source,
        dest=row.dest,
        actor=row.actor,
        at=row.at,
        note=row.note,
        data=dict(row.data),
        guards=tuple(row.guards),
        out_of_hours=row.out_of_hours,
    )


def _entry(row: HistoryRow) -> HistoryEntry:
    return HistoryEntry(position=row.position, record=_record(row), hash=row.hash, prev_hash=row.prev_hash)


def _client_record(row: ClientRow) -> ClientRecord:
    return ClientRecord(
        ref=client_ref(row.id),
        name=row.name,
        email=row.email,
        company=row.company,
        business=row.business,
        blocked=row.blocked,
        blocked_reason=row.blocked_reason,
        created_at=row.created_at,
    )


def _check_invoice(
    kind: str,
    total: Money,
    issued_on: date,
    due_on: date,
    references: str | None,
    lines: list[dict[str, object]] | None,
) -> list[object]:
    """Refuse an invoice that is wrong on its face; return its lines as stored."""
    if kind not in INVOICE_KINDS:
        raise InvalidValueError("kind", f"{kind!r} is not one of {', '.join(INVOICE_KINDS)}")
    _not_negative("total", total)
    if due_on < issued_on:
        raise InvalidValueError(
            "due_on", f"{due_on.isoformat()} is before the issue date {issued_on.isoformat()}"
        )
    if kind == "credit" and not references:
        raise InvalidValueError("references", "a credit note names the invoice it corrects")
    if kind != "credit" and references:
        raise InvalidValueError("references", "only a credit note refers to another invoice")
    try:
        return lines_to_json(lines)
    except TypeError as error:
        raise InvalidValueError("lines", str(error)) from None


def _insert_if_absent(session: Session, model: type[Base], values: dict[str, object]) -> None:
    """INSERT the row unless its primary key exists: a concurrent writer's row wins, no error.

    The dialect's insert is imported here: importing the PostgreSQL dialect costs a SQLite
    user's every command ~30 ms.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(model).values(values).on_conflict_do_nothing())
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        session.execute(postgresql_insert(model).values(values).on_conflict_do_nothing())
    else:
        key = tuple(values[column.key] for column in model.__table__.primary_key)
        if session.get(model, key) is None:
            session.execute(insert(model).values(values))


class Store(BillingStore):
    """Missions, clients and their records in SQLite or PostgreSQL; every change is one transaction.

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     client = store.add_client("Acme")
    ...     mission = store.create_mission(client.ref, "Logo")
    ...     store.fire(mission.ref, "qualify", actor="me").dest
    'criteria_check'
    """

    def __init__(self, engine: Engine, url: URL, *, owns_engine: bool, hooks: Hooks | None = None) -> None:
        self.hooks = hooks if hooks is not None else Hooks()
        """The application's hooks, run by every fire (subscribe more with ``store.hooks.after(...)``)."""
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        self._url = url
        self._owns_engine = owns_engine
        self.url_for_display = display_url(url)
        """The database's URL with its password hidden, safe to print."""

    # --- lifecycle -------------------------------------------------------------------------

    def migrate(self) -> str:
        """Bring the schema to the newest revision (a no-op when it is there); returns the revision."""
        with translated(self._url):
            return database.upgrade(self._engine)

    def check_schema(self) -> None:
        """Raise StorageError unless the database holds missionflow's tables at the newest revision."""
        with translated(self._url), self._engine.connect() as connection:
            current = database.current_revision(connection)
        head = database.head_revision()
        if current is None:
            raise StorageError(
                f"{self.url_for_display} has no missionflow tables yet; open it with create=True"
            )
        if current != head:
            raise StorageError(
                f"{self.url_for_display} is at schema revision {current}, this missionflow needs {head}; "
                "run the migrations (Store.migrate)"
            )

    def close(self) -> None:
        """Release the database connections (an engine given by the application stays open)."""
        if self._owns_engine:
            self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.url_for_display}>"

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with translated(self._url), Session(self._engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _writing(self, mission: str | None = None) -> Iterator[Session]:
        with (
            translated(self._url, mission),
            Session(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    # --- settings --------------------------------------------------------------------------

    def get_settings(self) -> Settings:
        """The freelancer's settings (the defaults until some are saved)."""
        with self._reading() as session:
            return self._settings(session)

    def save_settings(self, settings: Settings) -> None:
        """Replace the settings."""
        data = settings_to_json(settings)
        with self._writing() as session:
            row = session.get(SettingsRow, _SETTINGS_ID)
            if row is None:
                session.add(SettingsRow(id=_SETTINGS_ID, data=data, updated_at=_now()))
            else:
                row.data = data
                row.updated_at = _now()

    @staticmethod
    def _settings(session: Session) -> Settings:
        row = session.get(SettingsRow, _SETTINGS_ID)
        return Settings() if row is None else settings_from_json(dict(row.data))

    # --- clients ---------------------------------------------------------------------------

    def add_client(
        self, name: str, *, email: str = "", company: str = "", business: bool = True
    ) -> ClientRecord:
        """Record a new client; its reference ("C-1", "C-2"...) is what a person types afterwards."""
        if not name.strip():
            raise InvalidValueError("name", "a client needs a name")
        now = _now()
        with self._writing() as session:
            row = ClientRow(
                name=name.strip(),
                email=email.strip(),
                company=company.strip(),
                business=business,
                blocked=False,
                blocked_reason="",
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _client_record(row)

    def get_client(self, ref: str) -> ClientRecord:
        """The client with this reference; ClientNotFoundError when there is none."""
        with self._reading() as session:
            return _client_record(self._client_row(session, ref))

    def list_clients(self) -> list[ClientRecord]:
        """Every client, by name."""
        with self._reading() as session:
            rows = session.scalars(select(ClientRow).order_by(ClientRow.name, ClientRow.id))
            return [_client_record(row) for row in rows]

    def block_client(self, ref: str, reason: str) -> ClientRecord:
        """Block a client (R11): new leads from them cannot be qualified or accepted."""
        if not reason.strip():
            raise InvalidValueError("reason", "say why the client is blocked")
        return self._set_blocked(ref, True, reason.strip())

    def unblock_client(self, ref: str) -> ClientRecord:
        """Lift a client's block."""
        return self._set_blocked(ref, False, "")

    def _set_blocked(self, ref: str, blocked: bool, reason: str) -> ClientRecord:
        with self._writing() as session:
            row = self._client_row(session, ref)
            self._apply_block(session, row, blocked, reason)
            return _client_record(row)

    @staticmethod
    def _apply_block(session: Session, row: ClientRow, blocked: bool, reason: str) -> None:
        row.blocked = blocked
        row.blocked_reason = reason
        row.updated_at = _now()
        # Guards read the client: every mission of theirs changes version, so a fire that
        # read the old client loses its optimistic check instead of acting on stale facts.
        session.execute(
            update(MissionRow)
            .where(MissionRow.client_id == row.id)
            .values(version=MissionRow.version + 1)
            .execution_options(synchronize_session=False)
        )
        session.flush()

    @staticmethod
    def _client_row(session: Session, ref: str) -> ClientRow:
        client_id = parse_ref(ref, "C")
        row = session.get(ClientRow, client_id) if client_id is not None else None
        if row is None:
            raise ClientNotFoundError(ref)
        return row

    # --- missions --------------------------------------------------------------------------

    def create_mission(
        self,
        client: str,
        title: str,
        *,
        workflow: str = DEFAULT_WORKFLOW,
        amount: Money | None = None,
        currency: str | None = None,
        deposit_percent: Decimal | None = None,
        included_revisions: int | None = None,
        deadline: date | None = None,
        sessions_planned: int = 0,
        at: datetime | None = None,
    ) -> Mission:
        """Open a new mission for a client in its workflow's initial state (defaults from the settings).

        The mission keeps the workflow's name and version, and the database keeps that version's
        text, so the mission's rules stay the same when the workflow file changes later.
        """
        if not title.strip():
            raise InvalidValueError("title", "a mission needs a title")
        definition = load_workflow(workflow)
        source_text = workflow_source_text(definition)
        moment = _aware(at)
        if sessions_planned < 0:
            raise InvalidValueError("sessions_planned", f"{sessions_planned} is negative")
        if included_revisions is not None and included_revisions < 0:
            raise InvalidValueError("included_revisions", f"{included_revisions} is negative")
        if deposit_percent is not None and not (0 <= deposit_percent <= 100):
            raise InvalidValueError("deposit_percent", f"{deposit_percent} is not between 0 and 100")
        if amount is not None:
            _not_negative("amount", amount)
        with self._writing() as session:
            settings = self._settings(session)
            code = (currency or (amount.currency if amount is not None else settings.currency)).upper()
            Money.zero(code)  # refuses what is not an ISO code
            if amount is not None:
                _same_currency("amount", amount, code)
            client_row = self._client_row(session, client)
            self._keep_workflow(session, definition, source_text, moment)
            row = MissionRow(
                client_id=client_row.id,
                title=title.strip(),
                workflow=definition.name,
                workflow_version=definition.version,
                state=definition.initial,
                currency=code,
                amount_cents=amount.amount if amount is not None else None,
                deposit_percent=deposit_percent if deposit_percent is not None else settings.deposit_percent,
                included_revisions=(
                    included_revisions if included_revisions is not None else settings.included_revisions
                ),
                extra_revisions=0,
                sessions_planned=sessions_planned,
                deadline=deadline,
                rush_surcharge_cents=None,
                history_length=0,
                history_head=GENESIS,
                version=0,
                created_at=moment,
                updated_at=moment,
            )
            session.add(row)
            session.flush()
            return self._snapshot(session, row)

    def _keep_workflow(
        self, session: Session, definition: WorkflowDefinition, text: str, moment: datetime
    ) -> None:
        key = (definition.name, definition.version)
        if session.get(WorkflowVersionRow, key) is not None:
            return
        values = {"name": key[0], "version": key[1], "source_text": text, "registered_at": moment}
        _insert_if_absent(session, WorkflowVersionRow, values)

    def get_mission(self, ref: str) -> Mission:
        """The whole mission: its terms, the records guards read and its history."""
        with self._reading() as session:
            row = self._mission_row(session, ref)
            return self._snapshot(session, row)

    @staticmethod
    def _mission_row(session: Session, ref: str) -> MissionRow:
        mission_id = parse_ref(ref, "M")
        row = session.get(MissionRow, mission_id) if mission_id is not None else None
        if row is None:
            raise MissionNotFoundError(ref)
        return row

    def _definition(self, session: Session | Connection, name: str, version: int) -> WorkflowDefinition:
        """The rules a mission runs under; from the stored text when this process does not know them."""
        try:
            return load_workflow(name, version)
        except WorkflowNotFoundError:
            stored = session.execute(
                select(WorkflowVersionRow.source_text).where(
                    WorkflowVersionRow.name == name, WorkflowVersionRow.version == version
                )
            ).scalar_one_or_none()
            if stored is None:
                raise
        definition = parse_workflow(stored, f"<database: {name} version {version}>")
        if (definition.name, definition.version) != (name, version):
            raise StorageError(
                f"the stored text of workflow {name} version {version} describes "
                f"{definition.name} version {definition.version}"
            )
        return register_workflow(definition)

    def _snapshot(self, session: Session, row: MissionRow) -> Mission:
        """The whole mission of ``row``, as the session sees it (its pending changes flushed)."""
        self._definition(session, row.workflow, row.workflow_version)
        session.flush()
        connection = session.connection()
        found = facts.read_mission(connection, row.id)
        if found is None:  # pragma: no cover - the caller holds the row
            raise MissionNotFoundError(mission_ref(row.id))
        return facts.build_mission(connection, found, FACTS)

    def list_missions(
        self,
        *,
        state: str | None = None,
        client: str | None = None,
        workflow: str | None = None,
        limit: int | None = None,
    ) -> list[MissionSummary]:
        """Missions, most recently updated first, optionally of one state, client or workflow."""
        query = select(MissionRow, ClientRow).join(ClientRow, ClientRow.id == MissionRow.client_id)
        with self._reading() as session:
            if client is not None:
                query = query.where(MissionRow.client_id == self._client_row(session, client).id)
            if state is not None:
                query = query.where(MissionRow.state == state)
            if workflow is not None:
                query = query.where(MissionRow.workflow == workflow)
            query = query.order_by(MissionRow.updated_at.desc(), MissionRow.id.desc())
            if limit is not None:
                query = query.limit(max(limit, 0))
            return [
                MissionSummary(
                    ref=mission_ref(m.id),
                    title=m.title,
                    client_ref=client_ref(c.id),
                    client_name=c.name,
                    workflow=m.workflow,
                    workflow_version=m.workflow_version,
                    state=m.state,
                    updated_at=m.updated_at,
                    version=m.version,
                    created_at=m.created_at,
                )
                for m, c in session.execute(query)
            ]

    def count_by_state(self) -> dict[str, int]:
        """How many missions are in each state (states with none are left out)."""
        with self._reading() as session:
            rows = session.execute(
                select(MissionRow.state, func.count()).group_by(MissionRow.state).order_by(MissionRow.state)
            )
            return dict(rows.all())

    def get_missions(self, *, state: str | None = None, client: str | None = None) -> list[Mission]:
        """Every mission in full (as :meth:`get_mission` gives it), by reference, read in one
        transaction so that reports add up; optionally only one state's or one client's."""
        query = select(MissionRow).order_by(MissionRow.id)
        with self._reading() as session:
            if client is not None:
                query = query.where(MissionRow.client_id == self._client_row(session, client).id)
            if state is not None:
                query = query.where(MissionRow.state == state)
            return [self._snapshot(session, row) for row in session.scalars(query)]

    # --- firing ----------------------------------------------------------------------------

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
        block_client: bool = False,
    ) -> TransitionRecord:
        """Fire ``trigger`` on a mission: the new state and its history entry are written together.

        Raises TransitionNotAllowedError or TransitionBlockedError (nothing written), or
        ConcurrentUpdateError when another writer changed the mission in between. With an
        ``idempotency_key``, firing again with the same key returns the first record and
        writes nothing. With ``block_client`` (only for a way out such as ``terminate`` or
        ``decline``), the client is blocked in the same transaction, the note as the reason (R11):
        a refused trigger blocks nobody.

        Hooks (those the workflow file declares, then ``self.hooks``) run around it: a
        before-hook's veto is a TransitionBlockedError; an after-hook runs inside the
        transaction (``event.connection``) and its exception rolls everything back; an
        after_commit hook runs once the transaction committed and its exception is only logged.
        """
        if not block_client:
            moment = _aware(at)
            # `invoice` (into `invoiced`) issues the final invoice in the same transaction.
            effect = self._fire_effect(ref, trigger, moment)
            return self._fire(
                ref,
                trigger,
                actor=actor,
                note=note,
                at=moment,
                data=data,
                idempotency_key=idempotency_key,
                prepare=effect.prepare if effect is not None else None,
                also_write=effect.write if effect is not None else None,
            )

        def only_an_exit(mission: Mission) -> None:
            definition = load_workflow(mission.workflow, mission.workflow_version)
            for transition in definition.transitions_from(mission.state):
                dest = transition.dest_from(mission.state)
                if transition.trigger == trigger and definition.state(dest).kind is not StateKind.EXIT:
                    raise InvalidValueError(
                        "block_client",
                        f"only a way out (decline, terminate) blocks the client, not {trigger!r}",
                    )

        def block(session: Session, mission_id: int) -> None:
            row = session.get(MissionRow, mission_id)
            client = session.get(ClientRow, row.client_id) if row is not None else None
            if client is None:  # pragma: no cover - foreign keys guarantee both
                raise MissionNotFoundError(ref)
            self._apply_block(session, client, True, note.strip() or f"{trigger} of {ref}")

        return self._fire(
            ref,
            trigger,
            actor=actor,
            note=note,
            at=at,
            data=data,
            idempotency_key=idempotency_key,
            prepare=only_an_exit,
            also_write=block,
        )

    def _fire(
        self,
        ref: str,
        trigger: str,
        *,
        actor: str,
        note: str,
        at: datetime | None,
        data: Mapping[str, str] | None,
        idempotency_key: str | None,
        prepare: Callable[[Mission], None] | None = None,
        also_write: Callable[[Session, int], None] | None = None,
    ) -> TransitionRecord:
        moment = _aware(at)
        if idempotency_key is not None and not (0 < len(idempotency_key) <= _MAX_KEY):
            raise InvalidValueError("idempotency_key", f"give 1 to {_MAX_KEY} characters")
        mission_id = parse_ref(ref, "M")
        if mission_id is None:
            raise MissionNotFoundError(ref)
        try:
            if prepare is None and also_write is None and not len(self.hooks):
                # Only guards run between the read and the write, so both happen in the write
                # transaction, reading only what the guards read. On SQLite (BEGIN IMMEDIATE)
                # writers take turns: a loser reads the winner's state and decides on it.
                with translated(self._url, ref), self._writer.connect() as connection, connection.begin():
                    found = self._read_for_fire(connection, ref, mission_id, trigger, idempotency_key)
                    if isinstance(found, TransitionRecord):
                        return found
                    row, workflow, hooks = found
                    if not len(hooks):
                        needs = workflow.facts_read(row.state, trigger)
                        loaded = _load(connection, mission_id, row, workflow, hooks, needs)
                        record = self._decide(loaded, trigger, actor, note, moment, data)
                        earlier = self._write_fire(connection, loaded, record, idempotency_key, None)
                        return earlier or record
                # The mission's workflow declares hooks: they run outside the write transaction.
            return self._fire_around_hooks(
                ref, mission_id, trigger, actor, note, moment, data, idempotency_key, prepare, also_write
            )
        except _DuplicateKey:
            if idempotency_key is not None:
                with translated(self._url), self._engine.connect() as connection, connection.begin():
                    earlier = self._by_key(connection, mission_id, idempotency_key, trigger)
                if earlier is not None:
                    return earlier
            raise ConcurrentUpdateError(ref) from None

    def _fire_around_hooks(
        self,
        ref: str,
        mission_id: int,
        trigger: str,
        actor: str,
        note: str,
        moment: datetime,
        data: Mapping[str, str] | None,
        idempotency_key: str | None,
        prepare: Callable[[Mission], None] | None,
        also_write: Callable[[Session, int], None] | None,
    ) -> TransitionRecord:
        """Read the whole mission, decide (guards, before-hooks, ``prepare``) outside any transaction,
        then write under the optimistic version check, run the after-hooks inside that transaction
        and the after_commit hooks once it committed."""
        with translated(self._url), self._engine.connect() as connection, connection.begin():
            found = self._read_for_fire(connection, ref, mission_id, trigger, idempotency_key)
            if isinstance(found, TransitionRecord):
                return found
            row, workflow, hooks = found
            # Hooks are given the mission: they may look at anything.
            loaded = _load(connection, mission_id, row, workflow, hooks, FACTS)
        if prepare is not None:
            prepare(loaded.mission)
        record = self._decide(loaded, trigger, actor, note, moment, data)
        with translated(self._url, ref), self._writer.connect() as connection, connection.begin():
            if idempotency_key is not None:
                earlier = self._by_key(connection, mission_id, idempotency_key, trigger)
                if earlier is not None:
                    return earlier
            earlier = self._write_fire(connection, loaded, record, idempotency_key, also_write)
            if earlier is not None:
                return earlier
        if len(loaded.hooks):
            loaded.hooks.run_after_commit(HookEvent.after(loaded.mission, record))
        return record

    def _read_for_fire(
        self, connection: Connection, ref: str, mission_id: int, trigger: str, idempotency_key: str | None
    ) -> tuple[facts.MissionRead, Workflow, Hooks] | TransitionRecord:
        """The mission's row, its workflow and the hooks that run around the fire, or the earlier
        record of a repeated idempotent fire."""
        row = facts.read_mission(connection, mission_id)
        if row is None:
            raise MissionNotFoundError(ref)
        if idempotency_key is not None:
            earlier = self._by_key(connection, mission_id, idempotency_key, trigger)
            if earlier is not None:
                return earlier
        workflow = compile_workflow(self._definition(connection, row.workflow, row.workflow_version))
        return row, workflow, chain(workflow.hooks, self.hooks)

    @staticmethod
    def _decide(
        loaded: _Loaded,
        trigger: str,
        actor: str,
        note: str,
        moment: datetime,
        data: Mapping[str, str] | None,
    ) -> TransitionRecord:
        """The engine decides (guards, then before-hooks); after-hooks run in the write transaction.

        ``moment`` is in UTC (see _aware), so the record's time is already the one stored and hashed.
        """
        return loaded.workflow._move(
            loaded.mission,
            trigger,
            actor=actor,
            note=note,
            at=moment,
            data=data,
            settings=loaded.settings,
            hooks=loaded.hooks,
        )

    def _write_fire(
        self,
        connection: Connection,
        loaded: _Loaded,
        record: TransitionRecord,
        idempotency_key: str | None,
        also_write: Callable[[Session, int], None] | None,
    ) -> TransitionRecord | None:
        """Write the new state and its history entry if the mission's version is still the one read;
        returns the earlier record when another writer fired with the same idempotency key."""
        mission = loaded.mission
        digest = entry_hash(mission.ref, loaded.position, record, loaded.prev_hash)
        if not facts.advance(
            connection, loaded.mission_id, loaded.seen_version, record.dest, loaded.position, digest, _now()
        ):
            if idempotency_key is not None:
                earlier = self._by_key(connection, loaded.mission_id, idempotency_key, record.trigger)
                if earlier is not None:
                    return earlier
            raise ConcurrentUpdateError(mission.ref)
        try:
            facts.append_history(
                connection,
                loaded.mission_id,
                loaded.position,
                record,
                idempotency_key,
                loaded.prev_hash,
                digest,
            )
        except IntegrityError:
            raise _DuplicateKey from None
        reminders = starts_reminders(record)
        if reminders and "contract" not in loaded.facts:
            mission.contract = facts.load_contract(connection, loaded.mission_id)
        if reminders or also_write is not None:
            # Bound to the connection, the session writes in its transaction and never commits it.
            with Session(bind=connection) as session:
                if also_write is not None:
                    also_write(session, loaded.mission_id)
                schedule_after_fire(session, mission, record, loaded.position, loaded.settings)
                try:
                    session.flush()
                except IntegrityError:
                    raise _DuplicateKey from None
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
        self,
        ref: str,
        *,
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        note: str = "",
    ) -> list[TriggerOption]:
        """Every trigger from the mission's state, allowed or blocked with reasons; changes nothing."""
        moment = _aware(at)
        mission, definition, settings = self._for_engine(ref)
        return compile_workflow(definition).triggers(
            mission, at=moment, data=data, note=note, settings=settings
        )

    def path_to(self, ref: str, target: str, *, at: datetime | None = None) -> PathReport:
        """The shortest way to ``target`` and what blocks each step today."""
        moment = _aware(at)
        mission, definition, settings = self._for_engine(ref)
        if target not in definition.state_ids:
            raise InvalidValueError(
                "state",
                f"{target!r} is not a state of {definition.name}; states: {', '.join(definition.state_ids)}",
            )
        return compile_workflow(definition).path_to(mission, target, at=moment, settings=settings)

    def _for_engine(self, ref: str) -> tuple[Mission, WorkflowDefinition, Settings]:
        with self._reading() as session:
            row = self._mission_row(session, ref)
            mission = self._snapshot(session, row)
            return (
                mission,
                self._definition(session, row.workflow, row.workflow_version),
                self._settings(session),
            )

    # --- history ---------------------------------------------------------------------------

    def history(self, ref: str) -> list[HistoryEntry]:
        """The mission's history entries, oldest first, with their chain hashes."""
        with self._reading() as session:
            row = self._mission_row(session, ref)
            rows = session.scalars(
                select(HistoryRow).where(HistoryRow.mission_id == row.id).order_by(HistoryRow.position)
            )
            return [_entry(h) for h in rows]

    def verify(self, ref: str | None = None) -> list[VerifyFailure]:
        """Check the history chains (one mission, or all); an empty list means nothing was tampered with.

        Names the first bad entry of each mission: edited, deleted, inserted or reordered rows,
        a history that does not lead to the mission's state.
        """
        failures: list[VerifyFailure] = []
        initials: dict[tuple[str, int], str | None] = {}
        with self._reading() as session:
            missions_query = select(MissionRow).order_by(MissionRow.id)
            history_query = select(HistoryRow).order_by(HistoryRow.mission_id, HistoryRow.position)
            if ref is not None:
                mission_id = self._mission_row(session, ref).id
                missions_query = missions_query.where(MissionRow.id == mission_id)
                history_query = history_query.where(HistoryRow.mission_id == mission_id)
            missions = list(session.scalars(missions_query))
            for mission in missions:
                key = (mission.workflow, mission.workflow_version)
                if key not in initials:
                    try:
                        initials[key] = self._definition(session, *key).initial
                    except WorkflowNotFoundError:
                        initials[key] = None
            entries = {
                mission_id: [_entry(h) for h in rows]
                for mission_id, rows in itertools.groupby(
                    session.scalars(history_query), key=lambda h: h.mission_id
                )
            }
        for mission in missions:
            chain = MissionChain(
                ref=mission_ref(mission.id),
                state=mission.state,
                initial=initials[(mission.workflow, mission.workflow_version)],
                length=mission.history_length,
                head=mission.history_head,
            )
            failure = verify_chain(chain, entries.get(mission.id, []))
            if failure is not None:
                failures.append(failure)
        return failures

    # --- the records guards read -----------------------------------------------------------

    @staticmethod
    def _touch(session: Session, ref: str, **values: object) -> MissionRow:
        """Bump the mission's version (and lock its row) in the current write transaction."""
        mission_id = parse_ref(ref, "M")
        changed = session.execute(
            update(MissionRow)
            .where(MissionRow.id == (mission_id or 0))
            .values(version=MissionRow.version + 1, updated_at=_now(), **values)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(changed) != 1:
            raise MissionNotFoundError(ref)
        row = session.get(MissionRow, mission_id)
        if row is None:  # pragma: no cover - the update just found it
            raise MissionNotFoundError(ref)
        return row

    def answer_criterion(self, ref: str, criterion: str, met: bool, note: str = "") -> None:
        """Record whether a client criterion of the settings is met for this mission (R1)."""
        with self._writing(ref) as session:
            known = [c.name for c in self._settings(session).criteria]
            if criterion not in known:
                raise InvalidValueError(
                    "criterion", f"unknown criterion {criterion!r}; criteria: {', '.join(known) or 'none'}"
                )
            row = self._touch(session, ref)
            answer = session.scalars(
                select(CriterionAnswerRow).where(
                    CriterionAnswerRow.mission_id == row.id, CriterionAnswerRow.criterion == criterion
                )
            ).one_or_none()
            if answer is None:
                session.add(
                    CriterionAnswerRow(
                        mission_id=row.id, criterion=criterion, met=met, note=note, answered_at=_now()
                    )
                )
            else:
                answer.met, answer.note, answer.answered_at = met, note, _now()

    def set_specification(self, ref: str, spec: Specification) -> None:
        """Record (or replace) the mission's specification and its deliverables (R3)."""
        with self._writing(ref) as session:
            row = self._touch(session, ref)
            if spec.budget is not None:
                _same_currency("budget", spec.budget, row.currency)
                _not_negative("budget", spec.budget)
            session.execute(delete(DeliverableRow).where(DeliverableRow.mission_id == row.id))
            spec_row = session.get(SpecificationRow, row.id)
            if spec_row is None:
                spec_row = SpecificationRow(mission_id=row.id)
                session.add(spec_row)
            spec_row.objectives = spec.objectives
            spec_row.deadline = spec.deadline
            spec_row.budget_cents = spec.budget.amount if spec.budget is not None else None
            spec_row.budget_currency = spec.budget.currency if spec.budget is not None else None
            spec_row.acceptance = spec.acceptance
            spec_row.updated_at = _now()
            session.flush()
            for position, deliverable in enumerate(spec.deliverables, start=1):
                session.add(
                    DeliverableRow(
                        mission_id=row.id, position=position, name=deliverable.name, kind=deliverable.kind
                    )
                )

    def sign_contract(
        self,
        ref: str,
        contract: Contract,
        *,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> TransitionRecord:
        """Record the signed contract and fire ``sign_contract`` in one transaction (R4).

        When the trigger is blocked (for example the specification is incomplete), the contract
        is not recorded either.
        """
        if contract.amount is None:  # untyped callers: the type already says it cannot be missing
            raise InvalidValueError(
                "amount", "give the quote amount; pro bono is an explicit 0, never a missing one"
            )
        _not_negative("amount", contract.amount)
        if contract.acceptance_days is not None and contract.acceptance_days < 1:
            raise InvalidValueError("acceptance_days", f"{contract.acceptance_days} is not a number of days")

        def prepare(mission: Mission) -> None:
            _same_currency("amount", contract.amount, mission.currency)
            mission.contract = contract

        def write(session: Session, mission_id: int) -> None:
            session.execute(delete(ContractRow).where(ContractRow.mission_id == mission_id))
            session.add(
                ContractRow(
                    mission_id=mission_id,
                    amount_cents=contract.amount.amount,
                    currency=contract.amount.currency,
                    terms_version=contract.terms_version,
                    signed_on=contract.signed_on,
                    signed_by=contract.signed_by,
                    acceptance_days=contract.acceptance_days,
                    recorded_at=_now(),
                )
            )

        return self._fire(
            ref,
            "sign_contract",
            actor=actor,
            note=note,
            at=at,
            data=None,
            idempotency_key=None,
            prepare=prepare,
            also_write=write,
        )

    def record_payment(self, ref: str, payment: Payment, *, idempotency_key: str | None = None) -> Payment:
        """Record money received (R5, R6); it must be in the mission's currency.

        With an ``idempotency_key`` (a payment webhook's delivery id), recording the same key
        again writes nothing and returns the payment recorded the first time; the key names one
        payment of one mission (reusing it for another raises InvalidValueError).

        >>> from datetime import date
        >>> from missionflow import Money, Payment, open_store
        >>> with open_store("sqlite://") as store:
        ...     ref = store.create_mission(store.add_client("Acme").ref, "Logo").ref
        ...     paid = Payment(Money.of("1350", "EUR"), date(2026, 12, 1), "transfer")
        ...     _ = store.record_payment(ref, paid, idempotency_key="evt_1")
        ...     _ = store.record_payment(ref, paid, idempotency_key="evt_1")
        ...     len(store.get_mission(ref).payments)
        1
        """
        if payment.amount.amount <= 0:
            raise InvalidValueError("amount", f"a payment must be more than zero, got {payment.amount}")
        if idempotency_key is not None and not (0 < len(idempotency_key) <= _MAX_KEY):
            raise InvalidValueError("idempotency_key", f"give 1 to {_MAX_KEY} characters")
        try:
            with self._writing(ref) as session:
                if idempotency_key is not None:
                    earlier = self._payment_by_key(session, ref, idempotency_key, payment)
                    if earlier is not None:
                        return earlier
                row = self._touch(session, ref)
                _same_currency("amount", payment.amount, row.currency)
                session.add(
                    PaymentRow(
                        mission_id=row.id,
                        amount_cents=payment.amount.amount,
                        currency=payment.amount.currency,
                        received_on=payment.received_on,
                        method=payment.method,
                        reference=payment.reference,
                        recorded_at=_now(),
                        idempotency_key=idempotency_key,
                    )
                )
                try:
                    session.flush()
                except IntegrityError:
                    raise _DuplicateKey from None
        except _DuplicateKey:
            # Another writer recorded the same delivery between our check and our insert.
            if idempotency_key is not None:
                with self._reading() as session:
                    earlier = self._payment_by_key(session, ref, idempotency_key, payment)
                if earlier is not None:
                    return earlier
            raise ConcurrentUpdateError(ref) from None
        return payment

    @staticmethod
    def _payment_by_key(session: Session, ref: str, key: str, payment: Payment) -> Payment | None:
        row = session.scalars(select(PaymentRow).where(PaymentRow.idempotency_key == key)).one_or_none()
        if row is None:
            return None
        recorded = Payment(Money(row.amount_cents, row.currency), row.received_on, row.method, row.reference)
        if parse_ref(ref, "M") != row.mission_id or recorded.amount != payment.amount:
            raise InvalidValueError(
                "idempotency_key",
                f"{key!r} was already used for a payment of {recorded.amount} on mission "
                f"{mission_ref(row.mission_id)}",
            )
        return recorded

    def agree_extra_revision(self, ref: str, amount: Money, note: str = "") -> None:
        """Agree one more revision round (R8), recorded as an amendment with its price."""
        _not_negative("amount", amount)
        with self._writing(ref) as session:
            row = self._touch(session, ref, extra_revisions=MissionRow.extra_revisions + 1)
            _same_currency("amount", amount, row.currency)
            session.add(
                AmendmentRow(
                    mission_id=row.id,
                    kind="extra_revision",
                    amount_cents=amount.amount,
                    currency=amount.currency,
                    note=note,
                    agreed_at=_now(),
                )
            )

    def set_rush_surcharge(self, ref: str, amount: Money) -> None:
        """Agree a rush surcharge, which lets a mission with a tight deadline be accepted (R2)."""
        _not_negative("amount", amount)
        with self._writing(ref) as session:
            row = self._touch(session, ref, rush_surcharge_cents=amount.amount)
            _same_currency("amount", amount, row.currency)

    def amend_contract(
        self, ref: str, amount: Money, reason: str, *, at: datetime | None = None
    ) -> Amendment:
        """Record an agreed change to the signed contract (R4); the contract itself stays as signed.

        ``amount`` is what the change adds to the price: a negative amount lowers it, never below 0.
        Refused (InvalidValueError) before the signature, where the quote itself changes, and
        once the mission is over.
        """
        if not reason.strip():
            raise InvalidValueError("reason", "say what the amendment changes")
        moment = _aware(at)
        with self._writing(ref) as session:
            row = self._touch(session, ref)
            _same_currency("amount", amount, row.currency)
            contract = session.get(ContractRow, row.id)
            if contract is None:
                raise InvalidValueError(
                    "contract",
                    f"mission {mission_ref(row.id)} has no signed contract to amend; change the quote",
                )
            if self._definition(session, row.workflow, row.workflow_version).state(row.state).final:
                raise InvalidValueError(
                    "contract",
                    f"mission {mission_ref(row.id)} is {row.state}: its contract can no longer change",
                )
            earlier = session.scalars(
                select(AmendmentRow.amount_cents).where(AmendmentRow.mission_id == row.id)
            ).all()
            total = contract.amount_cents + sum(earlier, Decimal(0)) + amount.amount
            if total < 0:
                raise InvalidValueError(
                    "amount", f"the contract would fall to {Money(total, row.currency)}; it cannot go below 0"
                )
            session.add(
                AmendmentRow(
                    mission_id=row.id,
                    kind="amendment",
                    amount_cents=amount.amount,
                    currency=amount.currency,
                    note=reason.strip(),
                    agreed_at=moment,
                )
            )
        return Amendment("amendment", amount, reason.strip(), moment)

    def list_amendments(self, ref: str) -> list[Amendment]:
        """The amendments of the mission's contract (extra revision rounds included), in the order agreed."""
        with self._reading() as session:
            row = self._mission_row(session, ref)
            rows = session.scalars(
                select(AmendmentRow).where(AmendmentRow.mission_id == row.id).order_by(AmendmentRow.id)
            )
            return [Amendment(a.kind, Money(a.amount_cents, a.currency), a.note, a.agreed_at) for a in rows]

    def approve_tacitly(self, ref: str, *, actor: str = "", at: datetime | None = None) -> TransitionRecord:
        """Fire ``approve`` on the client's silence (R10), noted "tacit approval" in the history.

        Allowed once every deliverable is handed over and the contract's acceptance period has
        passed since the last delivery without a revision request; otherwise TransitionBlockedError
        says from when.
        """
        return self.fire(ref, "approve", actor=actor, note="tacit approval", at=at, data={"tacit": "yes"})

    # --- invoices --------------------------------------------------------------------------

    def issue_invoice(
        self,
        ref: str,
        kind: str,
        total: Money,
        issued_on: date,
        due_on: date,
        references: str | None = None,
        lines: list[dict[str, object]] | None = None,
    ) -> InvoiceRecord:
        """Issue an invoice (``deposit``, ``final``) or a credit note (``credit``, naming the invoice
        it cancels); its number is the next of its year's series ("2026-0001"), without gaps.

        An issued invoice is never deleted; correct it with a credit note.
        """
        stored_lines = _check_invoice(kind, total, issued_on, due_on, references, lines)
        with self._writing() as session:
            row = self._touch(session, ref)
            _same_currency("total", total, row.currency)
            return self._insert_invoice(
                session, row.id, kind, total, issued_on, due_on, references, stored_lines
            )

    def fire_with_invoice(
        self,
        ref: str,
        trigger: str,
        *,
        kind: str,
        total: Money,
        issued_on: date,
        due_on: date,
        lines: list[dict[str, object]] | None = None,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> tuple[TransitionRecord, InvoiceRecord]:
        """Issue an invoice and fire ``trigger`` (typically ``invoice``) in one transaction.

        The guards see the new invoice; when the trigger is refused, no invoice is issued and
        no number is taken.
        """
        stored_lines = _check_invoice(kind, total, issued_on, due_on, None, lines)
        issued: list[InvoiceRecord] = []

        def prepare(mission: Mission) -> None:
            _same_currency("total", total, mission.currency)
            # Guards read kinds and totals; the number is only known once the series is locked.
            mission.invoices.append(InvoiceSummary("(being issued)", kind, total))

        def write(session: Session, mission_id: int) -> None:
            issued.append(
                self._insert_invoice(session, mission_id, kind, total, issued_on, due_on, None, stored_lines)
            )

        record = self._fire(
            ref,
            trigger,
            actor=actor,
            note=note,
            at=at,
            data=None,
            idempotency_key=None,
            prepare=prepare,
            also_write=write,
        )
        return record, issued[0]

    def _insert_invoice(
        self,
        session: Session,
        mission_id: int,
        kind: str,
        total: Money,
        issued_on: date,
        due_on: date,
        references: str | None,
        lines: list[object],
        *,
        note: str = "",
    ) -> InvoiceRecord:
        referenced: InvoiceRow | None = None
        if references:
            referenced = session.scalars(
                select(InvoiceRow).where(InvoiceRow.number == references)
            ).one_or_none()
            if referenced is None:
                raise InvoiceNotFoundError(references)
            if referenced.mission_id != mission_id or referenced.kind == "credit":
                raise InvalidValueError(
                    "references", f"{references} is not an invoice of mission {mission_ref(mission_id)}"
                )
        year = issued_on.year
        sequence = self._next_number(session, year, issued_on)
        settings = self._settings(session)
        invoice = InvoiceRow(
            number=f"{year}-{sequence:04d}",
            year=year,
            sequence=sequence,
            kind=kind,
            mission_id=mission_id,
            issued_on=issued_on,
            due_on=due_on,
            total_cents=total.amount,
            currency=total.currency,
            references_id=referenced.id if referenced is not None else None,
            lines=lines,
            created_at=_now(),
            # What the invoice states must not change with the settings later: copied now.
            terms=invoice_terms(session, mission_id, settings, note).to_json(),
        )
        session.add(invoice)
        session.flush()
        schedule_invoice_reminder(session, invoice, settings)
        return self._invoice_record(invoice, mission_ref(mission_id), references)

    @staticmethod
    def _next_number(session: Session, year: int, issued_on: date) -> int:
        """Take the next number of the year's series; the counter row is locked until commit."""
        values = {"year": year, "last_sequence": 0, "last_issued_on": issued_on}
        _insert_if_absent(session, InvoiceCounterRow, values)
        counter = session.scalars(
            select(InvoiceCounterRow).where(InvoiceCounterRow.year == year).with_for_update()
        ).one()
        if issued_on < counter.last_issued_on:
            raise InvalidValueError(
                "issued_on",
                f"{issued_on.isoformat()} is before the last invoice of {year} "
                f"({counter.last_issued_on.isoformat()}); invoice numbers follow the dates",
            )
        counter.last_sequence += 1
        counter.last_issued_on = issued_on
        session.flush()
        return counter.last_sequence

    @staticmethod
    def _invoice_record(row: InvoiceRow, mission: str, references: str | None) -> InvoiceRecord:
        return InvoiceRecord(
            number=row.number,
            kind=row.kind,
            mission=mission,
            issued_on=row.issued_on,
            due_on=row.due_on,
            total=Money(row.total_cents, row.currency),
            references=references,
            lines=tuple(dict(line) for line in row.lines if isinstance(line, dict)),
            created_at=row.created_at,
            terms=InvoiceTerms.from_json(row.terms) if row.terms else None,
        )

    def list_invoices(self, mission: str | None = None) -> list[InvoiceRecord]:
        """Issued invoices and credit notes in number order, of one mission or all."""
        with self._reading() as session:
            query = select(InvoiceRow).order_by(InvoiceRow.year, InvoiceRow.sequence)
            if mission is not None:
                query = query.where(InvoiceRow.mission_id == self._mission_row(session, mission).id)
            rows = list(session.scalars(query))
            # A credit note refers to an invoice of the same mission, so it is in this list too.
            numbers = {row.id: row.number for row in rows}
            return [
                self._invoice_record(
                    row,
                    mission_ref(row.mission_id),
                    numbers.get(row.references_id) if row.references_id else None,
                )
                for row in rows
            ]


def open_store(
    url: str | os.PathLike[str] | None = None,
    *,
    engine: Engine | None = None,
    create: bool = True,
    hooks: Hooks | None = None,
) -> Store:
    """Open the store in a database: a file path, a SQLAlchemy URL, or an application's engine.

    With neither, ``MISSIONFLOW_DB`` is used, else a private SQLite file in the user's data
    folder. ``create=True`` creates or migrates missionflow's tables when needed. With an
    application's ``engine``, missionflow's tables (all named ``mf_...``) live beside the
    application's and the engine stays the application's to dispose of. ``hooks`` run around
    every fire (see Hooks).

    >>> store = open_store("sqlite://")
    >>> store.url_for_display
    'sqlite://'
    >>> store.close()
    """
    if engine is not None and url is not None:
        raise InvalidValueError("url", "give a database URL or an engine, not both")
    if engine is not None:
        database.configure_engine(engine)
        store = Store(engine, engine.url, owns_engine=False, hooks=hooks)
    else:
        built, built_url = database.build_engine(url)
        store = Store(built, built_url, owns_engine=True, hooks=hooks)
    try:
        if create:
            store.migrate()
        else:
            store.check_schema()
    except BaseException:
        store.close()
        raise
    return store
