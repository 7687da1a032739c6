"""The one database every part of the store works through: its engine, a read transaction, a
write transaction (BEGIN IMMEDIATE on SQLite when the store configured the engine, so writers
queue) that seals what it wrote in the ledger as its last statements, driver errors translated,
and the schema migrated or checked.

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

from missionflow.errors import InvalidValueError, StorageError
from missionflow.store import database, ledger
from missionflow.store.database import WRITE_OPTION, display_url, translated
from missionflow.store.ledger_keys import KeyRing, load_keyring
from missionflow.store.limits import StoreSession, check_day
from missionflow.workflow import aware


def now() -> datetime:
    """The current moment, in UTC."""
    return datetime.now(UTC)


def utc(at: datetime | None, field: str = "at") -> datetime:
    """``at`` in UTC, now when None; a time without a timezone, or outside the years the store
    keeps (limits.FIRST_DAY..LAST_DAY), is refused (InvalidValueError)."""
    moment = aware(at)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise InvalidValueError(field, f"{moment.isoformat()} is outside the calendar") from None
    check_day(field, moment)
    return moment


def rowcount(result: object) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return cast(CursorResult[Any], result).rowcount


@contextmanager
def unreadable(where: str) -> Iterator[None]:
    """A value the database holds that cannot be read as its column's type (a time that is not one,
    JSON that does not parse: someone wrote it by hand) is a StorageError, not a crash."""
    try:
        yield
    except ValueError as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise StorageError(
            f"{where} holds a value that cannot be read ({detail[:80]}); "
            "run missionflow verify to find the row"
        ) from None


@dataclass
class OpenTransaction:
    """The transaction every store call of this context joins, and what waits for its commit."""

    connection: Connection
    after_commit: list[Callable[[], None]] = field(default_factory=list)


class Database:
    """An engine and how missionflow uses it: reads, writes, composed transactions, migrations."""

    def __init__(
        self,
        engine: Engine,
        url: URL,
        *,
        owns_engine: bool,
        clock: Callable[[], datetime] | None = None,
        keyring: KeyRing | None = None,
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
        self._keyring = keyring

    @property
    def keyring(self) -> KeyRing:
        """The ledger's key ring: the application's, else the user's (read on first need)."""
        if self._keyring is None:
            self._keyring = load_keyring()
        return self._keyring

    @contextmanager
    def sealing(self, connection: Connection, *, outermost: bool) -> Iterator[None]:
        """Seal in the ledger, as the last statements of the block, what it noted; a block that fails
        drops its notes (inside a composed transaction, the notes of the enclosing writes stay)."""
        if outermost:
            ledger.discard(connection)  # a connection taken from the pool starts with no notes
        mark = ledger.mark(connection)
        try:
            yield
        except BaseException:
            ledger.discard(connection, mark)
            raise
        ledger.seal(connection, self.keyring)

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
                unreadable(self.url_for_display),
                StoreSession(
                    bind=current.connection, expire_on_commit=False, join_transaction_mode="rollback_only"
                ) as session,
            ):
                yield session
            return
        with (
            translated(self.url),
            unreadable(self.url_for_display),
            StoreSession(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
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
                unreadable(self.url_for_display),
                StoreSession(
                    bind=current.connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
                ) as session,
                session.begin(),
                self.sealing(current.connection, outermost=False),
            ):
                yield session
                for settle in self.before_commit:
                    settle(session)
                session.flush()
            return
        with (
            translated(self.url, subject),
            unreadable(self.url_for_display),
            StoreSession(self.writer, expire_on_commit=False) as session,
            session.begin(),
            self.joined(session.connection()) as joined,
            self.sealing(joined.connection, outermost=True),
        ):
            yield session
            for settle in self.before_commit:
                settle(session)
            session.flush()
        for work in joined.after_commit:
            work()

    @contextmanager
    def write_connection(self, subject: str | None = None) -> Iterator[Connection]:
        """A Core connection in a write transaction (the hot path of a fire); every store call made
        inside the block joins it."""
        current = self._open.get()
        if current is not None:
            with (
                translated(self.url, subject),
                unreadable(self.url_for_display),
                self._savepoint(current.connection),
                self.sealing(current.connection, outermost=False),
            ):
                yield current.connection
            return
        with (
            translated(self.url, subject),
            unreadable(self.url_for_display),
            self.writer.connect() as connection,
            connection.begin(),
            self.joined(connection) as joined,
            self.sealing(connection, outermost=True),
        ):
            yield connection
        for work in joined.after_commit:
            work()

    @contextmanager
    def read_connection(self, subject: str | None = None) -> Iterator[Connection]:
        """A Core connection in a read transaction (the open transaction's, inside :meth:`transaction`)."""
        current = self._open.get()
        if current is not None:
            with translated(self.url, subject), unreadable(self.url_for_display):
                yield current.connection
            return
        with (
            translated(self.url, subject),
            unreadable(self.url_for_display),
            self.engine.connect() as connection,
            connection.begin(),
        ):
            yield connection

    def migrate(self) -> str:
        """Bring the schema to the newest revision (a no-op when it is there); returns the revision."""
        with translated(self.url):
            return database.upgrade(self.engine, keyring=lambda: self.keyring)

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
