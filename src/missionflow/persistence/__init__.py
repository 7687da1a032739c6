"""Persistence: missions, clients and their records in SQLite or PostgreSQL (the only package importing SQLAlchemy).

>>> from missionflow import open_store
>>> with open_store("sqlite://") as store:
...     store.add_client("Acme").ref
'C-1'
"""

from __future__ import annotations

from missionflow.persistence.chain import HistoryEntry, VerifyFailure
from missionflow.persistence.database import default_database_url
from missionflow.persistence.records import ClientRecord, InvoiceRecord, MissionSummary
from missionflow.persistence.store import Store, open_store

__all__ = [
    "ClientRecord",
    "HistoryEntry",
    "InvoiceRecord",
    "MissionSummary",
    "Store",
    "VerifyFailure",
    "default_database_url",
    "open_store",
]
