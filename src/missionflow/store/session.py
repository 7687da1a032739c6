"""The one database every part of the store works through: its engine, a read transaction, a
write transaction (BEGIN IMMEDIATE on SQLite when the store configured the engine, so writers
queue), driver errors translated, and the schema migrated or checked.

Transactions compose: inside :meth:`Database.transaction` (``store.transaction()``) every read
and write of the store runs on the application's connection, each write in a SAVEPOINT (a
refused fire leaves the application's transaction usable), and the after-commit work of each
write waits until the application's transaction commits (and is dropped when it rolls back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from missionflow.errors import StorageError
from missionflow.store import database
from missionflow.store.database import WRITE_OPTION, display_url, translated
from missionflow.workflow import aware


def now() -> datetime:
    """The current moment, in UTC."""
    return datetime.now(UTC)


def utc(at: datetime | None) -> datetime:
    """``at`` in UTC, now when None; a time without a timezone is refused (InvalidValueError)."""
    return aware(at).astimezone(UTC)


def rowcount(result: object) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return cast(CursorResult[Any], result).rowcount


@dataclass
class OpenTransaction:
    """The transaction every store call of this context joins, and what waits for its commit."""

    connection: Connection
    after_commit: list[Callable[[], None]] = field(default_factory=list)


class Database:
    """An engine and how missionflow uses it: reads, writes, composed transactions, migrations."""

    def __init__(
        self, engine: Engine, url: URL, *, owns_engine: bool, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.engine = engine
        self.clock: Callable[[], datetime] = clock or now
        """What time it is: a step, payment or signature more than a day after it is refused."""
        self.writer = engine.execution_options(**{WRITE_OPTION: True})
        self.url = url
        self.owns_engine = owns_engine
        self.url_for_display = display_url(url)
        self.before_commit: list[Callable[[Session], None]] = []
        """Run at the end of every write transaction of :meth:`writing`, inside it (the store's
        timers follow the missions the write changed)."""
        self._open: ContextVar[OpenTransaction | None] = ContextVar(
            f"missionflow_transaction_{id(self)}", default=None
        )

    @property
    def in_transaction(self) -> bool:
        """True inside :meth:`transaction` (or :meth:`joined`) in this thread or task."""
        return self._open.get() is not None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction that every store call inside the block joins; committed when the
        block ends, rolled back when it raises (the exception propagates unchanged). Nested, it is a
        SAVEPOINT of the one already open."""
        current = self._open.get()
        if current is not None:
            with self._savepoint(current.connection):
                yield current.connection
            return
        with translated(self.url):
            connection = self.writer.connect()
        try:
            with translated(self.url):
                outer = connection.begin()
            with self.joined(connection) as joined:
                try:
                    yield connection  # the application's code runs here: its errors are its own
                except BaseException:
                    with translated(self.url):
                        outer.rollback()
                    raise
                with translated(self.url):
                    outer.commit()
            for work in joined.after_commit:
                work()
        finally:
            connection.close()

    @contextmanager
    def joined(self, connection: Connection | OpenTransaction) -> Iterator[OpenTransaction]:
        """Inside the block, the store's calls run on ``connection`` (already in a transaction)."""
        opened = connection if isinstance(connection, OpenTransaction) else OpenTransaction(connection)
        token = self._open.set(opened)
        try:
            yield opened
        finally:
            self._open.reset(token)

    def after_commit(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the data it reports on is committed: now, or when the open transaction
        commits (never, when it rolls back)."""
        current = self._open.get()
        if current is None:
            work()
        else:
            current.after_commit.append(work)

    @contextmanager
    def _savepoint(self, connection: Connection) -> Iterator[None]:
        with translated(self.url):
            savepoint = connection.begin_nested()
        try:
            yield
        except BaseException:
            if savepoint.is_active:
                with translated(self.url):
                    savepoint.rollback()
            raise
        with translated(self.url):
            savepoint.commit()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session in a read transaction (the open transaction's, inside :meth:`transaction`)."""
        current = self._open.get()
        if current is not None:
            with (
                translated(self.url),
                Session(
                    bind=current.connection, expire_on_commit=False, join_transaction_mode="rollback_only"
                ) as session,
            ):
                yield session
            return
        with translated(self.url), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def writing(self, subject: str | None = None) -> Iterator[Session]:
        """A session in a write transaction, committed when the block ends without an exception
        (a SAVEPOINT of the open transaction, inside :meth:`transaction`).

        ``subject`` names what is written, so that losing a race reads ConcurrentUpdateError(subject).
        """
        current = self._open.get()
        if current is not None:
            with (
                translated(self.url, subject),
                Session(
                    bind=current.connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
                ) as session,
                session.begin(),
            ):
                yield session
                for settle in self.before_commit:
                    settle(session)
            return
        with (
            translated(self.url, subject),
            Session(self.writer, expire_on_commit=False) as session,
            session.begin(),
            self.joined(session.connection()) as joined,
        ):
            yield session
            for settle in self.before_commit:
                settle(session)
        for work in joined.after_commit:
            work()

    @contextmanager
    def write_connection(self, subject: str | None = None) -> Iterator[Connection]:
        """A Core connection in a write transaction (the hot path of a fire); every store call made
        inside the block joins it."""
        current = self._open.get()
        if current is not None:
            with translated(self.url, subject), self._savepoint(current.connection):
                yield current.connection
            return
        with (
            translated(self.url, subject),
            self.writer.connect() as connection,
            connection.begin(),
            self.joined(connection) as joined,
        ):
            yield connection
        for work in joined.after_commit:
            work()

    @contextmanager
    def read_connection(self, subject: str | None = None) -> Iterator[Connection]:
        """A Core connection in a read transaction (the open transaction's, inside :meth:`transaction`)."""
        current = self._open.get()
        if current is not None:
            with translated(self.url, subject):
                yield current.connection
            return
        with translated(self.url, subject), self.engine.connect() as connection, connection.begin():
            yield connection

    def migrate(self) -> str:
        """Bring the schema to the newest revision (a no-op when it is there); returns the revision."""
        with translated(self.url):
            return database.upgrade(self.engine)

    def check_schema(self) -> None:
        """Raise StorageError unless the database holds missionflow's tables at the newest revision."""
        with translated(self.url), self.engine.connect() as connection:
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
        """Release the connections (an engine given by the application stays open)."""
        if self.owns_engine:
            self.engine.dispose()
