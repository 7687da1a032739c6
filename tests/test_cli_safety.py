"""What reaches the terminal and the disk is safe: control characters in user text are shown
escaped (JSON escapes them as JSON does), -o files are written whole, never into a folder that
does not exist, and as private as the database; values no database would store the same way are
refused up front, identically on SQLite and PostgreSQL, naming the option."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from missionflow import InvalidValueError, Money, Store
from missionflow.testing import lead
from tests.cli_helpers import Cli

HOSTILE = "Acme\x1b[2J\x1b]0;pwned\x07\r\u202eLtd"
"""Clears the screen, sets the window title, rewrites the line and reverses the text after it."""


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    """The command line on a fresh SQLite file."""
    return Cli(tmp_path / "books.db")


def test_control_characters_in_user_text_are_printed_escaped(run: Cli) -> None:
    """A client name and a note with escape sequences come out as visible escapes in every view."""
    run.ok("client", "add", HOSTILE)
    run.ok("mission", "new", "C-1", "Logo\x1b[31m")
    run.ok("fire", "M-1", "qualify", "--note", "ok\x1b[2Jthen", "--by", "bea\x07")
    for args in (
        ("client", "list"),
        ("client", "show", "C-1"),
        ("mission", "list"),
        ("mission", "history", "M-1"),
    ):
        out = run.ok(*args)
        assert not any(c in out for c in "\x1b\x07\r\u202e"), args
    assert "Acme\\x1b[2J\\x1b]0;pwned\\x07\\x0d\\u202eLtd" in run.ok("client", "list")
    assert "ok\\x1b[2Jthen" in run.ok("mission", "history", "M-1")


def test_json_output_escapes_control_characters_as_json_does(run: Cli) -> None:
    """--json output holds no raw control character, and decodes back to the exact text."""
    run.ok("client", "add", HOSTILE + "\u009b")
    raw = run("client", "list", "--json").stdout
    assert not any(c in raw for c in "\x1b\x07\r\u202e\u009b")
    assert all(escape in raw for escape in ("\\u001b", "\\u009b", "\\u202e"))
    assert json.loads(raw)[0]["name"] == HOSTILE + "\u009b"


def test_a_usage_error_shows_what_was_typed_escaped(run: Cli) -> None:
    """click's own errors (an unknown command) print the user's text escaped too."""
    result = run("mission", "\x1b[2Jshow")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert "\\x1b[2Jshow" in result.stderr


def test_o_writes_whole_files_with_the_database_permissions(run: Cli, tmp_path: Path) -> None:
    """A report written with -o takes the database file's permissions, replaces the file whole,
    and leaves no temporary file behind; a workflow diagram gets the usual permissions."""
    run.ok("client", "add", "Acme")
    assert isinstance(run.db, Path)
    run.db.chmod(0o640)
    target = tmp_path / "pipeline.html"
    target.write_text("old")
    assert run.ok("report", "pipeline", "--format", "html", "-o", str(target)).strip() == str(target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    umask = os.umask(0)
    os.umask(umask)
    drawing = tmp_path / "lifecycle.dot"
    run.ok("diagram", "freelance-mission", "-o", str(drawing))
    assert stat.S_IMODE(drawing.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "give a file name"),
        ("missing/out.html", "the folder missing does not exist"),
        (".", "is a folder"),
    ],
)
def test_o_refuses_what_it_cannot_write_without_making_folders(
    run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, message: str
) -> None:
    """An empty name, a missing folder or a folder name is a usage error (exit 2); nothing is created."""
    monkeypatch.chdir(tmp_path)
    result = run("report", "pipeline", "-o", target)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "missing").exists()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    """--db naming a text file (like /etc/passwd) says so, exit 1, and leaves the file as it was."""
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    result = Cli(passwd)("mission", "list")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"error: sqlite:///{passwd} cannot be opened as a database: file is not a database"
    )
    assert passwd.read_text() == "root:x:0:0:root:/root:/bin/bash\n"


def test_verify_prints_the_anchor_and_checks_from_it(run: Cli) -> None:
    """verify --anchor prints SEQ:MAC alone on stdout; --since that anchor passes, a made-up one fails."""
    run.ok("client", "add", "Acme")
    run.ok("mission", "new", "C-1", "Logo")
    anchor = run.ok("verify", "--anchor").strip()
    seq, mac = anchor.split(":")
    assert seq.isdigit()
    assert len(mac) == 32
    run.ok("fire", "M-1", "qualify")
    assert "since" in run.ok("verify", "--since", anchor)
    bad = run("verify", "--since", f"{seq}:{'0' * 32}")
    assert bad.exit_code == 1
    assert f"ledger entry #{seq} is not the anchor" in bad.stderr
    assert run("verify", "--since", "nonsense").exit_code == 2
    shown = run.json("verify")
    assert isinstance(shown, dict)
    assert shown["ok"] is True
    assert shown["seq"] == int(seq) + 1


def test_a_malformed_history_row_is_named_by_the_commands(run: Cli) -> None:
    """at='garbage' in a history row: verify and mission history name the entry (exit 1), and
    mission show says the database holds an unreadable value; no internal error."""
    run.ok("client", "add", "Acme")
    run.ok("mission", "new", "C-1", "Logo")
    run.ok("fire", "M-1", "qualify")
    engine = create_engine(f"sqlite:///{run.db}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE mf_history SET at = 'garbage', data = '{oops'"))
    engine.dispose()
    for args in (("verify",), ("mission", "history", "M-1"), ("mission", "show", "M-1")):
        result = run(*args)
        assert result.exit_code == 1, args
        assert "internal error" not in result.stderr
    assert "mission M-1: history entry #1 cannot be read" in run("verify").stderr
    assert "mission M-1: history entry #1 cannot be read" in run("mission", "history", "M-1").stderr


LIMITS = [
    (("client", "add", "x" * 201), "'NAME'", "give at most 200 characters (201 given)"),
    (("client", "add", "a\x00b"), "'NAME'", "it contains a NUL character"),
    (("client", "add", "caf\udce9"), "'NAME'", "it contains bytes that are not UTF-8 text"),
    (("mission", "new", "C-1", "t" * 301), "'TITLE'", "give at most 300 characters"),
    (("mission", "new", "C-1", "Logo", "--revisions", str(2**31)), "'--revisions'", "is not in the range"),
    (("mission", "new", "C-1", "Logo", "--amount", "1" * 20), "'--amount'", "is over the maximum"),
    (("fire", "M-1", "qualify", "--by", "b" * 201), "'--by'", "give at most 200 characters"),
    (("fire", "M-1", "qualify", "--note", "n" * 10_001), "'--note'", "give at most 10,000 characters"),
    (("fire", "M-1", "qualify", "--at", "0001-01-01"), "'--at'", "is outside 1900-01-01..2999-12-31"),
    (("fire", "M-1", "qualify", "--at", "9999-12-31T23:59:59-14:00"), "'--at'", "is outside"),
    (("mission", "list", "--limit", str(2**63)), "'--limit'", "is not in the range"),
    (("payment", "add", "M-1", "9" * 18), "'AMOUNT'", "is over the maximum"),
]


@pytest.mark.parametrize(
    ("args", "option", "message"), LIMITS, ids=[" ".join(a[:2]) + f" {o}" for a, o, _ in LIMITS]
)
def test_values_past_a_limit_are_usage_errors_on_both_databases(
    store_url: str, args: tuple[str, ...], option: str, message: str
) -> None:
    """The same value is refused the same way on SQLite and PostgreSQL: exit 2, the option named,
    nothing written."""
    run = Cli(store_url)
    run.ok("client", "add", "Acme")
    run.ok("mission", "new", "C-1", "Logo", "--amount", "1000")
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}" in result.stderr
    assert message in result.stderr
    assert len(run.json("client", "list")) == 1  # type: ignore[arg-type]
    assert len(run.json("mission", "list")) == 1  # type: ignore[arg-type]


def test_the_library_refuses_the_same_values_on_both_databases(store: Store) -> None:
    """Store calls with a text past its column, a NUL, or money past 64 bits raise InvalidValueError."""
    with pytest.raises(InvalidValueError, match="give at most 200 characters"):
        store.add_client("x" * 201)
    with pytest.raises(InvalidValueError, match="NUL"):
        store.add_client("a\x00b")
    ref = lead(store)
    with pytest.raises(InvalidValueError, match="too large"):
        store.set_rush_surcharge(ref, Money(10**17, "EUR"))
    with pytest.raises(InvalidValueError, match="give at most 200 characters"):
        store.fire(ref, "qualify", actor="b" * 201)
    assert store.get_mission(ref).state == "lead"


def test_every_printer_goes_through_the_safe_echo() -> None:
    """No module of the command line prints by itself: click.echo, print and sys.stdout are used
    only in app.py, whose echo shows user text escaped."""
    import ast

    folder = Path(__file__).resolve().parents[1] / "cli" / "missionflow_cli"
    offenders = []
    for path in sorted(folder.glob("*.py")):
        if path.name == "app.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and (
                (node.attr == "echo" and isinstance(node.value, ast.Name) and node.value.id == "click")
                or (
                    node.attr in ("stdout", "stderr")
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "sys"
                )
            ):
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("objectives: café\n".encode("latin-1"), "is not UTF-8 text (byte 16)"),
        (b"objectives: a\x00b\n", "contains a NUL character"),
        (b"x" * 1_000_001, "is larger than 1,000,000 bytes"),
        (
            "deliverables:\n" + "".join(f"  - item {n}\n" for n in range(1_001)),
            "1,001 is more than the 1,000",
        ),
        ("deliverables: [logo, logo]\n", "'logo' is listed more than once"),
    ],
)
def test_a_specification_file_that_cannot_be_taken_names_the_file(
    run: Cli, tmp_path: Path, content: bytes | str, message: str
) -> None:
    """A specification file too large, not UTF-8, with a NUL, too many or twice-listed deliverables:
    exit 2 naming --file and why, and nothing is saved."""
    run.ok("client", "add", "Acme")
    run.ok("mission", "new", "C-1", "Logo")
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run("spec", "set", "M-1", "--file", str(spec))
    assert result.exit_code == 2
    assert "Invalid value for '--file'" in result.stderr
    assert message in result.stderr
    shown = run.json("spec", "show", "M-1")
    assert isinstance(shown, dict)
    assert shown["deliverables"] == []
