"""The command line, through click's CliRunner against a real SQLite file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import Cli


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    """A CLI bound to a fresh database file."""
    return Cli(tmp_path / "missions.db")


def _mission_ready_to_sign(run: Cli, deposit: str = "30%") -> str:
    run.ok("client", "add", "Atelier Dupont", "--email", "contact@dupont.fr")
    deadline = (date.today() + timedelta(days=60)).isoformat()
    ref = run.ok(
        "mission", "new", "C-1", "Website", "--amount", "4500", "--deposit", deposit, "--deadline", deadline
    ).strip()
    run.ok("fire", ref, "qualify")
    for criterion in ("budget_fits", "respectful", "clear_need"):
        run.ok("mission", "assess", ref, criterion, "yes")
    run.ok("fire", ref, "accept")
    run.ok(
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
    return ref


def test_init_creates_the_database(run: Cli) -> None:
    """`init` creates the database file and says where it is."""
    out = run.ok("init")
    assert "database ready" in out
    assert run.db.exists()


def test_client_add_prints_a_short_reference(run: Cli) -> None:
    """`client add` prints a short reference, and --json prints the object with it under id."""
    assert run.ok("client", "add", "Acme").strip() == "C-1"
    created = run.json("client", "add", "Globex", "--b2c")
    assert isinstance(created, dict)
    assert created["id"] == "C-2"
    assert created["business"] is False


def test_client_list_show_block_unblock(run: Cli) -> None:
    """Clients can be listed, shown, blocked with a reason and unblocked."""
    run.ok("client", "add", "Acme", "--email", "a@acme.test")
    assert "Acme" in run.ok("client", "list")
    assert "a@acme.test" in run.ok("client", "show", "C-1")
    assert "blocked" in run.ok("client", "block", "C-1", "--reason", "calls on Saturdays")
    listed = run.json("client", "list")
    assert isinstance(listed, list)
    assert listed[0]["blocked"] is True
    assert listed[0]["blocked_reason"] == "calls on Saturdays"
    run.ok("client", "unblock", "C-1")
    shown = run.json("client", "show", "C-1")
    assert isinstance(shown, dict)
    assert shown["blocked"] is False


def test_mission_new_and_show_json(run: Cli) -> None:
    """`mission show --json` holds id, state, workflow, workflow_version and the triggers with reasons."""
    run.ok("client", "add", "Acme")
    created = run.json("mission", "new", "C-1", "Logo", "--amount", "1200", "--deposit", "50%")
    assert isinstance(created, dict)
    assert created["id"] == "M-1"
    shown = run.json("mission", "show", "M-1")
    assert isinstance(shown, dict)
    assert shown["state"] == "lead"
    assert shown["workflow"] == "freelance-mission"
    assert shown["workflow_version"] == 3  # the newest version of freelance-mission
    assert shown["deposit_due"] == {"amount": "600.00", "currency": "EUR"}
    triggers = {t["trigger"]: t for t in shown["triggers"]}
    assert triggers["qualify"] == {
        "trigger": "qualify",
        "dest": "criteria_check",
        "allowed": True,
        "reasons": [],
    }
    assert triggers["decline"]["allowed"] is False
    assert triggers["decline"]["reasons"] == ["a reason is required (give it as the note)"]


def test_mission_list_filters(run: Cli) -> None:
    """`mission list` filters by state, client and workflow."""
    run.ok("client", "add", "Acme")
    run.ok("client", "add", "Globex")
    run.ok("mission", "new", "C-1", "One")
    run.ok("mission", "new", "C-2", "Two", "--workflow", "coaching")
    run.ok("fire", "M-1", "qualify")
    by_state = run.json("mission", "list", "--state", "criteria_check")
    assert isinstance(by_state, list)
    assert [m["id"] for m in by_state] == ["M-1"]
    by_client = run.json("mission", "list", "--client", "C-2")
    assert isinstance(by_client, list)
    assert [m["id"] for m in by_client] == ["M-2"]
    by_workflow = run.json("mission", "list", "--workflow", "coaching")
    assert isinstance(by_workflow, list)
    assert [m["id"] for m in by_workflow] == ["M-2"]
    assert "One" in run.ok("mission", "list")


def test_fire_and_history_json(run: Cli) -> None:
    """Firing records who and why; `mission history --json` gives ISO times with an offset."""
    run.ok("client", "add", "Acme")
    run.ok("mission", "new", "C-1", "Logo")
    run.ok("fire", "M-1", "qualify", "--by", "camille", "--note", "referred by Paul")
    run.ok("mission", "fire", "M-1", "decline", "--reason", "budget too small")
    history = run.json("mission", "history", "M-1")
    assert isinstance(history, list)
    assert [(h["trigger"], h["source"], h["dest"]) for h in history] == [
        ("qualify", "lead", "criteria_check"),
        ("decline", "criteria_check", "declined"),
    ]
    assert history[0]["actor"] == "camille"
    assert history[0]["note"] == "referred by Paul"
    assert history[1]["note"] == "budget too small"
    assert history[0]["at"][-6] in "+-"


def test_triggers_and_path(run: Cli) -> None:
    """`mission triggers` lists blocked triggers with reasons; `mission path` says what stands in the way."""
    ref = _mission_ready_to_sign(run)
    out = run.ok("mission", "triggers", ref)
    assert "sign_contract" in out
    assert "no signed contract" in out
    path = run.json("mission", "path", ref, "in_progress")
    assert isinstance(path, dict)
    assert [s["trigger"] for s in path["steps"]] == ["sign_contract", "start_work"]
    assert any("deposit not received" in r for r in path["steps"][1]["reasons"])


def test_exit_3_blocked_lists_reasons_on_stderr(run: Cli) -> None:
    """A guard refusal exits 3 with the reasons on stderr, one per line, and writes nothing."""
    ref = _mission_ready_to_sign(run)
    run.ok("contract", "sign", ref, "--amount", "4500", "--terms-version", "CGV-2026-1")
    before = run.json("mission", "history", ref)
    result = run("fire", ref, "start_work")
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: start_work is blocked")
    assert "deposit not received: 0.00 of 1,350.00 EUR (30 %), 1,350.00 EUR still due" in lines[1:]
    assert run.json("mission", "history", ref) == before


def test_exit_4_not_allowed_lists_allowed(run: Cli) -> None:
    """A trigger that does not leave the current state exits 4 and lists the possible ones."""
    run.ok("client", "add", "Acme")
    run.ok("mission", "new", "C-1", "Logo")
    result = run("fire", "M-1", "invoice")
    assert result.exit_code == 4
    assert "possible triggers: qualify, decline" in result.stderr


def test_exit_5_not_found(run: Cli) -> None:
    """Unknown missions, clients and workflows exit 5 and name what was not found."""
    run.ok("client", "add", "Acme")
    for args, word in (
        (("mission", "show", "M-404"), "M-404"),
        (("client", "show", "C-404"), "C-404"),
        (("mission", "new", "C-404", "x"), "C-404"),
        (("workflow", "show", "nope"), "nope"),
        (("mission", "new", "C-1", "x", "--workflow", "nope"), "nope"),
    ):
        result = run(*args)
        assert result.exit_code == 5, args
        assert word in result.stderr


def test_exit_2_invalid_values(run: Cli) -> None:
    """A negative amount, a malformed date or a bad percentage exits 2 and writes nothing."""
    run.ok("client", "add", "Acme")
    for args in (
        ("mission", "new", "C-1", "x", "--amount", "-5"),
        ("mission", "new", "C-1", "x", "--amount", "abc"),
        ("mission", "new", "C-1", "x", "--deadline", "2027-13-45"),
        ("mission", "new", "C-1", "x", "--deposit", "130%"),
        ("mission", "new", "C-1", "x", "--deposit", "lots"),
        ("mission", "new", "C-1", "x", "--revisions", "-1"),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
    listed = run.json("mission", "list")
    assert listed == []


def test_exit_7_invalid_workflow_file(run: Cli, tmp_path: Path) -> None:
    """`workflow validate` exits 7 and lists every problem with its line."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nversion: 1\ninitial: a\nstates:\n  - id: a\n    colour: red\ntransitions: []\n"
    )
    result = run("workflow", "validate", str(bad))
    assert result.exit_code == 7
    assert f"{bad}:6: unknown key 'colour'" in result.stderr
    good = run.ok("workflow", "validate", "workflows/freelance-mission.yaml")
    assert "valid" in good


def test_exit_1_history_tampered(run: Cli) -> None:
    """`verify` passes on an intact history and exits 1 naming the entry once a row is edited."""
    import sqlite3

    run.ok("client", "add", "Acme")
    run.ok("mission", "new", "C-1", "Logo")
    run.ok("fire", "M-1", "qualify")
    assert "verified: 1 mission" in run.ok("verify")
    with sqlite3.connect(run.db) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        history = next(t for t in tables if "history" in t)
        conn.execute(f"update {history} set note = 'rewritten'")
    result = run("verify")
    assert result.exit_code == 1
    assert "M-1" in result.stderr
    assert "#1" in result.stderr


def test_workflow_list_and_show(run: Cli) -> None:
    """`workflow list` shows the shipped workflows; `workflow show` their states in English or French."""
    listed = run.json("workflow", "list")
    assert isinstance(listed, list)
    assert {"freelance-mission", "coaching", "retainer"} <= {w["name"] for w in listed}
    assert "Acompte reçu" in run.ok("workflow", "show", "freelance-mission", "--lang", "fr")
    shown = run.json("workflow", "show", "freelance-mission")
    assert isinstance(shown, dict)
    assert shown["initial"] == "lead"


def test_settings_show_and_set(run: Cli) -> None:
    """Settings are shown and set by key; a bad value exits 2 and changes nothing."""
    run.ok("settings", "set", "minimum_lead_days", "10")
    shown = run.json("settings", "show")
    assert isinstance(shown, dict)
    assert shown["minimum_lead_days"] == "10"
    result = run("settings", "set", "payment_terms_days", "90")
    assert result.exit_code == 2
    assert "60" in result.stderr
    shown_after = run.json("settings", "show")
    assert isinstance(shown_after, dict)
    assert shown_after["payment_terms_days"] == "30"
    run.ok("settings", "criterion", "pays_on_time", "Did they pay past invoices on time?")
    assert "pays_on_time" in run.ok("settings", "show")


def test_debug_is_the_only_way_to_see_a_traceback(run: Cli) -> None:
    """Mistakes print a one-line message, never a traceback."""
    result = run("mission", "show", "M-9")
    assert "Traceback" not in result.output
    assert result.stderr.strip() == "error: no mission 'M-9'"


def test_completion_script(run: Cli) -> None:
    """`completion bash` prints click's completion script for missionflow."""
    assert "_MISSIONFLOW_COMPLETE" in run.ok("completion", "bash")
    assert "complete" in run.ok("completion", "fish")
