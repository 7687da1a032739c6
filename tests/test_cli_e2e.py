"""End-to-end: the installed `missionflow` executable, in a subprocess, on a temporary SQLite file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

EXECUTABLE = shutil.which("missionflow", path=str(Path(sys.executable).parent))
IDENTITY = (
    ("name", "Camille Martin"),
    ("legal_form", "EI"),
    ("siret", "732 829 320 00074"),
    ("address", "12 rue des Lilas"),
    ("postcode", "75011"),
    ("city", "Paris"),
    ("iban", "FR76 3000 6000 0112 3456 7890 189"),
    ("bic", "BNPAFRPPXXX"),
)


@pytest.fixture
def mf(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run the installed executable against a fresh database, returning the completed process."""
    assert EXECUTABLE is not None, "the missionflow console script is not installed in this environment"
    env = {**os.environ, "MISSIONFLOW_DB": str(tmp_path / "e2e.db"), "NO_COLOR": "1"}

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([EXECUTABLE, *args], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    return run


def test_full_mission_from_lead_to_paid_with_refusals(mf) -> None:  # type: ignore[no-untyped-def]
    """A freelancer runs a whole mission from the terminal; the two classic mistakes are refused."""
    deadline = (date.today() + timedelta(days=45)).isoformat()
    mf("settings", "set", "name", "Camille Martin")
    mf("settings", "set", "address", "12 rue des Lilas")
    mf("settings", "set", "siret", "73282932000074")
    assert mf("client", "add", "Atelier Dupont").stdout.strip() == "C-1"
    ref = mf(
        "mission", "new", "C-1", "Website", "--amount", "4500", "--deposit", "30%", "--deadline", deadline
    ).stdout.strip()
    mf("fire", ref, "qualify")
    for criterion in ("budget_fits", "respectful", "clear_need"):
        mf("mission", "assess", ref, criterion, "yes")
    mf("fire", ref, "accept")
    refused = mf("contract", "sign", ref, "--amount", "4500", "--terms-version", "CGV-1", expect=3)
    assert "specification incomplete" in refused.stderr or "no specification" in refused.stderr
    mf(
        "spec",
        "set",
        ref,
        "--objectives",
        "A site",
        "--deliverable",
        "website",
        "--deadline",
        deadline,
        "--budget",
        "4500",
        "--acceptance",
        "it loads",
    )
    mf("contract", "sign", ref, "--amount", "4500", "--terms-version", "CGV-1")
    blocked = mf("fire", ref, "start_work", expect=3)
    assert "deposit not received: 0.00 of 1,350.00 EUR (30 %)" in blocked.stderr
    mf("payment", "add", ref, "1350")
    mf("fire", ref, "confirm_deposit")
    mf("fire", ref, "start_work")
    mf("deliver", ref, "website")
    early = mf("fire", ref, "invoice", expect=4)
    assert "possible triggers" in early.stderr
    mf("fire", ref, "approve")
    unlawful = mf("fire", ref, "invoice", expect=8)
    assert "your legal form (missionflow settings set legal_form EI)" in unlawful.stderr
    assert "your IBAN (missionflow settings set iban)" in unlawful.stderr
    assert "the client's SIREN (missionflow client edit C-1 --siren)" in unlawful.stderr
    assert json.loads(mf("mission", "show", ref, "--json").stdout)["state"] == "approved"
    for key, value in IDENTITY:
        mf("settings", "set", key, value)
    mf("client", "edit", "C-1", "--address", "5 avenue de la Gare", "--postcode", "69002", "--city", "Lyon")
    mf("client", "edit", "C-1", "--siren", "552 100 554")
    mf("fire", ref, "invoice")
    mf("payment", "add", ref, "3150")
    mf("fire", ref, "settle")
    shown = json.loads(mf("mission", "show", ref, "--json").stdout)
    assert shown["state"] == "paid"
    history = json.loads(mf("mission", "history", ref, "--json").stdout)
    assert history[-1]["dest"] == "paid"
    mf("verify")


def test_demo_runs_on_a_fresh_database(tmp_path: Path) -> None:
    """`missionflow demo` walks the sample mission to paid, shows both refusals, and writes the
    quote, both invoices and the status report as PDF into the folder it names at the end."""
    assert EXECUTABLE is not None
    out = tmp_path / "documents"
    done = subprocess.run(
        [EXECUTABLE, "demo", "--db", str(tmp_path / "demo.db"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "deposit not received" in done.stderr
    assert "invoice is not possible from state" in done.stderr
    assert "settle" in done.stdout
    assert "nothing edited, deleted or reordered" in done.stdout
    year = date.today().year
    written = sorted(path.name for path in out.iterdir())
    assert written == [
        f"invoice-{year}-0001-deposit.pdf",
        f"invoice-{year}-0002-final.pdf",
        f"quote-DEV-{year}-0001.pdf",
        "status-M-1.pdf",
    ]
    assert all((out / name).read_bytes().startswith(b"%PDF-") for name in written)
    assert (
        done.stdout.rstrip().splitlines()[-5]
        == f"The quote, the invoices and the status report are in {out}:"
    )
