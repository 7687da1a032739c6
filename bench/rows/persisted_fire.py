"""Row 3: a persisted fire on a SQLite file in WAL mode, against the same write by hand with
sqlite3 (read, check, UPDATE with the version, INSERT the history entry, one transaction) and
against a naive SQLAlchemy ORM load-modify-commit of the same rows; the store also seals each
entry in its ledger, so a third baseline does the issue's transaction plus the ledger's
statements by hand, and shows what the ledger costs at the driver's speed.

Reported twice: on a file on disk with the shipped durability settings (WAL, SQLite's default
synchronous=FULL: the commit's fsync dominates), and on a file in a RAM-backed folder
(/dev/shm), where the fsync costs nothing and the engine's own overhead shows. Each run fires
``qualify`` once on each of N fresh leads made through the store; the contenders share the
database file and its settings.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from rows import Config, Row
from rows._measure import Contender, Line, Series, Target, Timed, time_contenders, unavailable
from rows._optional import missing_functions
from rows._persisted import BENCH_LEDGER_KEY, QUALIFY, SQLITE3, mission_id, new_leads, write_fire

if TYPE_CHECKING:
    from missionflow import Store

NAME = "persisted fire qualify, SQLite WAL"
OURS = "missionflow Store.fire"
RAW = "sqlite3, hand-written SQL"
RAW_LEDGER = "sqlite3 by hand + the ledger's statements"
ORM = "SQLAlchemy ORM, naive"
RAM_FOLDER = Path("/dev/shm")


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


def ram_folder() -> Path | None:
    """A writable folder on a RAM-backed file system (tmpfs), or None."""
    if not RAM_FOLDER.is_dir() or not os.access(RAM_FOLDER, os.W_OK):
        return None
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    kinds = {fields[1]: fields[2] for fields in (m.split() for m in mounts) if len(fields) > 2}
    return RAM_FOLDER if kinds.get(str(RAM_FOLDER)) in {"tmpfs", "ramfs"} else None


def _measure_file(config: Config, folder: Path, count: int) -> list[Series]:
    """The four contenders' milliseconds per fire on a database file in ``folder``."""
    from missionflow import open_store

    path = folder / "bench.db"
    store: Store = open_store(str(path), ledger_key=BENCH_LEDGER_KEY)
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

        def by_hand(ledger_key: bytes | None, who: str) -> Callable[[], Timed]:
            def prepare() -> Timed:
                refs = leads()

                def run() -> object:
                    cursor = raw.cursor()
                    for ref in refs:
                        cursor.execute("BEGIN IMMEDIATE")
                        try:
                            write_fire(cursor.execute, SQLITE3, ref, QUALIFY, ledger_key)
                        except BaseException:
                            raw.rollback()
                            raise
                        raw.commit()
                    return refs

                return Timed(run, lambda: check(refs, who))

            return prepare

        def naive_orm() -> Timed:
            refs = leads()

            def run() -> object:
                for ref in refs:
                    _orm_fire(lambda: Session(orm_engine), ref)
                return refs

            return Timed(run, lambda: check(refs, ORM))

        return time_contenders(
            [
                Contender(OURS, ours),
                Contender(RAW, by_hand(None, RAW)),
                Contender(ORM, naive_orm),
                Contender(RAW_LEDGER, by_hand(BENCH_LEDGER_KEY, RAW_LEDGER)),
            ],
            runs=config.runs,
            operations=count,
            scale=1e-6,
        )
    finally:
        raw.close()
        orm_engine.dispose()
        store.close()


def measure(config: Config) -> list[Line]:
    """Milliseconds per persisted fire for the store, raw sqlite3 (without and with the ledger's
    statements) and the naive ORM, on a disk file and on a RAM-backed one."""
    reason = missing_functions("open_store")
    if reason is not None:
        return [unavailable(3, f"{NAME}, {where}", reason) for where in ("disk file", "RAM-backed file")]
    count = config.size(full=200, quick=30)
    common = (
        f"{count} fresh leads per run, each qualified once; the store reads, in its write transaction, "
        "the mission row and the facts the trigger's guards read (here the client), then writes the "
        "state and the hash-chained history entry under the version check, and seals its ledger entry "
        "(reads and locks the ledger head with the subject's last MAC, checks the head's HMAC, inserts "
        "the HMAC-sealed entry, moves the head: 3 statements and 3 HMACs more than the issue's "
        "transaction; the 'ledger' baseline does the same by hand); the hand-written code reads one "
        "joined row; the naive ORM checks no version"
    )
    lines = []
    with tempfile.TemporaryDirectory(prefix="missionflow-bench-") as folder:
        disk = _measure_file(config, Path(folder), count)
    lines.append(
        Line(
            row=3,
            name=f"{NAME}, disk file, shipped settings",
            unit="ms/op",
            ours=disk[0],
            baselines=tuple(disk[1:]),
            note=f"{common}. On disk with synchronous=FULL the commit's fsync dominates; the targets "
            "apply to the RAM-backed file",
        )
    )
    ram = ram_folder()
    where = "RAM-backed file" if ram is not None else "RAM-backed file unavailable, temporary folder"
    with tempfile.TemporaryDirectory(prefix="missionflow-bench-", dir=ram) as folder:
        memory = _measure_file(config, Path(folder), count)
    lines.append(
        Line(
            row=3,
            name=f"{NAME}, {where}",
            unit="ms/op",
            ours=memory[0],
            baselines=tuple(memory[1:]),
            targets=(
                Target("≤ 1.5× sqlite3 by hand", 1.5, baseline=RAW),
                Target("≤ 0.5× the naive ORM's time", 0.5, baseline=ORM),
            ),
            note=f"{common}. "
            + (
                f"The file is in {RAM_FOLDER} (tmpfs): no fsync cost"
                if ram is not None
                else f"No RAM-backed folder ({RAM_FOLDER} is missing or not tmpfs): measured in the "
                "temporary folder, the fsync is in every contender's time"
            ),
        )
    )
    return lines


ROW = Row(3, "persisted", "Persisted fire on SQLite (disk, RAM-backed file)", measure)
