"""Persistence: missions, clients and their records in SQLite or PostgreSQL (the only package
importing SQLAlchemy). One module per job; :class:`Store` composes them.

>>> from missionflow.store import open_store
>>> with open_store("sqlite://") as store:
...     store.add_client("Acme").ref
'C-1'
"""

from __future__ import annotations

from missionflow.store.chain import HistoryEntry, VerifyFailure
from missionflow.store.database import default_database_url
from missionflow.store.migrating import MigrationPlan, StateMove, Stranded
from missionflow.store.opening import open_store
from missionflow.store.records import MissionSummary
from missionflow.store.store import Store
from missionflow.store.tick import TickResult
from missionflow.store.timers import TimerRecord

__all__ = [
    "HistoryEntry",
    "MigrationPlan",
    "MissionSummary",
    "StateMove",
    "Store",
    "Stranded",
    "TickResult",
    "TimerRecord",
    "VerifyFailure",
    "default_database_url",
    "open_store",
]
