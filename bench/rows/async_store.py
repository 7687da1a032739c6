"""Row 11: the async store on PostgreSQL, 50 tasks firing at once on distinct missions, in fires
per second, against the synchronous store fired from 4 processes on as many missions (row 5's
worker), on the same throwaway server and in the same run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from rows import Config, Row
from rows._measure import Line, Series, Target, unavailable
from rows._optional import missing_functions
from rows._persisted import QUALIFY, new_leads
from rows._postgres import Server, find_bindir, running_server
from rows.postgresql import DATABASE, PSYCOPG, _ours, _run_processes

NAME = "async store on PostgreSQL, 50 tasks on distinct missions"
OURS = "AsyncStore.fire, 50 tasks"
SYNC = "Store.fire, 4 processes"
TASKS = 50
PROCESSES = 4


async def _fire_all(url: str, shares: Sequence[Sequence[str]]) -> float:
    """Fire ``qualify`` on every mission, one task per share, all at once; the fires per second."""
    from missionflow import ConcurrentUpdateError
    from missionflow.store import open_async_store

    async with await open_async_store(url, create=False) as store:

        async def task(refs: Sequence[str]) -> int:
            conflicts = 0
            for ref in refs:
                while True:
                    try:
                        await store.fire(ref, QUALIFY.trigger, actor="bench")
                        break
                    except ConcurrentUpdateError:
                        conflicts += 1
            return conflicts

        # Every task's connection is opened before the clock starts, as the processes' are.
        await asyncio.gather(*(store.list_subjects(limit=1) for _ in range(TASKS)))
        started = time.perf_counter_ns()
        await asyncio.gather(*(task(share) for share in shares))
        seconds = (time.perf_counter_ns() - started) / 1e9
    return sum(len(share) for share in shares) / seconds


def measure(config: Config) -> list[Line]:
    """Fires per second of the async store's 50 tasks and of the synchronous store's 4 processes."""
    reason = missing_functions("open_store")
    bindir = find_bindir()
    if reason is None and bindir is None:
        reason = "PostgreSQL's server (initdb, pg_ctl) is not installed"
    if reason is not None or bindir is None:
        return [unavailable(11, NAME, reason or "not available")]
    import psycopg

    from missionflow import open_store

    fires = config.size(full=400, quick=100)
    samples: dict[str, list[float]] = {OURS: [], SYNC: []}
    with running_server(bindir) as server:
        with psycopg.connect(server.conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        url = server.sqlalchemy_url(DATABASE)
        with open_store(url) as store:
            client = store.add_client("Atelier Dupont").ref
        for run in range(config.heavy_runs):
            for who in (OURS, SYNC) if run % 2 == 0 else (SYNC, OURS):
                refs = _leads(server, url, client, fires)
                samples[who].append(_once(who, url, refs))
    return [
        Line(
            row=11,
            name=NAME,
            unit="fires/s",
            ours=Series(OURS, tuple(samples[OURS])),
            baselines=(Series(SYNC, tuple(samples[SYNC])),),
            higher_is_better=True,
            targets=(Target("≥ the 4-process rate (ratio ≤ 1)", 1.0, baseline=SYNC),),
            note=(
                f"{fires} fresh leads per run, each qualified once, shared among {TASKS} asyncio tasks "
                f"(one event loop, the engine's pool of 5 + 10 connections) or {PROCESSES} processes; "
                "PostgreSQL defaults (fsync on); every fire seals a ledger entry, and the ledger's one "
                "head row is locked by each write transaction until it commits"
            ),
        )
    ]


def _leads(server: Server, url: str, client: str, count: int) -> list[str]:
    import psycopg

    from missionflow import open_store

    with (
        open_store(url, create=False) as store,
        psycopg.connect(server.conninfo(DATABASE)) as connection,
        connection.transaction(),
    ):
        return new_leads(store, client, count, connection.execute, PSYCOPG)


def _once(who: str, url: str, refs: list[str]) -> float:
    if who == OURS:
        return asyncio.run(_fire_all(url, [refs[i::TASKS] for i in range(TASKS)]))
    outcomes = _run_processes(_ours(url), [refs[i::PROCESSES] for i in range(PROCESSES)], QUALIFY)
    seconds = (max(o.end for o in outcomes) - min(o.start for o in outcomes)) / 1e9
    return sum(o.fires for o in outcomes) / seconds


ROW = Row(11, "async", "The async store on PostgreSQL, 50 tasks", measure)
