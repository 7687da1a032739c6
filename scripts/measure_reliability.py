"""Measure the figures of the README's Reliability section: processes racing on one mission, and
writers killed with SIGKILL, on SQLite and PostgreSQL; then count what went wrong.

    python scripts/measure_reliability.py                # 12 rounds of 8 racing processes, 40 kills
    python scripts/measure_reliability.py --rounds 3 --kills 5

A race round: one mission walked to ``approved``, then 8 ``missionflow`` processes started at once,
half firing ``invoice`` (the final invoice), half recording a payment and asking for a deposit
invoice. Counted as anomalies: an exit code other than 0, 4, 6 or 8 (8: the deposit invoice the
other process just issued), a second final invoice, a gap or a repeat in the invoice numbers, and
any problem ``verify`` reports. A kill: a writer looping over fires and invoices killed at a random
moment; then every mission's state must be its replayed history and ``verify`` must pass.

PostgreSQL runs on a throwaway server started from the local binaries (as the tests do).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import pgserver  # noqa: E402 - the tests' throwaway PostgreSQL

from missionflow import load_workflow, open_store  # noqa: E402
from missionflow.store import KEY_ENV, new_key_text  # noqa: E402
from missionflow.testing import approved_mission  # noqa: E402

MISSIONFLOW = str(Path(sys.executable).with_name("missionflow"))
ALLOWED_EXITS = {0, 4, 6, 8}
WRITER = """
import itertools, sys
from datetime import date
from missionflow import Money, open_store
from missionflow.freelance import Payment
from missionflow.testing import approved_mission, lead
with open_store(sys.argv[1], create=False) as store:
    print("ready", flush=True)
    for number in itertools.count():
        ref = approved_mission(store, client=f"Client {number}")
        store.issue_final_invoice(ref)
        store.record_payment(ref, Payment(store.get_mission(ref).agreed_amount, date(2026, 3, 2)))
        store.fire(lead(store), "qualify")
"""


def race_round(url: str) -> tuple[collections.Counter[int], list[str]]:
    """Eight processes at once on one approved mission; their exit codes and the anomalies."""
    with open_store(url) as store:
        ref = approved_mission(store)
    env = {**os.environ, "MISSIONFLOW_DB": url, "NO_COLOR": "1"}
    commands = [[MISSIONFLOW, "fire", ref, "invoice"]] * 4 + [
        [MISSIONFLOW, "payment", "add", ref, "10", "--on", "2026-03-02"],
        [MISSIONFLOW, "invoice", "deposit", ref],
        [MISSIONFLOW, "invoice", "deposit", ref],
        [MISSIONFLOW, "fire", ref, "invoice"],
    ]
    processes = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    codes: collections.Counter[int] = collections.Counter()
    anomalies = []
    for process in processes:
        _, errors = process.communicate(timeout=120)
        codes[process.returncode] += 1
        if process.returncode not in ALLOWED_EXITS or "internal error" in errors:
            anomalies.append(f"exit {process.returncode}: {errors.strip()[-200:]}")
    with open_store(url) as store:
        invoices = store.list_invoices()
        finals = [i for i in invoices if i.kind == "final"]
        numbers = [i.number for i in invoices]
        if len(finals) > 1:
            anomalies.append(f"{len(finals)} final invoices")
        expected = [f"{n.split('-')[0]}-{k:04d}" for k, n in enumerate(numbers, start=1)]
        if numbers != expected:
            anomalies.append(f"invoice numbers {numbers}")
        anomalies.extend(str(f) for f in store.verify())
    return codes, anomalies


def kill_once(url: str, rng: random.Random) -> list[str]:
    """Start a writer, kill it at a random moment, and check what it left."""
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            return [f"the writer did not start: {child.stderr.read() if child.stderr else ''}"]
        time.sleep(rng.uniform(0.05, 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    problems: list[str] = []
    initial = load_workflow("freelance-mission").initial
    with open_store(url) as store:
        problems.extend(str(f) for f in store.verify())
        for summary in store.list_missions():
            mission = store.get_mission(summary.ref)
            state = initial
            for record in mission.history:
                state = record.dest if record.source == state else "?"
            if state != mission.state:
                problems.append(f"{summary.ref}: state {mission.state} but its history leads to {state}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=12, help="race rounds per database")
    parser.add_argument("--kills", type=int, default=40, help="writers killed per database")
    args = parser.parse_args()
    os.environ.setdefault(KEY_ENV, new_key_text())
    rng = random.Random(19)
    server = pgserver.start_server(pgserver.find_bindir())  # type: ignore[arg-type]
    try:
        with tempfile.TemporaryDirectory() as folder:
            for kind in ("sqlite", "postgresql"):
                codes: collections.Counter[int] = collections.Counter()
                anomalies: list[str] = []
                for number in range(args.rounds):
                    if kind == "sqlite":
                        url = f"sqlite:///{folder}/race{number}.db"
                    else:
                        server.admin(f"CREATE DATABASE race{number}")
                        url = server.url(f"race{number}")
                    round_codes, found = race_round(url)
                    codes += round_codes
                    anomalies += found
                processes = sum(codes.values())
                print(
                    f"{kind}: {processes} racing processes, exit codes {dict(sorted(codes.items()))}, anomalies {len(anomalies)}"
                )
                for anomaly in anomalies[:10]:
                    print("   ", anomaly)
                if kind == "sqlite":
                    url = f"sqlite:///{folder}/kills.db"
                else:
                    server.admin("CREATE DATABASE kills")
                    url = server.url("kills")
                open_store(url).close()
                problems = [p for _ in range(args.kills) for p in kill_once(url, rng)]
                with open_store(url) as store:
                    entries = store.audit.anchor()
                print(
                    f"{kind}: {args.kills} writers killed with SIGKILL ({entries.seq if entries else 0} ledger entries), inconsistencies {len(problems)}"
                )
                for problem in problems[:10]:
                    print("   ", problem)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
