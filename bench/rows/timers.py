"""Row 10: ``tick`` on many due timers, in timers per second, against the same updates written by
hand (per due timer: read the subject, move it under the version check, insert its history entry,
mark the timer fired; 200 timers per transaction as tick does), on SQLite and on PostgreSQL.

The subjects follow a one-timer workflow (``waiting`` expires after 48 hours). One is created
through the store; the others are copies of its row and of its timer made by SQL (creating them
is not what is measured).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rows import Config, Row
from rows._measure import Contender, Line, Series, Target, Timed, time_contenders, unavailable
from rows._optional import missing_functions
from rows._persisted import BENCH_LEDGER_KEY, SQLITE3, Dialect, Execute
from rows._postgres import find_bindir, running_server

if TYPE_CHECKING:
    from missionflow import Store

WORKFLOW = """\
name: bench-expiry
version: 1
initial: waiting
states:
  - id: waiting
  - id: expired
    final: true
transitions:
  - trigger: expire
    source: waiting
    dest: expired
    after: {hours: 48}
"""
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOW = AT + timedelta(hours=49)
CHUNK = 200
OURS = "missionflow Store.tick"
NAME = "tick on due timers"


def _copies(execute: Execute, dialect: Dialect, template: int, count: int) -> list[int]:
    """``count - 1`` copies of subject ``template`` and of its pending timer; every id."""
    shape = execute(dialect.sql("SELECT * FROM mf_missions WHERE id = {p}"), (template,)).description or ()
    columns = ", ".join(str(d[0]) for d in shape if d[0] != "id")
    numbers = (
        f"WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) SELECT i FROM n"
        if dialect.placeholder == "?"
        else f"SELECT generate_series(2, {count})"
    )
    execute(
        dialect.sql(
            f"INSERT INTO mf_missions ({columns}) SELECT {columns} FROM ({numbers}) n, mf_missions t WHERE t.id = {{p}}"
        ),
        (template,),
    )
    timer = "mission_id, trigger, source, due_at, status, created_at, done_at, outcome, position"
    copied = "m.id, t.trigger, t.source, t.due_at, t.status, t.created_at, t.done_at, t.outcome, t.position"
    execute(
        dialect.sql(f"INSERT INTO mf_timers ({timer}) SELECT {copied} FROM mf_missions m, mf_timers t WHERE t.mission_id = {{p}} AND m.id > {{p}}"),
        (template, template),
    )  # fmt: skip
    found = execute(
        dialect.sql("SELECT id FROM mf_missions WHERE id >= {p} ORDER BY id"), (template,)
    ).fetchall()
    return [int(str(row[0])) for row in found]


_DUE = (
    "SELECT id, mission_id FROM mf_timers WHERE status = 'pending' AND due_at <= {p} "
    "ORDER BY due_at, id LIMIT 200"
)
_READ = "SELECT state, version, history_length, history_head FROM mf_missions WHERE id = {p}"
_MOVE = (
    "UPDATE mf_missions SET state = {p}, version = version + 1, history_length = {p}, history_head = {p}, "
    "updated_at = {p} WHERE id = {p} AND version = {p}"
)
_HISTORY = (
    "INSERT INTO mf_history (mission_id, position, trigger, source, dest, actor, at, note, data, guards, "
    "out_of_hours, idempotency_key, prev_hash, hash) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
)
_FIRED = (
    "UPDATE mf_timers SET status = 'fired', done_at = {p}, outcome = 'fired', position = {p} "
    "WHERE id = {p} AND status = 'pending'"
)


def tick_by_hand(
    execute: Execute, dialect: Dialect, begin: Callable[[], None], commit: Callable[[], None]
) -> int:
    """Fire every due timer, 200 per transaction; how many fired."""
    import hashlib

    fired = 0
    due = dialect.sql(_DUE) + ("" if dialect.placeholder == "?" else " FOR UPDATE SKIP LOCKED")
    while True:
        begin()
        chunk = execute(due, (dialect.time_value(NOW),)).fetchall()
        if not chunk:
            commit()
            return fired
        now = datetime.now(UTC)
        for timer, subject in chunk:
            state, version, length, head = execute(dialect.sql(_READ), (subject,)).fetchone() or (
                "",
                0,
                0,
                "",
            )
            if state != "waiting":
                raise RuntimeError(f"subject {subject} is in {state}")
            position = int(str(length)) + 1
            data = {"due": (AT + timedelta(hours=48)).isoformat()}
            text = "|".join(
                [
                    f"M-{subject}",
                    str(position),
                    "expire",
                    "waiting",
                    "expired",
                    "timer",
                    NOW.isoformat(),
                    str(head),
                ]
            )
            digest = hashlib.sha256(text.encode()).hexdigest()
            moved = execute(
                dialect.sql(_MOVE), ("expired", position, digest, dialect.time_value(now), subject, version)
            )
            if moved.rowcount != 1:
                raise RuntimeError(f"subject {subject} moved meanwhile")
            execute(
                dialect.sql(_HISTORY),
                (
                    subject,
                    position,
                    "expire",
                    "waiting",
                    "expired",
                    "timer",
                    dialect.time_value(NOW),
                    "",
                    dialect.json_value(data),
                    dialect.json_value([]),
                    False,
                    None,
                    head,
                    digest,
                ),
            )
            execute(dialect.sql(_FIRED), (dialect.time_value(now), position, timer))
            fired += 1
        commit()  # fmt: skip


def _line(name: str, ours: Series, raw: Series, note: str) -> Line:
    return Line(
        row=10,
        name=name,
        unit="timers/s",
        ours=ours,
        baselines=(raw,),
        higher_is_better=True,
        targets=(Target("≥ 1/3 of the raw rate (ratio ≤ 3)", 3.0, baseline=raw.name),),
        note=note,
    )


def _contenders(store: Store, make: Callable[[int], list[int]], count: int, raw_name: str,
                by_hand: Callable[[], int], pending: Callable[[list[int]], int]) -> list[Contender]:  # fmt: skip
    def check(ids: list[int], who: str) -> None:
        left = pending(ids)
        if left:
            raise RuntimeError(f"{who}: {left} of {len(ids)} timers still pending")

    def ours() -> Timed:
        ids = make(count)
        return Timed(lambda: store.tick(NOW), lambda: check(ids, OURS))

    def raw() -> Timed:
        ids = make(count)
        return Timed(by_hand, lambda: check(ids, raw_name))

    return [Contender(OURS, ours), Contender(raw_name, raw)]


def _sqlite(config: Config, count: int, runs: int) -> list[Series]:
    from missionflow import open_store

    with tempfile.TemporaryDirectory(prefix="missionflow-bench-") as folder:
        path = Path(folder) / "timers.db"
        store = open_store(str(path), ledger_key=BENCH_LEDGER_KEY)
        raw = sqlite3.connect(path, isolation_level=None, timeout=10)
        try:
            raw.execute("PRAGMA foreign_keys = ON")

            def make(n: int) -> list[int]:
                template = int(store.create_subject("bench-expiry", at=AT).ref.rsplit("-", 1)[-1])
                raw.execute("BEGIN")
                ids = _copies(raw.cursor().execute, SQLITE3, template, n)
                raw.execute("COMMIT")
                return ids

            def pending(ids: list[int]) -> int:
                found = raw.execute(
                    "SELECT count(*) FROM mf_timers WHERE status = 'pending' AND mission_id BETWEEN ? AND ?",
                    (min(ids), max(ids)),
                ).fetchone()
                return int(found[0])

            def by_hand() -> int:
                cursor = raw.cursor()
                return tick_by_hand(
                    cursor.execute, SQLITE3, lambda: cursor.execute("BEGIN IMMEDIATE"), raw.commit
                )

            return time_contenders(
                _contenders(store, make, count, "sqlite3, hand-written SQL", by_hand, pending),
                runs=runs, operations=count, scale=1e-9,
            )  # fmt: skip
        finally:
            raw.close()
            store.close()


def _postgresql(config: Config, count: int, runs: int) -> list[Series] | str:
    bindir = find_bindir()
    if bindir is None:
        return "PostgreSQL's server (initdb, pg_ctl) is not installed"
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'missionflow[postgresql]')"
    from missionflow import open_store
    from rows.postgresql import DATABASE, PSYCOPG

    with running_server(bindir) as server:
        with psycopg.connect(server.conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        with (
            open_store(server.sqlalchemy_url(DATABASE), ledger_key=BENCH_LEDGER_KEY) as store,
            psycopg.connect(server.conninfo(DATABASE)) as raw,
        ):

            def make(n: int) -> list[int]:
                template = int(store.create_subject("bench-expiry", at=AT).ref.rsplit("-", 1)[-1])
                with raw.transaction():
                    return _copies(raw.execute, PSYCOPG, template, n)

            def pending(ids: list[int]) -> int:
                found = raw.execute(
                    "SELECT count(*) FROM mf_timers WHERE status = 'pending' AND mission_id BETWEEN %s AND %s",
                    (min(ids), max(ids)),
                ).fetchone()
                raw.commit()
                return int(found[0]) if found else -1

            def by_hand() -> int:
                return tick_by_hand(raw.execute, PSYCOPG, lambda: None, raw.commit)

            return time_contenders(
                _contenders(store, make, count, "psycopg, hand-written SQL", by_hand, pending),
                runs=runs, operations=count, scale=1e-9,
            )  # fmt: skip


def measure(config: Config) -> list[Line]:
    """Timers per second of tick and of the hand-written updates, on SQLite and PostgreSQL."""
    names = (f"{NAME}, SQLite WAL file", f"{NAME}, PostgreSQL")
    reason = missing_functions("open_store")
    if reason is not None:
        return [unavailable(10, name, reason) for name in names]
    from missionflow.workflow import parse_workflow, register_workflow

    register_workflow(parse_workflow(WORKFLOW, "bench-expiry.yaml"))
    count = config.size(full=100_000, quick=2_000)
    # A full run fires 100,000 timers per contender and database (minutes each): one run there.
    runs = config.runs_override or (3 if config.quick else 1)
    note = (
        f"{count:,} due timers per run ({runs} run(s)), one per subject; tick fires each as a fire (guards, history entry "
        "sealed in the ledger, the timer marked with its entry), 200 per transaction; the hand-written "
        "code does the issue's updates without the ledger (3 statements and 3 HMACs more per timer)"
    )
    lines = []
    sqlite = _sqlite(config, count, runs)
    lines.append(
        _line(
            names[0],
            _per_second(sqlite[0]),
            _per_second(sqlite[1]),
            note + "; SQLite on disk, synchronous=FULL",
        )
    )
    found = _postgresql(config, count, runs)
    if isinstance(found, str):
        lines.append(unavailable(10, names[1], found))
    else:
        lines.append(
            _line(
                names[1],
                _per_second(found[0]),
                _per_second(found[1]),
                note + "; PostgreSQL defaults (fsync on)",
            )
        )
    return lines


def _per_second(series: Series) -> Series:
    """Seconds per timer (time_contenders' unit here) as timers per second."""
    return Series(series.name, tuple(1 / s for s in series.samples))


ROW = Row(10, "timers", "Timers: tick on due timers", measure)
