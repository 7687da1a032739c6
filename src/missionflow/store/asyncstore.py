"""The async store: the same store, with the same semantics, on SQLAlchemy's asyncio extension
(aiosqlite for SQLite, psycopg's async mode for PostgreSQL).

It does not duplicate the store's logic: every call runs the synchronous store's code inside
SQLAlchemy's greenlet bridge (``greenlet_spawn``), the way ``AsyncSession`` wraps a ``Session``.
Inside the bridge the database driver is awaited for it, and so are the application's
``async def`` guards, hooks and facts providers; hooks and providers are given an
``AsyncConnection`` on the transaction's connection.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from types import TracebackType
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import await_only, greenlet_spawn

from missionflow.errors import InvalidValueError, StorageError
from missionflow.store import database
from missionflow.store.chain import HistoryEntry, VerifyFailure
from missionflow.store.core import SubjectView
from missionflow.store.database import WRITE_OPTION, display_url, translated
from missionflow.store.providers import FactsProvider
from missionflow.store.records import MissionSummary
from missionflow.store.session import OpenTransaction
from missionflow.store.store import Store
from missionflow.store.subjects import StoredSubject
from missionflow.workflow import Hooks, PathReport, TransactionConnection, TransitionRecord, TriggerOption
from missionflow.workflow.awaiting import awaiting

P = ParamSpec("P")
T = TypeVar("T")

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}


def _awaited(awaitable: object) -> object:
    return await_only(awaitable)  # type: ignore[arg-type]  # settle hands only awaitables


class AsyncStore:
    """Subjects (and missions) in SQLite or PostgreSQL, from asyncio code: every method of the
    synchronous store's core is here as a coroutine, with the same transactions, checks and
    errors; :meth:`run` calls any other method of :class:`Store` (the freelance trade's).

    ``async def`` guards, hooks and facts providers are awaited; hooks and providers get an
    ``AsyncConnection`` on the transaction they run in.
    """

    def __init__(
        self, engine: AsyncEngine, url: URL, *, owns_engine: bool, hooks: Hooks | None = None
    ) -> None:
        self._engine = engine
        self._owns_engine = owns_engine
        self._store = Store(
            engine.sync_engine,
            url,
            owns_engine=False,
            hooks=hooks,
            allow_async=True,
            app_connection=self._async_connection,
        )
        self.hooks = self._store.hooks
        """The application's hooks (``async def`` ones too), run by every fire."""
        self.url_for_display = display_url(url)
        """The database's URL with its password hidden, safe to print."""
        self._open: ContextVar[OpenTransaction | None] = ContextVar(
            f"missionflow_async_{id(self)}", default=None
        )

    def _async_connection(self, connection: Connection) -> TransactionConnection:
        return AsyncConnection(self._engine, connection)

    async def run(self, method: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Call ``method`` of :class:`Store` (``Store.add_client``...) with the same semantics.

        >>> import asyncio
        >>> async def main():
        ...     async with await open_async_store("sqlite+aiosqlite://") as store:
        ...         return (await store.run(Store.add_client, "Acme")).ref
        >>> asyncio.run(main())
        'C-1'
        """
        return await greenlet_spawn(self._bridged, method, args, kwargs)

    def _bridged(self, method: Callable[..., T], args: tuple[object, ...], kwargs: Mapping[str, object]) -> T:
        """Inside the bridge: join the open transaction of this task, if any, and await what the
        application's code returns."""
        opened = self._open.get()
        with awaiting(_awaited):
            if opened is None:
                return method(self._store, *args, **kwargs)
            with self._store._db.joined(opened):
                return method(self._store, *args, **kwargs)

    async def migrate(self) -> str:
        """Bring the schema to the newest revision (a no-op when it is there); returns the revision."""
        return await self.run(Store.migrate)

    async def check_schema(self) -> None:
        """Raise StorageError unless the database holds missionflow's tables at the newest revision."""
        await self.run(Store.check_schema)

    async def close(self) -> None:
        """Release the connections (an engine given by the application stays open)."""
        if self._owns_engine:
            await self._engine.dispose()

    async def __aenter__(self) -> AsyncStore:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<AsyncStore {self.url_for_display}>"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One transaction for the store's calls inside the block (in this task) and the
        application's own SQL on the AsyncConnection it yields: committed or rolled back together,
        the application's exception propagating unchanged; after_commit hooks run once it
        committed. Nested, it is a SAVEPOINT of the one already open."""
        opened = self._open.get()
        if opened is not None:
            outer = AsyncConnection(self._engine, opened.connection)
            async with outer.begin_nested():
                yield outer
            return
        with translated(self._store._db.url):
            connection = await self._engine.connect()
        try:
            connection = await connection.execution_options(**{WRITE_OPTION: True})
            with translated(self._store._db.url):
                await connection.begin()
            opened = OpenTransaction(connection.sync_connection)  # type: ignore[arg-type]
            token = self._open.set(opened)
            try:
                yield connection  # the application's code runs here: its errors are its own
            except BaseException:
                with translated(self._store._db.url):
                    await connection.rollback()
                raise
            finally:
                self._open.reset(token)
            with translated(self._store._db.url):
                await connection.commit()
            if opened.after_commit:
                await greenlet_spawn(self._after_commit, opened)
        finally:
            await connection.close()

    @staticmethod
    def _after_commit(opened: OpenTransaction) -> None:
        with awaiting(_awaited):
            for work in opened.after_commit:
                work()

    def provide_facts(self, provider: FactsProvider, *, workflow: str | None = None) -> FactsProvider:
        """Give guards the facts ``provider(subject, connection)`` reads (``async def`` allowed; the
        connection is an AsyncConnection); see Store.provide_facts."""
        return self._store.provide_facts(provider, workflow=workflow)

    async def create_subject(
        self,
        workflow: str,
        *,
        ref: str | None = None,
        title: str = "",
        client: str | None = None,
        version: int | None = None,
        at: datetime | None = None,
    ) -> StoredSubject:
        """Open a subject of any workflow (see Store.create_subject)."""
        return await self.run(
            Store.create_subject, workflow, ref=ref, title=title, client=client, version=version, at=at
        )

    async def get_subject(self, ref: str) -> StoredSubject:
        """The subject with its history (see Store.get_subject)."""
        return await self.run(Store.get_subject, ref)

    async def list_subjects(
        self, *, workflow: str | None = None, state: str | None = None, limit: int | None = None
    ) -> list[MissionSummary]:
        """Subjects, most recently updated first (see Store.list_subjects)."""
        return await self.run(Store.list_subjects, workflow=workflow, state=state, limit=limit)

    async def bump_version(self, ref: str) -> int:
        """Say that facts a provider reads for this subject changed (see Store.bump_version)."""
        return await self.run(Store.bump_version, ref)

    async def fire(
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
        """Fire ``trigger`` on a subject (see Store.fire)."""
        return await self.run(
            Store.fire,
            ref,
            trigger,
            actor=actor,
            note=note,
            at=at,
            data=data,
            idempotency_key=idempotency_key,
        )

    async def triggers(
        self,
        ref: str,
        *,
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        note: str = "",
        actor: str = "",
    ) -> list[TriggerOption]:
        """Every trigger from the subject's state, allowed or blocked with reasons (see Store.triggers)."""
        return await self.run(Store.triggers, ref, at=at, data=data, note=note, actor=actor)

    async def path_to(
        self, ref: str, target: str, *, at: datetime | None = None, actor: str = ""
    ) -> PathReport:
        """The shortest way to ``target`` and what blocks each step (see Store.path_to)."""
        return await self.run(Store.path_to, ref, target, at=at, actor=actor)

    async def view(self, ref: str, *, at: datetime | None = None, actor: str = "") -> SubjectView:
        """The subject and the guard context a fire would decide in (see Store.view)."""
        return await self.run(Store.view, ref, at=at, actor=actor)

    async def history(self, ref: str) -> list[HistoryEntry]:
        """The subject's history entries with their chain hashes (see Store.history)."""
        return await self.run(Store.history, ref)

    async def verify(self, ref: str | None = None) -> list[VerifyFailure]:
        """Check the history chains (see Store.verify)."""
        return await self.run(Store.verify, ref)


async def open_async_store(
    url: str | os.PathLike[str] | None = None,
    *,
    engine: AsyncEngine | None = None,
    create: bool = True,
    hooks: Hooks | None = None,
    configure_engine: bool = False,
) -> AsyncStore:
    """Open the async store: a file path, a URL (its driver made async: aiosqlite, psycopg) or an
    application's AsyncEngine (changed only with ``configure_engine=True``, as for open_store).

    >>> import asyncio
    >>> async def main():
    ...     async with await open_async_store("sqlite+aiosqlite://") as store:
    ...         return store.url_for_display
    >>> asyncio.run(main())
    'sqlite+aiosqlite://'
    """
    if engine is not None and url is not None:
        raise InvalidValueError("url", "give a database URL or an engine, not both")
    if engine is not None:
        if configure_engine:
            database.configure_engine(engine.sync_engine)
        store = AsyncStore(engine, engine.url, owns_engine=False, hooks=hooks)
    else:
        resolved = database.resolve_url(url)
        driver = _ASYNC_DRIVERS.get(resolved.get_backend_name())
        if driver is None:
            raise StorageError(f"no async driver for {display_url(resolved)}: use SQLite or PostgreSQL")
        resolved = resolved.set(drivername=driver)
        options: dict[str, object] = {}
        if driver.startswith("sqlite"):
            options["connect_args"] = {"timeout": database.BUSY_TIMEOUT_MS / 1000}
        try:
            built = create_async_engine(resolved, **options)
        except ImportError as error:
            raise StorageError(f"no async driver for {display_url(resolved)}: {error}") from None
        except exc.SQLAlchemyError as error:
            raise StorageError(f"cannot use {display_url(resolved)}: {type(error).__name__}") from None
        database.configure_engine(built.sync_engine)
        store = AsyncStore(built, resolved, owns_engine=True, hooks=hooks)
    try:
        if create:
            await store.migrate()
        else:
            await store.check_schema()
    except BaseException:
        await store.close()
        raise
    return store
