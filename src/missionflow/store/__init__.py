"""Persistence: missions, clients and their records in SQLite or PostgreSQL (the only package
importing SQLAlchemy). One module per job; :class:`Store` composes them.

>>> from missionflow.store import open_store
>>> with open_store("sqlite://") as store:
...     store.add_client("Acme").ref
'C-1'
"""

from __future__ import annotations

from missionflow.store.audit import Audit
from missionflow.store.chain import HistoryEntry, VerifyFailure
from missionflow.store.database import database_file, default_database_url
from missionflow.store.ledger import Anchor
from missionflow.store.ledger_keys import KEY_ENV, KeyRing, load_keyring, new_key_text, next_keyring
from missionflow.store.limits import FIRST_DAY, LAST_DAY
from missionflow.store.opening import open_store
from missionflow.store.records import MissionSummary
from missionflow.store.store import Store

__all__ = [
    "FIRST_DAY",
    "KEY_ENV",
    "LAST_DAY",
    "Anchor",
    "Audit",
    "HistoryEntry",
    "KeyRing",
    "MissionSummary",
    "Store",
    "VerifyFailure",
    "database_file",
    "default_database_url",
    "load_keyring",
    "new_key_text",
    "next_keyring",
    "open_store",
]
