"""The one database every part of the store works through: its engine, a read transaction, a
write transaction (BEGIN IMMEDIATE on SQLite, so writers queue) that seals what it wrote in the
ledger as its last statements, driver errors translated, and the schema migrated or checked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


class Database:
    """An engine and how missionflow uses it: reads, writes, migrations."""

    def __init__(
        self, engine: Engine, url: URL, *, owns_engine: bool, keyring: KeyRing | None = None
    ) -> None:
        self.engine = engine
        self.writer = engine.execution_options(**{WRITE_OPTION: True})
        self.url = url
        self.owns_engine = owns_engine
        self.url_for_display = display_url(url)
        self._keyring = keyring

    @property
    def keyring(self) -> KeyRing:
        """The ledger's key ring: the application's, else the user's (read on first need)."""
        if self._keyring is None:
            self._keyring = load_keyring()
        return self._keyring

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session in a read transaction; a stored value that cannot be read is a StorageError."""
        with (
            translated(self.url),
            unreadable(self.url_for_display),
            StoreSession(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def writing(self, subject: str | None = None) -> Iterator[Session]:
        """A session in a write transaction, committed when the block ends without an exception.

        ``subject`` names what is written, so that losing a race reads ConcurrentUpdateError(subject).
        """
        with (
            translated(self.url, subject),
            unreadable(self.url_for_display),
            StoreSession(self.writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            connection = session.connection()
            with self.sealing(connection):
                yield session
                session.flush()

    @contextmanager
    def write_connection(self, subject: str | None = None) -> Iterator[Connection]:
        """A Core connection in a write transaction (the hot path of a fire)."""
        with (
            translated(self.url, subject),
            unreadable(self.url_for_display),
            self.writer.connect() as connection,
            connection.begin(),
            self.sealing(connection),
        ):
            yield connection

    @contextmanager
    def sealing(self, connection: Connection) -> Iterator[None]:
        """Seal in the ledger what the block noted, when it ends without an exception."""
        ledger.discard(connection)
        try:
            yield
            ledger.seal(connection, self.keyring)
        finally:
            ledger.discard(connection)

    @contextmanager
    def read_connection(self, subject: str | None = None) -> Iterator[Connection]:
        """A Core connection in a read transaction."""
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
