"""The benchmark suite keeps working: bench/run.py in quick mode, in a subprocess, writes its table
as JSON with numbers for every requested row. No test here asserts a timing."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"
FAST_ROWS = {1: "fire", 2: "fanout", 3: "persisted", 4: "scale", 6: "cli"}
RUNS = 2


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=600, check=False
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@pytest.fixture(scope="module")
def quick_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    """One quick run of the fast rows, its process and the JSON it wrote."""
    output = tmp_path_factory.mktemp("bench") / "latest.json"
    done = _bench(
        "--quick", "--runs", str(RUNS), "--only", ",".join(FAST_ROWS.values()), "--output", str(output)
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    report = json.loads(output.read_text(encoding="utf-8"))
    assert isinstance(report, dict)
    return done, report


def _lines(report: dict[str, object]) -> list[dict[str, object]]:
    rows = report["rows"]
    assert isinstance(rows, list)
    return [line for row in rows for line in row["lines"]]


@pytest.mark.slow
def test_quick_run_reports_each_requested_row_and_the_machine(quick_run) -> None:  # type: ignore[no-untyped-def]
    """The JSON holds exactly the rows asked for, in quick mode, with the machine it ran on."""
    _, report = quick_run
    rows = report["rows"]
    assert isinstance(rows, list)
    assert {row["row"]: row["slug"] for row in rows} == FAST_ROWS
    assert report["mode"] == "quick"
    assert report["failures"] == []
    machine = report["machine"]
    assert isinstance(machine, dict)
    for key in ("cpu", "logical_cpus", "python"):
        assert machine[key], key
    for package in ("missionflow", "transitions", "python-statemachine", "click"):
        assert machine["packages"][package], package


@pytest.mark.slow
def test_every_measured_line_has_medians_ranges_ratios_and_verdicts(quick_run) -> None:  # type: ignore[no-untyped-def]
    """Each measured line has ours and its baselines as median within min-max over every run, the ratio of
    the medians, and a met flag that agrees with its target's limit."""
    _, report = quick_run
    measured = [line for line in _lines(report) if line["available"]]
    assert measured, "no line was measured"
    for line in measured:
        series = [line["ours"], *line["baselines"]]
        assert len(series) >= 2, f"{line['name']} has no baseline"
        for one in series:
            assert all(_is_number(one[key]) for key in ("median", "min", "max")), one
            assert one["min"] <= one["median"] <= one["max"], one
            assert len(one["samples"]) == RUNS or line["unit"] == "B/mission", one
            assert one["median"] > 0, one
        ours = line["ours"]["median"]
        for baseline, ratio in zip(line["baselines"], line["ratios"], strict=True):
            theirs = baseline["median"]
            expected = theirs / ours if line["higher_is_better"] else ours / theirs
            assert ratio["baseline"] == baseline["name"]
            assert ratio["ratio"] == pytest.approx(expected)
        for target in line["targets"]:
            value, limit = target["value"], target["limit"]
            assert target["met"] is (value < limit if target["strict"] else value <= limit), target
        assert line["met"] is (all(t["met"] for t in line["targets"]) if line["targets"] else None)


@pytest.mark.slow
def test_engine_rows_are_always_measured_with_their_targets(quick_run) -> None:  # type: ignore[no-untyped-def]
    """The rows that need only the engine and the CLI are measured, never reported as unavailable."""
    _, report = quick_run
    by_name = {line["name"]: line for line in _lines(report)}
    for name in (
        "fire start_work in memory (2 guards)",
        "list triggers + guard results per mission",
        "extra memory per mission (tracemalloc peak)",
        "missionflow --help",
    ):
        assert by_name[name]["available"] is True, by_name[name]
        assert by_name[name]["targets"], name
    fire = by_name["fire start_work in memory (2 guards)"]
    assert [b["name"] for b in fire["baselines"]] == ["transitions", "python-statemachine"]


@pytest.mark.slow
def test_unavailable_lines_carry_a_reason_and_no_number(quick_run) -> None:  # type: ignore[no-untyped-def]
    """A line that cannot run yet says why and reports no made-up number."""
    _, report = quick_run
    for line in _lines(report):
        if not line["available"]:
            assert isinstance(line["reason"], str), line
            assert line["reason"], line
            assert line["ours"] is None, line
            assert line["baselines"] == [], line
            assert line["met"] is None, line


@pytest.mark.slow
def test_the_printed_table_names_every_line_and_the_machine(quick_run) -> None:  # type: ignore[no-untyped-def]
    """stdout holds the machine line, the table's header and one entry per measured line."""
    done, report = quick_run
    assert done.stdout.startswith("Machine: ")
    assert "missionflow median [min–max]" in done.stdout
    for line in _lines(report):
        assert line["name"] in done.stdout


def test_list_names_every_row_of_the_issue() -> None:
    """--list prints each row's number and name, one module per row of the issue, in order."""
    done = _bench("--list")
    assert done.returncode == 0, done.stderr
    listed = [tuple(text.split()[:2]) for text in done.stdout.splitlines()]
    assert listed == [
        ("1", "fire"),
        ("2", "fanout"),
        ("3", "persisted"),
        ("4", "scale"),
        ("5", "postgresql"),
        ("6", "cli"),
        ("7", "diagram"),
        ("8", "documents"),
        ("9", "validation"),
        ("10", "timers"),
        ("11", "async"),
    ]


def test_an_unknown_row_is_refused_with_the_known_ones() -> None:
    """--only with a name that is no row stops before measuring and lists the rows that exist."""
    done = _bench("--quick", "--only", "fire,no-such-row")
    assert done.returncode != 0
    assert "no-such-row" in done.stderr
    assert "1/fire" in done.stderr
