"""The one database every part of the store works through: its engine, a read transaction, a
write transaction (BEGIN IMMEDIATE on SQLite, so writers queue), driver errors translated, and
the schema migrated or checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


class Database:
    """An engine and how missionflow uses it: reads, writes, migrations."""

    def __init__(self, engine: Engine, url: URL, *, owns_engine: bool) -> None:
        self.engine = engine
        self.writer = engine.execution_options(**{WRITE_OPTION: True})
        self.url = url
        self.owns_engine = owns_engine
        self.url_for_display = display_url(url)
        self.before_commit: list[Callable[[Session], None]] = []
        """Run at the end of every write transaction of :meth:`writing`, inside it (the store's
        timers follow the missions the write changed)."""

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session in a read transaction."""
        with translated(self.url), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def writing(self, subject: str | None = None) -> Iterator[Session]:
        """A session in a write transaction, committed when the block ends without an exception.

        ``subject`` names what is written, so that losing a race reads ConcurrentUpdateError(subject).
        """
        with (
            translated(self.url, subject),
            Session(self.writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session
            for work in self.before_commit:
                work(session)

    @contextmanager
    def write_connection(self, subject: str | None = None) -> Iterator[Connection]:
        """A Core connection in a write transaction (the hot path of a fire)."""
        with translated(self.url, subject), self.writer.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def read_connection(self, subject: str | None = None) -> Iterator[Connection]:
        """A Core connection in a read transaction."""
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
