"""One interface over the synchronous and the async store, so that a contract test is written once
and runs against both (each on SQLite and PostgreSQL).

Scenarios are ``async def`` functions taking a Driver. The synchronous store's calls run in a
worker thread (``asyncio.to_thread``, which carries the task's context, so an open
``store.transaction()`` is joined there too): eight fires gathered at once are eight concurrent
fires for both stores.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection

from missionflow import HookEvent, Hooks, PathReport, Subject, TransitionRecord, TriggerOption
from missionflow.store import (
    AsyncStore,
    HistoryEntry,
    Store,
    StoredSubject,
    SubjectView,
    open_async_store,
    open_store,
)

KINDS = ["sync", "async"]


class Tx:
    """The application's side of an open transaction: its own SQL, on the store's connection."""

    def __init__(self, connection: Connection | AsyncConnection) -> None:
        self.connection = connection

    async def execute(self, sql: str, **params: object) -> Any:
        """Run one statement of the application's; its result (rows fetched)."""
        statement: TextClause = text(sql)
        if isinstance(self.connection, AsyncConnection):
            result = await self.connection.execute(statement, params)
        else:
            result = self.connection.execute(statement, params)
        return result.all() if result.returns_rows else None


class Driver:
    """A store of either kind behind one async interface."""

    def __init__(self, kind: str, store: Store | AsyncStore) -> None:
        self.kind = kind
        self.store = store

    @property
    def hooks(self) -> Hooks:
        return self.store.hooks

    async def call(self, name: str, *args: object, **kwargs: object) -> Any:
        method = getattr(self.store, name)
        if isinstance(self.store, AsyncStore):
            return await method(*args, **kwargs)
        return await asyncio.to_thread(method, *args, **kwargs)

    async def create_subject(self, workflow: str, **options: object) -> StoredSubject:
        return await self.call("create_subject", workflow, **options)  # type: ignore[no-any-return]

    async def get_subject(self, ref: str) -> StoredSubject:
        return await self.call("get_subject", ref)  # type: ignore[no-any-return]

    async def fire(self, ref: str, trigger: str, **options: object) -> TransitionRecord:
        return await self.call("fire", ref, trigger, **options)  # type: ignore[no-any-return]

    async def triggers(self, ref: str, **options: object) -> list[TriggerOption]:
        return await self.call("triggers", ref, **options)  # type: ignore[no-any-return]

    async def path_to(self, ref: str, target: str, **options: object) -> PathReport:
        return await self.call("path_to", ref, target, **options)  # type: ignore[no-any-return]

    async def view(self, ref: str, **options: object) -> SubjectView:
        return await self.call("view", ref, **options)  # type: ignore[no-any-return]

    async def history(self, ref: str) -> list[HistoryEntry]:
        return await self.call("history", ref)  # type: ignore[no-any-return]

    async def verify(self) -> list[object]:
        return await self.call("verify")  # type: ignore[no-any-return]

    async def bump_version(self, ref: str) -> int:
        return await self.call("bump_version", ref)  # type: ignore[no-any-return]

    def provide_sql_facts(self, workflow: str, sql: str, names: tuple[str, ...]) -> None:
        """A facts provider running ``sql`` (with ``:ref``) on the store's connection: its one row's
        columns are the facts ``names`` (all None when there is no row)."""

        def facts_of(row: Any) -> Mapping[str, object]:
            return dict(zip(names, row, strict=True)) if row is not None else dict.fromkeys(names)

        if isinstance(self.store, AsyncStore):

            async def read_async(subject: Subject, connection: object) -> Mapping[str, object]:
                assert isinstance(connection, AsyncConnection)
                result = await connection.execute(text(sql), {"ref": subject.ref})
                return facts_of(result.first())

            self.store.provide_facts(read_async, workflow=workflow)
        else:

            def read(subject: Subject, connection: object) -> Mapping[str, object]:
                assert isinstance(connection, Connection)
                return facts_of(connection.execute(text(sql), {"ref": subject.ref}).first())

            self.store.provide_facts(read, workflow=workflow)

    def after_sql(self, sql: str) -> None:
        """An after-hook running the application's ``sql`` (with ``:ref``) in the fire's transaction."""
        if isinstance(self.store, AsyncStore):

            async def write_async(event: HookEvent) -> None:
                assert isinstance(event.connection, AsyncConnection)
                await event.connection.execute(text(sql), {"ref": event.subject.ref})

            self.store.hooks.after()(write_async)
        else:

            def write(event: HookEvent) -> None:
                assert isinstance(event.connection, Connection)
                event.connection.execute(text(sql), {"ref": event.subject.ref})

            self.store.hooks.after()(write)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        if isinstance(self.store, AsyncStore):
            async with self.store.transaction() as connection:
                yield Tx(connection)
        else:
            with self.store.transaction() as connection:
                yield Tx(connection)


@asynccontextmanager
async def open_driver(kind: str, url: str) -> AsyncIterator[Driver]:
    """A store of ``kind`` on the database at ``url`` (already migrated), closed after the block."""
    if kind == "async":
        async_store = await open_async_store(url, create=False)
        try:
            yield Driver(kind, async_store)
        finally:
            await async_store.close()
    else:
        store = await asyncio.to_thread(open_store, url, create=False)
        try:
            yield Driver(kind, store)
        finally:
            store.close()


def run_scenario(kind: str, url: str, scenario: Callable[[Driver], Awaitable[None]]) -> None:
    """Run ``scenario`` against a store of ``kind`` in a fresh event loop."""

    async def main() -> None:
        async with open_driver(kind, url) as driver:
            await scenario(driver)

    asyncio.run(main())


AT = datetime.fromisoformat("2026-03-02T10:00:00+00:00")
