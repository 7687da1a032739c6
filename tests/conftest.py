"""Shared fixtures: the databases the persistence tests run on (SQLite and a real PostgreSQL),
and the policy for tests that need a program installed on the machine.

A missing program skips its tests with what to install, except under ``CI=true`` where it
fails them: CI must run everything.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from missionflow import Store, open_store
from missionflow.store import ledger_keys
from missionflow.testing import identify
from missionflow.workflow import WorkflowRegistry, isolated_registries


def _load_helper(name: str) -> ModuleType:
    """Import a helper module next to this file (tests are not a package under importlib mode)."""
    module_name = f"missionflow_tests_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


pgserver = _load_helper("pgserver")

TEST_LEDGER_KEY = "dGVzdC1sZWRnZXIta2V5LW5vdC1hLXNlY3JldC0wMDA="
"""The key ring every test seals its ledger with (tests that check key files unset it): set for the
whole session, so that worker processes inherit it and no test writes a key into the home folder."""
os.environ[ledger_keys.KEY_ENV] = TEST_LEDGER_KEY


def missing_program(what: str, package: str) -> None:
    """Skip the test (or fail it under CI=true) because ``what`` is not installed."""
    message = f"{what} is not installed: install it with `apt-get install {package}`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (required under CI=true)")
    pytest.skip(message)


def _require_binary(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing_program(f"the program {name!r}", package)
        raise AssertionError("unreachable")  # pragma: no cover - skip and fail raise
    return found


@pytest.fixture
def require_binary() -> Callable[[str, str], str]:
    """A function ``require_binary(name, package)`` returning the program's path, or skipping the test
    (failing it under CI=true) with the package to install."""
    return _require_binary


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A throwaway PostgreSQL server on 127.0.0.1 for the whole session, stopped at the end."""
    bindir = pgserver.find_bindir()
    if bindir is None:
        missing_program("PostgreSQL's server (initdb, pg_ctl)", "postgresql")
    server = pgserver.start_server(bindir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: Any) -> str:
    """A database migrated to the newest schema once; tests get copies of it, which is fast."""
    name = "mf_template"
    postgres_server.admin(f"CREATE DATABASE {name}")
    open_store(postgres_server.url(name)).close()
    return name


@pytest.fixture
def postgres_database(
    postgres_server: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[[bool], str]]:
    """A factory of fresh databases: ``make(migrated)`` gives the URL of a new database, at head or empty."""
    created: list[str] = []

    def make(migrated: bool) -> str:
        name = f"mf_test_{uuid.uuid4().hex[:12]}"
        if migrated:
            template: str = request.getfixturevalue("postgres_template")
            postgres_server.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        else:
            postgres_server.admin(f"CREATE DATABASE {name}")
        created.append(name)
        url: str = postgres_server.url(name)
        return url

    yield make
    for name in created:
        postgres_server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=DATABASES)
def db_kind(request: pytest.FixtureRequest) -> str:
    """Which database a parametrized test runs on: "sqlite" or "postgresql"."""
    kind: str = request.param
    return kind


@pytest.fixture
def store_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database with missionflow's tables, on SQLite and on PostgreSQL."""
    if db_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'missionflow.db'}"
        open_store(url).close()
        return url
    make: Callable[[bool], str] = request.getfixturevalue("postgres_database")
    return make(True)


@pytest.fixture
def empty_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database without any table, on SQLite and on PostgreSQL."""
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    make: Callable[[bool], str] = request.getfixturevalue("postgres_database")
    return make(False)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open store on a fresh database (both kinds) of a freelancer whose identity is set, as every
    invoice needs (see ``testing.identify``), closed after the test."""
    with open_store(store_url) as opened:
        identify(opened)
        yield opened


@pytest.fixture
def app_engine(store_url: str) -> Iterator[Engine]:
    """An application's engine on the test's database (the first of ``two_stores`` is opened on it)."""
    engine = create_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def configured() -> bool:
    """Whether open_store configures the application's engine in ``two_stores`` (a test may parametrize it)."""
    return True


@pytest.fixture
def two_stores(store_url: str, app_engine: Engine, configured: bool) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database; the first is opened on ``app_engine``, which the test can listen to,
    configured by missionflow unless ``configured`` says otherwise."""
    first = open_store(engine=app_engine, configure_engine=configured)
    second = open_store(store_url)
    yield first, second
    first.close()
    second.close()


@pytest.fixture(autouse=True)
def no_user_workflows(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's configuration folder is an empty one of the test's (the CLI's subprocesses
    inherit it) and MISSIONFLOW_WORKFLOWS is unset: no test sees the workflows of whoever runs it."""
    config = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("MISSIONFLOW_WORKFLOWS", raising=False)
    return config


@pytest.fixture(autouse=True)
def isolated(no_user_workflows: Path) -> Iterator[WorkflowRegistry]:
    """Guards, effects and workflows a test registers are forgotten after it: no test sees another's."""
    with isolated_registries() as registry:
        yield registry
