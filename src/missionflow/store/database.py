"""Choosing and opening the database: URLs and file paths, the default file, SQLite's settings,
migrations with Alembic, and turning driver errors into StorageError without any password.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, exc, inspect, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import PoolProxiedConnection

from missionflow.errors import ConcurrentUpdateError, StorageError

if TYPE_CHECKING:
    from alembic.config import Config

ENV_VAR = "MISSIONFLOW_DB"
APP_NAME = "missionflow"
DEFAULT_FILE = "missionflow.db"
VERSION_TABLE = "mf_alembic_version"
HEAD_REVISION = "0010"
"""The newest migration shipped with this version (a test checks it against the scripts): knowing it
without loading Alembic keeps opening an up-to-date database fast."""
BUSY_TIMEOUT_MS = 30_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
WRITE_OPTION = "missionflow_write"
"""Execution option marking a connection that starts a write transaction (BEGIN IMMEDIATE on SQLite)."""

_MIGRATION_LOCK = 7_212_024_601
"""PostgreSQL advisory lock key held while migrating, so two processes never migrate at once."""


def default_database_url() -> str:
    """The database to use when none is given: ``MISSIONFLOW_DB``, else a private SQLite file.

    The file lives in the user's data folder (``platformdirs.user_data_dir("missionflow")``),
    which is created readable by its owner only.
    """
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return _to_url(configured).render_as_string(hide_password=False)
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    _private_folder(folder)
    return f"sqlite:///{folder / DEFAULT_FILE}"


def _private_folder(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)


def _private_file(path: Path) -> None:
    """Create an SQLite file readable by its owner only before SQLite creates it with the umask."""
    if path.exists():
        return
    _private_folder(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    path.chmod(0o600)


def _looks_like_url(text: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) is not None


def _to_url(target: str) -> URL:
    """A SQLAlchemy URL from a URL or a file path; the error message never repeats the text."""
    if _looks_like_url(target):
        try:
            url = make_url(target)
        except (exc.ArgumentError, ValueError):
            raise StorageError(
                "the database URL cannot be read; write it like sqlite:///path/to/file.db "
                "or postgresql+psycopg://user@host/dbname"
            ) from None
        if url.drivername in ("postgresql", "postgres"):
            # psycopg 3 is the driver missionflow[postgresql] installs; SQLAlchemy's default is psycopg2.
            url = url.set(drivername="postgresql+psycopg")
        return url
    path = Path(target).expanduser().resolve()
    return URL.create("sqlite", database=str(path))


def display_url(url: URL) -> str:
    """The URL as it may be shown to a person: the password is always hidden."""
    return url.render_as_string(hide_password=True)


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite URL, or None for another database or an in-memory one."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def database_file(target: str | os.PathLike[str] | None) -> Path | None:
    """The SQLite file a database argument names (the default one when None), or None for another
    database: what files written from it take their permissions from."""
    text_target = os.fspath(target) if target is not None else ""
    try:
        url = _to_url(text_target) if text_target else make_url(default_database_url())
    except (StorageError, exc.ArgumentError, ValueError):
        return None
    return sqlite_file(url)


def resolve_url(target: str | os.PathLike[str] | None) -> URL:
    """The URL of a URL or a path (the default database when None); an SQLite file is created
    readable by its owner only."""
    text_target = os.fspath(target) if target is not None else ""
    url = _to_url(text_target) if text_target else make_url(default_database_url())
    file = sqlite_file(url)
    if file is not None:
        try:
            _private_file(file)
        except OSError as error:
            raise StorageError(f"cannot create the database file {file}: {error.strerror}") from None
    return url


def build_engine(target: str | os.PathLike[str] | None) -> tuple[Engine, URL]:
    """Create the engine for a URL or a path (the default database when None)."""
    url = resolve_url(target)
    options: dict[str, object] = {}
    if url.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
    try:
        engine = create_engine(url, **options)
    except ImportError as error:
        raise StorageError(
            f"no driver for {display_url(url)}: {error}; for PostgreSQL install missionflow[postgresql]"
        ) from None
    except exc.SQLAlchemyError as error:
        raise StorageError(f"cannot use {display_url(url)}: {type(error).__name__}") from None
    configure_engine(engine)
    return engine, url


def configure_engine(engine: Engine) -> None:
    """Give an engine what missionflow needs; on SQLite: WAL, foreign keys, a busy timeout, and
    transactions that SQLAlchemy begins (BEGIN IMMEDIATE for writes, so writers queue cleanly).

    This is SQLAlchemy's documented pysqlite recipe (disable the driver's own BEGIN, emit ours),
    applied lazily per connection so it also works for an application's engine with a warm pool.
    """
    if engine.dialect.name != "sqlite" or event.contains(engine, "begin", _sqlite_begin):
        return
    event.listen(engine, "begin", _sqlite_begin)


def _sqlite_begin(conn: Connection) -> None:
    record = conn.connection
    if not record.info.get("missionflow_ready"):
        _prepare_sqlite(record, conn.engine.url)
    write = bool(conn.get_execution_options().get(WRITE_OPTION))
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _prepare_sqlite(record: PoolProxiedConnection, url: URL) -> None:
    raw = record.dbapi_connection
    if raw is None:  # pragma: no cover - a checked-out connection always has one
        return
    raw.isolation_level = None  # pysqlite's own BEGIN is off: ours is the only one
    cursor = raw.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as error:
        # Raised by the driver itself here (not through SQLAlchemy): a file that is not a database.
        raise StorageError(f"{display_url(url)} cannot be opened as a database: {error}") from None
    finally:
        cursor.close()
    record.info["missionflow_ready"] = True


# --- migrations ------------------------------------------------------------------------------


def alembic_config(
    connection: Connection | None = None, keyring: Callable[[], object] | None = None
) -> Config:
    """Alembic's configuration, built in code: the scripts ship inside the package. ``keyring``
    gives the ledger's key ring to the migration that opens the ledger (the user's by default)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", VERSION_TABLE)
    if connection is not None:
        config.attributes["connection"] = connection
    if keyring is not None:
        config.attributes["ledger_keyring"] = keyring
    return config


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Only missionflow's own tables: an application may keep its tables in the same database."""
    if type_ == "table":
        return name is not None and name.startswith("mf_") and name != VERSION_TABLE
    return True


def head_revision() -> str:
    """The newest migration shipped with this version of missionflow."""
    return HEAD_REVISION


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None when missionflow's tables were never created)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revisions = [str(row[0]) for row in connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))]
    return revisions[0] if len(revisions) == 1 else None


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """On SQLite, foreign keys are not enforced while a migration rebuilds a table that others
    reference (SQLite's own procedure for changing a table), then checked and put back as they were.
    The pragma must be set outside a transaction, hence on the driver's connection."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    if raw is None:  # pragma: no cover - a checked-out connection always has one
        yield
        return
    cursor = raw.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys")
        enforced = cursor.fetchone() == (1,)
        cursor.execute("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            if enforced:
                cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA foreign_key_check")
        broken = cursor.fetchall()
    finally:
        cursor.close()
    if broken:  # pragma: no cover - the migrations keep every reference
        raise StorageError(f"the migration left {len(broken)} broken references; the database needs repair")


def upgrade(engine: Engine, revision: str = "head", keyring: Callable[[], object] | None = None) -> str:
    """Migrate to ``revision`` in one transaction (serialized between processes); returns the revision."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE_OPTION: True})
        with _foreign_keys_off(connection), connection.begin():
            if revision == "head" and current_revision(connection) == HEAD_REVISION:
                return HEAD_REVISION
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            # alembic is imported only when there is something to migrate: it costs a command ~0.1 s
            from alembic import command
            from alembic.util.exc import CommandError

            try:
                command.upgrade(alembic_config(connection, keyring), revision)
            except CommandError as error:
                raise StorageError(
                    f"cannot migrate {display_url(engine.url)}: {error}; "
                    "it may have been created by a newer version of missionflow"
                ) from None
            current = current_revision(connection)
    return current or ""


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Undo migrations down to ``revision`` (``base`` drops every missionflow table)."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE_OPTION: True})
        with _foreign_keys_off(connection), connection.begin():
            from alembic import command

            command.downgrade(alembic_config(connection), revision)


# --- errors ----------------------------------------------------------------------------------


def is_locked(error: BaseException) -> bool:
    """True for SQLite's "database is locked" (a writer waited longer than the busy timeout)."""
    return "database is locked" in str(error) or "database table is locked" in str(error)


def is_conflict(error: BaseException) -> bool:
    """True when the database refused a write because of another transaction (deadlock, serialization)."""
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return code in ("40001", "40P01")


def storage_error(error: exc.SQLAlchemyError, url: URL, mission: str | None = None) -> Exception:
    """The error to raise instead of a driver error: no SQL, no parameters, never the password."""
    if mission is not None and (is_locked(error) or is_conflict(error)):
        return ConcurrentUpdateError(mission)
    if is_locked(error):
        return StorageError(
            f"the database {display_url(url)} stayed locked by another process for "
            f"{BUSY_TIMEOUT_MS // 1000} s; nothing was written, try again"
        )
    original = getattr(error, "orig", None)
    detail = str(original if original is not None else error).strip().splitlines()
    reason = detail[0] if detail else type(error).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return StorageError(f"database error on {display_url(url)}: {reason}")


_application_error: ContextVar[BaseException | None] = ContextVar(
    "missionflow_application_error", default=None
)


@contextmanager
def application_code() -> Iterator[None]:
    """Run the application's code (a hook, a guard, a facts provider) inside the store's
    transaction: whatever it raises, its own database errors included, propagates unchanged."""
    try:
        yield
    except BaseException as error:
        _application_error.set(error)
        raise


@contextmanager
def translated(url: URL, mission: str | None = None) -> Iterator[None]:
    """Run a block and raise StorageError (or ConcurrentUpdateError) instead of a driver error;
    an error the application's own code raised passes through unchanged."""
    try:
        yield
    except exc.SQLAlchemyError as error:
        if _application_error.get() is error:
            raise
        raise storage_error(error, url, mission) from None
