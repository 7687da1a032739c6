"""Where a writer can lose a race between its read and its write, for the race tests.

A plain fire on SQLite reads inside its write transaction (BEGIN IMMEDIATE), so no other writer
fits in between; with hooks (decided outside the write transaction), or on PostgreSQL (which reads
before it locks), the version check is what stops the loser.
"""

from __future__ import annotations

import pytest

RACE_WINDOWS = [
    pytest.param("sqlite", True, id="sqlite-hooked"),
    pytest.param("postgresql", False, id="postgresql-plain", marks=pytest.mark.postgresql),
    pytest.param("postgresql", True, id="postgresql-hooked", marks=pytest.mark.postgresql),
]
