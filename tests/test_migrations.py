"""Alembic migrations: they build exactly the models' schema, round-trip down and up, run on first
use and ship inside the package (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

import missionflow
from missionflow import StorageError, open_store
from missionflow.store.database import (
    MIGRATIONS_DIR,
    VERSION_TABLE,
    downgrade,
    head_revision,
    include_name,
    upgrade,
)
from missionflow.store.models import Base


def schema_diff(engine: Engine) -> list[object]:
    """What autogenerate would change to make the database match the models (empty: identical)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "include_name": include_name, "version_table": VERSION_TABLE},
        )
        diff: list[object] = compare_metadata(context, Base.metadata)
        return diff


def our_tables(engine: Engine) -> set[str]:
    return {
        name for name in inspect(engine).get_table_names() if name.startswith("mf_") and name != VERSION_TABLE
    }


def test_migrations_build_exactly_the_models_schema(empty_url: str) -> None:
    """After upgrading an empty database to head, autogenerate finds no difference with the models."""
    engine = create_engine(empty_url)
    try:
        assert upgrade(engine) == head_revision()
        assert schema_diff(engine) == []
        assert our_tables(engine) == set(Base.metadata.tables)
    finally:
        engine.dispose()


def test_migrations_round_trip(empty_url: str) -> None:
    """Upgrade from empty, downgrade to base (no table left), upgrade again: same schema."""
    engine = create_engine(empty_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert our_tables(engine) == set()
        upgrade(engine)
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_first_use_migrates_and_migrate_is_idempotent(empty_url: str) -> None:
    """open_store creates the schema on first use; migrate() again is a no-op returning the head."""
    with open_store(empty_url) as store:
        assert store.migrate() == head_revision()
        store.add_client("Acme")
    with open_store(empty_url) as store:
        assert store.migrate() == head_revision()
        assert [c.name for c in store.list_clients()] == ["Acme"]


def test_a_database_from_a_newer_missionflow_is_refused(empty_url: str) -> None:
    """A revision this version does not know gives a StorageError, not a traceback from Alembic."""
    open_store(empty_url).close()
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE {VERSION_TABLE} SET version_num = '9999'")
    finally:
        engine.dispose()
    with pytest.raises(StorageError, match="newer version"):
        open_store(empty_url)
    with pytest.raises(StorageError, match="revision 9999"):
        open_store(empty_url, create=False)


def test_migrations_ship_inside_the_package() -> None:
    """The scripts live in the package (so the wheel carries them); no alembic.ini is needed."""
    package = Path(missionflow.__file__).resolve().parent
    assert MIGRATIONS_DIR.is_relative_to(package)
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert list((MIGRATIONS_DIR / "versions").glob("*.py"))
    assert not list(package.parent.parent.glob("alembic.ini"))


def test_the_known_head_is_the_newest_script() -> None:
    """HEAD_REVISION (used to skip loading Alembic on every open) names the newest migration script."""
    from alembic.script import ScriptDirectory

    from missionflow.store.database import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == head_revision()
