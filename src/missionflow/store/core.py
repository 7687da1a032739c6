"""The generic core of the store: subjects of any workflow, the fire, what blocks what, the
history, the application's facts providers, composed transactions, timers and ``tick``, and moves
to another workflow version. :class:`Store` adds the freelance trade (clients, terms,
invoices...) on top; the async store runs this same code."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from missionflow.errors import MissionNotFoundError
from missionflow.store import timers
from missionflow.store.audit import Audit
from missionflow.store.chain import HistoryEntry, VerifyFailure
from missionflow.store.firing import AppConnection, EffectFactory, Firing
from missionflow.store.ledger import Anchor
from missionflow.store.ledger_keys import KeyRing
from missionflow.store.providers import FactsProvider, Providers
from missionflow.store.records import MissionSummary
from missionflow.store.session import Database
from missionflow.store.store_timers import TimersAndVersions
from missionflow.store.subjects import StoredSubject, SubjectBook, subject_id
from missionflow.store.tick import Tick
from missionflow.workflow import (
    GuardContext,
    Hooks,
    PathReport,
    Subject,
    TransitionRecord,
    TriggerOption,
)


@dataclass(frozen=True)
class SubjectView:
    """A stored subject as a fire would see it now, and the context its guards are evaluated in
    (the application's facts included): what a diagram or a report needs to agree with a fire."""

    subject: Subject
    context: GuardContext


class SubjectStore(TimersAndVersions):
    """Subjects of any workflow in SQLite or PostgreSQL; every change is one transaction, or part
    of the application's (:meth:`transaction`)."""

    def __init__(
        self,
        engine: Engine,
        url: URL,
        *,
        owns_engine: bool,
        hooks: Hooks | None = None,
        allow_async: bool = False,
        app_connection: AppConnection | None = None,
        clock: Callable[[], datetime] | None = None,
        ledger_key: KeyRing | None = None,
    ) -> None:
        self.hooks = hooks if hooks is not None else Hooks()
        """The application's hooks, run by every fire (subscribe more with ``store.hooks.after(...)``)."""
        if not allow_async:
            self.hooks.forbid_async()
        self._db = Database(engine, url, owns_engine=owns_engine, clock=clock, keyring=ledger_key)
        self.audit = Audit(self._db)
        """The history and the ledger: ``verify``, ``anchor()`` and ``rotate_key()`` (see Audit)."""
        self.url_for_display = self._db.url_for_display
        """The database's URL with its password hidden, safe to print."""
        self._providers = Providers(allow_async=allow_async)
        options = {} if app_connection is None else {"app_connection": app_connection}
        self._firing = Firing(self._db, self.hooks, self._store_effects(), self._providers, **options)
        self._subjects = SubjectBook(self._db)
        self._tick = Tick(self._db, self._firing)
        # A write that changes what a timer reads (an invoice, a payment, a plan) moves it.
        self._db.before_commit.append(timers.refresh_touched)

    def _store_effects(self) -> Mapping[str, EffectFactory]:
        """The effects a workflow may declare that this store implements (none in the core)."""
        return {}

    def migrate(self) -> str:
        """Bring the schema to the newest revision (a no-op when it is there); returns the revision."""
        return self._db.migrate()

    def check_schema(self) -> None:
        """Raise StorageError unless the database holds missionflow's tables at the newest revision."""
        self._db.check_schema()

    def close(self) -> None:
        """Release the database connections (an engine given by the application stays open)."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url_for_display}>"

    # --- composing with the application --------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction for the store's calls inside the block and the application's own SQL on
        the connection it yields: committed together when the block ends, rolled back together
        when it raises (the exception propagates unchanged). after_commit hooks run once it
        committed. Each store call inside is a SAVEPOINT: a refused fire leaves it usable.

        >>> from sqlalchemy import text
        >>> from missionflow import open_store
        >>> with open_store("sqlite://") as store:
        ...     with store.transaction() as connection:
        ...         _ = connection.execute(text("CREATE TABLE app_note (text VARCHAR)"))
        ...         ref = store.create_mission(store.add_client("Acme").ref, "Logo").ref
        ...         _ = connection.execute(text("INSERT INTO app_note VALUES ('hello')"))
        ...     store.get_subject(ref).state
        'lead'
        """
        with self._db.transaction() as connection:
            yield connection

    def provide_facts(self, provider: FactsProvider, *, workflow: str | None = None) -> FactsProvider:
        """Give the guards of ``workflow``'s subjects (every subject's when None) the facts
        ``provider(subject, connection)`` reads from the application's tables, inside the fire's
        transaction and the same way for triggers, path_to and views. Returns ``provider``."""
        self._providers.add(provider, workflow)
        return provider

    # --- subjects ------------------------------------------------------------------------------

    def create_subject(
        self,
        workflow: str,
        *,
        ref: str | None = None,
        title: str = "",
        client: str | None = None,
        version: int | None = None,
        at: datetime | None = None,
    ) -> StoredSubject:
        """Open a subject of any workflow in its initial state, under the application's ``ref``
        (unique; ``M-<n>`` when None), optionally for a client (see SubjectBook.create). Its facts
        are the application's (see provide_facts); a freelance mission, with its terms, is opened
        with ``Store.create_mission``."""
        return self._subjects.create(workflow, ref=ref, title=title, client=client, version=version, at=at)

    def get_subject(self, ref: str) -> StoredSubject:
        """The subject (of any workflow) with its history."""
        return self._subjects.get(ref)

    def list_subjects(
        self, *, workflow: str | None = None, state: str | None = None, limit: int | None = None
    ) -> list[MissionSummary]:
        """Subjects of every workflow, most recently updated first, optionally of one workflow or state."""
        return self._subjects.list_all(workflow=workflow, state=state, limit=limit)

    def bump_version(self, ref: str) -> int:
        """Say that facts a provider reads for this subject changed: a fire that read it before
        fails with ConcurrentUpdateError instead of deciding on stale facts (see SubjectBook)."""
        return self._subjects.bump_version(ref)

    # --- firing (see missionflow.store.firing) -------------------------------------------------

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
    ) -> TransitionRecord:
        """Fire ``trigger`` on a subject: the new state, its history entry and the effects the
        transition declares are written together, or nothing is (see Firing.fire)."""
        return self._firing.fire(
            ref, trigger, actor=actor, note=note, at=at, data=data, idempotency_key=idempotency_key
        )

    def triggers(
        self,
        ref: str,
        *,
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        note: str = "",
        actor: str = "",
    ) -> list[TriggerOption]:
        """Every trigger from the subject's state, allowed or blocked with reasons, for ``actor``;
        the guards see what a fire would (the application's facts too); changes nothing."""
        return self._firing.triggers(ref, at=at, data=data, note=note, actor=actor)

    def path_to(self, ref: str, target: str, *, at: datetime | None = None, actor: str = "") -> PathReport:
        """The shortest way to ``target`` and what blocks each step today."""
        return self._firing.path_to(ref, target, at=at, actor=actor)

    def view(self, ref: str, *, at: datetime | None = None, actor: str = "") -> SubjectView:
        """The subject and the guard context a fire at ``at`` would decide in (for diagrams, reports)."""
        subject, _, context = self._firing.for_engine(ref, at, actor=actor)
        return SubjectView(subject, context)

    # --- history (see missionflow.store.history) -----------------------------------------------

    def history(self, ref: str) -> list[HistoryEntry]:
        """The subject's history entries, oldest first, with their chain hashes."""
        return self.audit.history(ref)

    def verify(self, ref: str | None = None, *, since: str | Anchor | None = None) -> list[VerifyFailure]:
        """Every problem of the history chains, the ledger and the rows it covers (one subject's, or
        all); an empty list means nothing was tampered with (see Audit.verify)."""
        return self.audit.verify(ref, since=since)

    def check_history(self, ref: str | None = None) -> None:
        """Raise HistoryTamperedError naming every problem :meth:`verify` finds."""
        self.audit.check(ref)

    @staticmethod
    def _id(connection: Connection, ref: str) -> int:
        found = subject_id(connection, ref)
        if found is None:
            raise MissionNotFoundError(ref)
        return found
