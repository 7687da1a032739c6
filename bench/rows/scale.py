"""Row 4: reading a large SQLite database through the public API: the 50 most recently updated
missions of one state, and the count per state, against the same queries written by hand.

The missions are bulk-created with SQL copying a mission made through the store (only the
reads are measured). Some of the invoiced missions carry an unpaid final invoice past its due
date, so the overdue report (Store.overdue) has real work to do.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable, Sized
from datetime import date, timedelta
from pathlib import Path

from rows import Config, Row
from rows._measure import Contender, Line, Target, Timed, time_contenders, unavailable
from rows._optional import missing_functions
from rows._persisted import AMOUNT
from rows._workload import DEFINITION

CLIENTS = 1_000
LISTED_STATE = "in_progress"
OURS = "missionflow Store"
RAW = "sqlite3, hand-written SQL"
ISSUED_ON = date.today() - timedelta(days=90)

_LIST = (
    "SELECT m.id, m.title, m.workflow, m.workflow_version, m.state, m.updated_at, m.version, c.id, c.name "
    "FROM mf_missions m JOIN mf_clients c ON c.id = m.client_id WHERE m.state = ? "
    "ORDER BY m.updated_at DESC, m.id DESC LIMIT 50"
)
_COUNT = "SELECT state, count(*) FROM mf_missions GROUP BY state ORDER BY state"
_OVERDUE = (
    "SELECT i.number, i.mission_id, i.due_on, i.total_cents - COALESCE(p.paid, 0) FROM mf_invoices i "
    "LEFT JOIN (SELECT mission_id, SUM(amount_cents) AS paid FROM mf_payments GROUP BY mission_id) p "
    "ON p.mission_id = i.mission_id WHERE i.kind != 'credit' AND i.due_on < ? "
    "AND i.total_cents > COALESCE(p.paid, 0) ORDER BY i.due_on, i.mission_id"
)


def _copies(connection: sqlite3.Connection, table: str, count: int, overrides: dict[str, str]) -> None:
    """Insert rows 2..count of ``table`` as copies of row 1, some columns computed from ``i``."""
    columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})") if row[1] != "id"]
    values = ", ".join(overrides.get(column, f"t.{column}") for column in columns)
    connection.execute(
        f"WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM n, {table} t WHERE t.id = 1"
    )


def bulk_create(path: Path, missions: int, invoices: int) -> float:
    """Fill the database with ``missions`` missions over every state and ``invoices`` overdue final
    invoices on invoiced missions; the seconds it took."""
    from missionflow import open_store
    from missionflow.testing import add_client, identify

    started = time.perf_counter()
    with open_store(str(path)) as store:
        identify(store)  # an invoice states who issues it and to whom
        client = add_client(store, "Client 1").ref
        first = store.create_mission(client, "Mission 1", amount=AMOUNT)
        store.issue_invoice(first.ref, "final", AMOUNT, ISSUED_ON, ISSUED_ON + timedelta(days=30))
    states = DEFINITION.state_ids
    invoiced = states.index("invoiced")
    state = "CASE i % {} {} END".format(
        len(states), " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(states))
    )
    # An older time for each later row, in the store's own format (naive UTC, microseconds).
    moment = "strftime('%Y-%m-%d %H:%M:%S', t.{0}, '-' || i || ' seconds') || printf('.%06d', i % 1000000)"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN")
        _copies(connection, "mf_clients", CLIENTS, {"name": "'Client ' || i"})
        _copies(
            connection,
            "mf_missions",
            missions,
            {
                "client_id": f"1 + i % {CLIENTS}",
                "title": "'Mission ' || i",
                "state": state,
                "created_at": moment.format("created_at"),
                "updated_at": moment.format("updated_at"),
            },
        )
        _copies(
            connection,
            "mf_invoices",
            invoices,
            {
                "mission_id": f"i * {len(states)} + {invoiced}",
                "sequence": "i",
                "number": "t.year || '-' || printf('%06d', i)",
            },
        )
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return time.perf_counter() - started


def measure(config: Config) -> list[Line]:
    """Milliseconds per listing and per count, through the store and by hand."""
    reason = missing_functions("open_store")
    if reason is not None:
        return [
            unavailable(4, name, reason) for name in ("list 50 most recent in one state", "count per state")
        ]
    from missionflow import open_store

    missions = config.size(full=1_000_000, quick=100_000)
    invoices = config.size(full=2_000, quick=200)
    size = (
        f"{missions:,} missions over {len(DEFINITION.state_ids)} states and {CLIENTS:,} clients, "
        f"{invoices:,} overdue invoices"
    )
    if config.quick:
        size += " (quick mode; the full run uses 1,000,000)"
    with tempfile.TemporaryDirectory(prefix="missionflow-bench-") as folder:
        path = Path(folder) / "scale.db"
        seconds = bulk_create(path, missions, invoices)
        store = open_store(str(path), create=False)
        raw = sqlite3.connect(path, isolation_level=None)
        try:
            listings = config.size(full=200, quick=50)
            counts = config.size(full=5, quick=2)

            def repeat(action: Callable[[], Sized], times: int, expect: int) -> Timed:
                results: list[Sized] = []

                def run() -> object:
                    for _ in range(times):
                        results.append(action())
                    return results

                def check() -> None:
                    if len(results[-1]) != expect:
                        raise RuntimeError(f"expected {expect} results, got {len(results[-1])}")

                return Timed(run, check)

            list_times = time_contenders(
                [
                    Contender(
                        OURS,
                        lambda: repeat(
                            lambda: store.list_missions(state=LISTED_STATE, limit=50), listings, 50
                        ),
                    ),
                    Contender(
                        RAW,
                        lambda: repeat(lambda: raw.execute(_LIST, (LISTED_STATE,)).fetchall(), listings, 50),
                    ),
                ],
                runs=config.runs,
                operations=listings,
                scale=1e-6,
            )
            states = len(DEFINITION.state_ids)
            count_times = time_contenders(
                [
                    Contender(OURS, lambda: repeat(store.count_by_state, counts, states)),
                    Contender(RAW, lambda: repeat(lambda: raw.execute(_COUNT).fetchall(), counts, states)),
                ],
                runs=config.runs,
                operations=counts,
                scale=1e-6,
            )
            on = date.today()
            overdue_times = time_contenders(
                [
                    Contender(OURS, lambda: repeat(lambda: store.overdue(on), 1, invoices)),
                    Contender(
                        RAW,
                        lambda: repeat(
                            lambda: raw.execute(_OVERDUE, (on.isoformat(),)).fetchall(), 1, invoices
                        ),
                    ),
                ],
                runs=config.runs,
                operations=1,
                scale=1e-6,
            )
        finally:
            raw.close()
            store.close()
    note = f"{size}, bulk-created by SQL in {seconds:.0f} s (not measured)"
    return [
        Line(
            row=4,
            name=f"list 50 most recently updated in {LISTED_STATE}",
            unit="ms/op",
            ours=list_times[0],
            baselines=(list_times[1],),
            targets=(Target("< 2 ms", 2.0, strict=True), Target("≤ 5× the raw SQL", 5.0, baseline=RAW)),
            note=note,
        ),
        Line(
            row=4,
            name="count missions per state",
            unit="ms/op",
            ours=count_times[0],
            baselines=(count_times[1],),
            targets=(Target("< 100 ms", 100.0, strict=True),),
            note=note,
        ),
        Line(
            row=4,
            name="overdue report (every overdue invoice, with interest)",
            unit="ms/op",
            ours=overdue_times[0],
            baselines=(overdue_times[1],),
            targets=(Target("≤ 10× the raw SQL", 10.0, baseline=RAW),),
            note=note + "; the raw SQL computes each overdue invoice's balance (what its payments left); "
            "ours adds the days late, the late interest and the indemnity, plans and earlier "
            "late-payment invoices considered",
        ),
    ]


ROW = Row(4, "scale", "Scale: a large SQLite database through the public API", measure)
