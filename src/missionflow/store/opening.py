"""Opening the store on a database: a URL, a file path, or an application's engine."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from missionflow.errors import InvalidValueError
from missionflow.store import database
from missionflow.store.ledger_keys import KeyRing, keyring_of
from missionflow.store.store import Store
from missionflow.workflow import Hooks


def open_store(
    url: str | os.PathLike[str] | None = None,
    *,
    engine: Engine | None = None,
    create: bool = True,
    hooks: Hooks | None = None,
    configure_engine: bool = False,
    clock: Callable[[], datetime] | None = None,
    ledger_key: KeyRing | str | bytes | None = None,
) -> Store:
    """Open the store in a database: a file path, a SQLAlchemy URL, or an application's engine.

    With neither, ``MISSIONFLOW_DB`` is used, else a private SQLite file in the user's data
    folder. ``create=True`` creates or migrates missionflow's tables when needed. With an
    application's ``engine``, missionflow's tables (all named ``mf_...``) live beside the
    application's and the engine stays the application's to dispose of. ``hooks`` run around
    every fire (see Hooks). ``clock`` tells the time (the system's by default): steps, payments and
    signatures dated more than a day after it are refused, and a fire without a time happens at it;
    give a fixed one to replay a scenario written ahead of time. ``ledger_key`` is the key ring that
    seals the ledger (a KeyRing, its text, or one raw key); by default ``MISSIONFLOW_LEDGER_KEY``,
    else the user's key file.

    An application's engine is used as it is: missionflow changes nothing on it unless
    ``configure_engine=True``. On SQLite that option sets, on every connection of the engine
    (the application's too): write-ahead logging, foreign keys, a 30 s busy timeout, and
    transactions begun by SQLAlchemy (``BEGIN IMMEDIATE`` for writes, so concurrent writers queue
    instead of failing). Without it missionflow stays correct on the driver's own transactions (a
    writer that loses a race gets ConcurrentUpdateError); PostgreSQL needs nothing.

    >>> store = open_store("sqlite://")
    >>> store.url_for_display
    'sqlite://'
    >>> store.close()
    """
    keyring = keyring_of(ledger_key)
    if engine is not None and url is not None:
        raise InvalidValueError("url", "give a database URL or an engine, not both")
    if engine is not None:
        if configure_engine:
            database.configure_engine(engine)
        store = Store(engine, engine.url, owns_engine=False, hooks=hooks, clock=clock, ledger_key=keyring)
    else:
        built, built_url = database.build_engine(url)
        store = Store(built, built_url, owns_engine=True, hooks=hooks, clock=clock, ledger_key=keyring)
    try:
        if create:
            store.migrate()
        else:
            store.check_schema()
    except BaseException:
        store.close()
        raise
    return store
