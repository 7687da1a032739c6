"""Eight `missionflow tick` processes at once on one database (SQLite and PostgreSQL): every due
timer is fired exactly once between them, and the history chains stay whole."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from missionflow import Store, testing
from missionflow.freelance import Payment
from tests.test_concurrency import PROCESSES, run_together

EXECUTABLE = shutil.which("missionflow", path=str(Path(sys.executable).parent))
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOW = AT + timedelta(days=30)

TICK_WORKER = """
from datetime import datetime
from missionflow import open_store
with open_store(url, create=False) as store:
    store.list_timers()
    barrier.wait(timeout=60)
    results.put([(r.mission, r.trigger) for r in store.tick(datetime.fromisoformat(now)) if r.fired])
"""


def due_missions(store: Store) -> Counter[tuple[str, str]]:
    """Missions with timers due by NOW: some waiting for their deposit, some delivered and silent
    (a tacit approval and an approval reminder each); returns every (mission, trigger) due."""
    expected: Counter[tuple[str, str]] = Counter()
    for number in range(12):
        ref = testing.signed_mission(store, client=f"Waiting {number}", deposit_percent=Decimal("30"))
        expected[(ref, "remind_deposit")] += 1
    for number in range(6):
        ref = testing.signed_mission(store, client=f"Silent {number}", acceptance_days=10)
        store.record_payment(ref, Payment(store.get_mission(ref).deposit_due, AT.date()))
        store.fire(ref, "confirm_deposit", at=AT)
        store.fire(ref, "start_work", at=AT)
        for deliverable in testing.DELIVERABLES:
            testing.deliver(store, ref, deliverable.name, at=AT)
        expected[(ref, "remind_approval")] += 1
        expected[(ref, "approve_tacitly")] += 1
    return expected


def test_eight_concurrent_ticks_fire_each_due_timer_exactly_once(store: Store, store_url: str) -> None:
    """Each of the 24 due timers of 18 missions is fired by exactly one of 8 processes; each
    mission's history has one entry per timer; nothing is left pending; the chains verify."""
    expected = due_missions(store)
    assert sum(expected.values()) == 24
    namespaces: list[dict[str, object]] = [
        {"url": store_url, "now": NOW.isoformat()} for _ in range(PROCESSES)
    ]
    collected = run_together(TICK_WORKER, namespaces)
    fired: Counter[tuple[str, str]] = Counter()
    for batch in collected:
        assert isinstance(batch, list)
        fired.update((mission, trigger) for mission, trigger in batch)
    assert fired == expected
    for ref, trigger in expected:
        entries = [
            e.record for e in store.history(ref) if e.record.actor == "timer" and e.record.trigger == trigger
        ]
        assert len(entries) == 1
    assert [t for t in store.list_timers() if t.pending] == []
    assert store.verify() == []
    assert {m.state for m in store.get_missions()} == {"contract_signed", "approved"}


def test_the_command_ticks_from_several_processes_at_once(store: Store, store_url: str) -> None:
    """The installed `missionflow tick` run by 8 processes at the same moment: together they fire
    each due timer once, and each says how many it processed."""
    expected = due_missions(store)
    assert EXECUTABLE is not None, "the missionflow console script is not installed in this environment"
    command = [EXECUTABLE, "tick", "--now", NOW.isoformat(), "--db", store_url, "--json"]
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    outputs = [process.communicate(timeout=180) for process in running]
    assert [process.returncode for process in running] == [0] * PROCESSES, [err for _, err in outputs]
    fired = Counter(
        (item["mission"], item["trigger"]) for out, _ in outputs for item in json.loads(out) if item["fired"]
    )
    assert fired == expected
    assert store.verify() == []
