"""Where a writer can lose a race between its read and its write, for the race tests.

A fire reads inside its write transaction. On SQLite, when the store configured the engine
(BEGIN IMMEDIATE), no other writer fits in between, hooks or not; on an engine it left as the
application made it (the driver's own transactions begin at the first write), and on PostgreSQL
(which reads before it locks), the version check is what stops the loser. Each window names the
database, whether the fire has hooks, and whether open_store configured the application's engine.
"""

from __future__ import annotations

import pytest

RACE_WINDOWS = [
    pytest.param("sqlite", False, False, id="sqlite-unconfigured"),
    pytest.param("sqlite", True, False, id="sqlite-unconfigured-hooked"),
    pytest.param("postgresql", False, True, id="postgresql-plain", marks=pytest.mark.postgresql),
    pytest.param("postgresql", True, True, id="postgresql-hooked", marks=pytest.mark.postgresql),
]
RACE_PARAMS = ("db_kind", "hooked", "configured")
CUE = "UPDATE mf_missions SET state"
"""The fire's first write: another writer that commits just before it wins the race."""
