"""Crash safety: a process killed with SIGKILL in the middle of its transitions leaves a database
where every mission's state is the replay of its history and every chain verifies."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from missionflow import Store, load_workflow

# Creates missions and fires qualify / decline on them, and deliveries on one mission in
# progress, for ever: the test kills it with SIGKILL somewhere in the middle.
LOOP = """
import itertools, sys
from datetime import date
from missionflow import Money, open_store
from missionflow.freelance import Contract, Deliverable, Payment, Specification
with open_store(sys.argv[1], create=False) as store:
    client = store.add_client("Crash test").ref
    working = store.create_mission(client, "Long job", amount=Money.of("900", "EUR")).ref
    store.fire(working, "qualify")
    for criterion in store.get_settings().criteria:
        store.answer_criterion(working, criterion.name, True)
    store.fire(working, "accept")
    spec = Specification("Job", (Deliverable("logo"),), date(2030, 1, 1), Money.of("900", "EUR"), "ok")
    store.set_specification(working, spec)
    store.sign_contract(working, Contract(Money.of("900", "EUR"), "v1", date.today()))
    store.record_payment(working, Payment(Money.of("270", "EUR"), date.today()))
    store.fire(working, "confirm_deposit")
    store.fire(working, "start_work")
    print("ready", flush=True)
    for number in itertools.count():
        ref = store.create_mission(client, f"Lead {number}").ref
        store.fire(ref, "qualify")
        if number % 2:
            store.fire(ref, "decline", note="not for me")
        store.fire(working, "deliver", data={"deliverable": "logo"})
"""

ENOUGH_ENTRIES = 60


def test_a_killed_writer_leaves_a_consistent_database(store: Store, store_url: str) -> None:
    """After SIGKILL mid-loop, each mission's state equals its replayed history and verify() is empty."""
    engine = create_engine(store_url)
    with subprocess.Popen(
        [sys.executable, "-c", LOOP, store_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stderr is not None
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    if conn.execute(text("SELECT count(*) FROM mf_history")).scalar_one() >= ENOUGH_ENTRIES:
                        break
                time.sleep(0.02)
            assert child.poll() is None, child.stderr.read()
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
            engine.dispose()
    assert child.returncode == -signal.SIGKILL

    assert store.verify() == []
    missions = store.list_missions()
    assert len(missions) > ENOUGH_ENTRIES // 3
    initial = load_workflow("freelance-mission").initial
    for summary in missions:
        mission = store.get_mission(summary.ref)
        state = initial
        for record in mission.history:
            assert record.source == state
            state = record.dest
        assert mission.state == state, summary.ref
    assert len(store.history("M-1")) >= 6  # the mission in progress kept its deliveries
