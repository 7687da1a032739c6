"""Row 3: a persisted fire on a SQLite file in WAL mode, against the same write by hand with
sqlite3 (read, check, UPDATE with the version, INSERT the history entry, one transaction) and
against a naive SQLAlchemy ORM load-modify-commit of the same rows.

Each run fires ``qualify`` once on each of N fresh leads made through the store; the three
contenders share the database file and its settings (WAL, SQLite's default synchronous=FULL).
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from rows import Config, Row
from rows._measure import Contender, Line, Target, Timed, time_contenders, unavailable
from rows._optional import missing_functions
from rows._persisted import QUALIFY, SQLITE3, mission_id, new_leads, write_fire

if TYPE_CHECKING:
    from missionflow import Store

NAME = "persisted fire qualify, SQLite WAL file"
OURS = "missionflow Store.fire"
RAW = "sqlite3, hand-written SQL"
ORM = "SQLAlchemy ORM, naive"


def _orm_fire(session_factory: Callable[[], Session], ref: str) -> None:
    """Load the rows, change them, add the history row, commit: no version check at all."""
    from missionflow.store.models import ClientRow, HistoryRow, MissionRow

    with session_factory() as session:
        mission = session.get(MissionRow, mission_id(ref))
        if mission is None or mission.state != QUALIFY.source:
            raise RuntimeError(f"{ref} is not a lead")
        client = session.get(ClientRow, mission.client_id)
        if client is None or client.blocked:
            raise RuntimeError(f"the client of {ref} is blocked")
        now = datetime.now(UTC)
        position = mission.history_length + 1
        text = "|".join(
            [
                ref,
                str(position),
                QUALIFY.trigger,
                QUALIFY.source,
                QUALIFY.dest,
                "bench",
                now.isoformat(),
                mission.history_head,
            ]
        )
        digest = hashlib.sha256(text.encode()).hexdigest()
        session.add(
            HistoryRow(
                mission_id=mission.id, position=position, trigger=QUALIFY.trigger, source=QUALIFY.source,
                dest=QUALIFY.dest, actor="bench", at=now, note="", data={}, guards=["client_not_blocked"],
                out_of_hours=False, idempotency_key=None, prev_hash=mission.history_head, hash=digest,
            )
        )  # fmt: skip
        mission.state = QUALIFY.dest
        mission.version += 1
        mission.history_length = position
        mission.history_head = digest
        mission.updated_at = now
        session.commit()


def measure(config: Config) -> list[Line]:
    """Milliseconds per persisted fire for the store, raw sqlite3 and the naive ORM."""
    reason = missing_functions("open_store")
    if reason is not None:
        return [unavailable(3, NAME, reason)]
    from missionflow import open_store

    count = config.size(full=200, quick=30)
    with tempfile.TemporaryDirectory(prefix="missionflow-bench-") as folder:
        path = Path(folder) / "bench.db"
        store: Store = open_store(str(path))
        raw = sqlite3.connect(path, isolation_level=None, timeout=10)
        orm_engine = create_engine(f"sqlite:///{path}")
        try:
            client = store.add_client("Atelier Dupont").ref
            raw.execute("PRAGMA foreign_keys = ON")

            def leads() -> list[str]:
                refs = new_leads(store, client, count, raw.cursor().execute, SQLITE3)
                raw.commit()
                return refs

            def check(refs: list[str], who: str) -> None:
                marks = ",".join("?" * len(refs))
                moved = raw.execute(
                    f"SELECT count(*) FROM mf_missions WHERE state = ? AND id IN ({marks})",
                    [QUALIFY.dest, *(mission_id(r) for r in refs)],
                ).fetchone()[0]
                if moved != len(refs):
                    raise RuntimeError(f"{who}: {moved} of {len(refs)} missions were qualified")

            def ours() -> Timed:
                refs = leads()

                def run() -> object:
                    return [store.fire(ref, QUALIFY.trigger, actor="bench") for ref in refs]

                return Timed(run, lambda: check(refs, OURS))

            def by_hand() -> Timed:
                refs = leads()

                def run() -> object:
                    cursor = raw.cursor()
                    for ref in refs:
                        cursor.execute("BEGIN IMMEDIATE")
                        try:
                            write_fire(cursor.execute, SQLITE3, ref, QUALIFY)
                        except BaseException:
                            raw.rollback()
                            raise
                        raw.commit()
                    return refs

                return Timed(run, lambda: check(refs, RAW))

            def naive_orm() -> Timed:
                refs = leads()

                def run() -> object:
                    for ref in refs:
                        _orm_fire(lambda: Session(orm_engine), ref)
                    return refs

                return Timed(run, lambda: check(refs, ORM))

            series = time_contenders(
                [Contender(OURS, ours), Contender(RAW, by_hand), Contender(ORM, naive_orm)],
                runs=config.runs,
                operations=count,
                scale=1e-6,
            )
        finally:
            raw.close()
            orm_engine.dispose()
            store.close()
    return [
        Line(
            row=3,
            name=NAME,
            unit="ms/op",
            ours=series[0],
            baselines=tuple(series[1:]),
            targets=(
                Target("≥ 1/3 of the sqlite3 rate (ratio ≤ 3)", 3.0, baseline=RAW),
                Target("≥ 2× the naive ORM rate (ratio ≤ 0.5)", 0.5, baseline=ORM),
            ),
            note=(
                f"{count} fresh leads per run, each qualified once; the store reads, in its write transaction, "
                "the mission row and the facts the trigger's guards read (here the client), then writes the "
                "state and the hash-chained history entry under the version check, and seals its ledger entry "
                "(HMAC, chained, the head moved); the hand-written code "
                "reads one joined row; the naive ORM checks no version"
            ),
        )
    ]


ROW = Row(3, "persisted", "Persisted fire on SQLite", measure)
