"""A throwaway PostgreSQL server for the publishing example's tests, from the same helper as the
library's tests (under CI=true a missing server fails the tests instead of skipping them)."""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HELPER = Path(__file__).resolve().parents[3] / "tests" / "pgserver.py"


def _pgserver() -> ModuleType:
    name = "publishing_tests_pgserver"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HELPER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a fresh database on a PostgreSQL server started for this session."""
    pgserver = _pgserver()
    bindir = pgserver.find_bindir()
    if bindir is None:
        message = "PostgreSQL's server (initdb, pg_ctl) is not installed: install it with `apt-get install postgresql`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (required under CI=true)")
        pytest.skip(message)
    server: Any = pgserver.start_server(bindir)
    try:
        name = f"publishing_{uuid.uuid4().hex[:8]}"
        server.admin(f"CREATE DATABASE {name}")
        yield server.url(name)
    finally:
        server.stop()
