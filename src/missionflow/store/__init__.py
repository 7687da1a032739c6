"""Persistence: subjects of any workflow, and the freelance trade's missions, clients and records,
in SQLite or PostgreSQL (the only package importing SQLAlchemy). One module per job;
:class:`SubjectStore` is the generic core, :class:`Store` adds the trade, :class:`AsyncStore`
runs the same code from asyncio.

>>> from missionflow.store import open_store
>>> with open_store("sqlite://") as store:
...     store.add_client("Acme").ref
'C-1'
"""

from __future__ import annotations

import importlib
import typing

from missionflow.store.chain import HistoryEntry, VerifyFailure
from missionflow.store.core import SubjectStore, SubjectView
from missionflow.store.database import database_file, default_database_url
from missionflow.store.ledger import Anchor
from missionflow.store.ledger_keys import KEY_ENV, KeyRing, load_keyring, new_key_text, next_keyring
from missionflow.store.limits import FIRST_DAY, LAST_DAY
from missionflow.store.migrating import MigrationPlan, StateMove, Stranded
from missionflow.store.opening import open_store
from missionflow.store.providers import FactsProvider
from missionflow.store.records import MissionSummary
from missionflow.store.store import Store
from missionflow.store.subjects import StoredSubject
from missionflow.store.tick import TickResult
from missionflow.store.timers import TimerRecord

_LAZY = {"AsyncStore": "missionflow.store.asyncstore", "open_async_store": "missionflow.store.asyncstore"}
"""Loaded on first use: a synchronous application does not import asyncio's extension."""

if typing.TYPE_CHECKING:
    from missionflow.store.asyncstore import AsyncStore, open_async_store


def __getattr__(name: str) -> object:
    """Import a lazily loaded public name (PEP 562) and keep it for the next access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'missionflow.store' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FIRST_DAY",
    "KEY_ENV",
    "LAST_DAY",
    "Anchor",
    "AsyncStore",
    "FactsProvider",
    "HistoryEntry",
    "KeyRing",
    "MigrationPlan",
    "MissionSummary",
    "StateMove",
    "Store",
    "StoredSubject",
    "Stranded",
    "SubjectStore",
    "SubjectView",
    "TickResult",
    "TimerRecord",
    "VerifyFailure",
    "database_file",
    "default_database_url",
    "load_keyring",
    "new_key_text",
    "next_keyring",
    "open_async_store",
    "open_store",
]
