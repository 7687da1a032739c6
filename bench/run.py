"""The benchmark suite's one entry point: run the rows, print one table, write it as JSON.

python bench/run.py                  # every row, full size (make bench)
python bench/run.py --quick          # fewer runs, smaller data (make bench-quick)
python bench/run.py --only fire,cli  # some rows, by number or name (see --list)
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rows import Config, Row, discover
from rows._measure import Line, Series
from rows._optional import executable

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "results" / "latest.json"
PACKAGES = ("missionflow", "transitions", "python-statemachine", "click", "SQLAlchemy", "psycopg", "graphviz")
RATIO_IS = "ours/baseline of the medians (baseline/ours for throughput): below 1, ours does better"


# --- the machine ---------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal:"):
                return round(int(text.split()[1]) / 1024**2, 1)
    except (OSError, ValueError):
        pass
    return None


def _dot_version() -> str | None:
    dot = executable("dot")
    if dot is None:
        return None
    done = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False)
    return (done.stderr or done.stdout).strip() or None


def describe_machine() -> dict[str, object]:
    """CPU, cores, memory, OS, Python and the versions of every package the rows compare."""
    packages: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": packages,
        "dot": _dot_version(),
    }


def machine_line(machine: dict[str, object]) -> str:
    """The machine in one line, printed above the table."""
    packages = machine["packages"]
    assert isinstance(packages, dict)
    listed = ", ".join(f"{name} {v}" for name, v in packages.items() if v is not None)
    memory = f", {machine['memory_gib']} GiB RAM" if machine["memory_gib"] is not None else ""
    dot = f"; {machine['dot']}" if machine["dot"] else ""
    return (
        f"Machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs ({machine['usable_cpus']} usable)"
        f"{memory}; {machine['os']}; {machine['python']}; {listed}{dot}"
    )


# --- JSON ----------------------------------------------------------------------------------


def _series_json(series: Series) -> dict[str, object]:
    return {
        "name": series.name,
        "median": series.median,
        "min": series.low,
        "max": series.high,
        "samples": list(series.samples),
    }


def line_json(line: Line) -> dict[str, object]:
    """One measurement as JSON: every number, the ratios, each target and whether it is met."""
    if line.unavailable is not None or line.ours is None:
        return {
            "name": line.name,
            "available": False,
            "reason": line.unavailable,
            "unit": line.unit or None,
            "ours": None,
            "baselines": [],
            "ratios": [],
            "targets": [],
            "met": None,
            "note": line.note,
        }
    targets = [
        {
            "text": t.text,
            "against": t.baseline,
            "value": t.value(line),
            "limit": t.limit,
            "strict": t.strict,
            "met": t.met(line),
        }
        for t in line.targets
    ]
    return {
        "name": line.name,
        "available": True,
        "reason": None,
        "unit": line.unit,
        "ours": _series_json(line.ours),
        "baselines": [_series_json(b) for b in line.baselines],
        "ratios": [
            {"baseline": b.name, "ratio": line.ratio(b.name), "ratio_is": line.ratio_is}
            for b in line.baselines
        ],
        "targets": targets,
        "met": all(bool(t["met"]) for t in targets) if targets else None,
        "higher_is_better": line.higher_is_better,
        "note": line.note,
    }


# --- the table -----------------------------------------------------------------------------


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _spread(series: Series) -> str:
    return f"{_number(series.median)} [{_number(series.low)}–{_number(series.high)}]"


HEADERS = (
    "Row",
    "Measurement",
    "Unit",
    "missionflow median [min–max]",
    "Baseline",
    "baseline median [min–max]",
    "ratio",
    "Target",
    "Met",
)


def table_rows(lines: Sequence[Line], notes: list[str]) -> list[tuple[str, ...]]:
    """The printed cells: one line per (measurement, baseline); notes are numbered below."""
    cells: list[tuple[str, ...]] = []
    for line in lines:
        marker = ""
        text = line.unavailable if line.ours is None else line.note
        if text:
            if text not in notes:
                notes.append(text)
            marker = f" [{notes.index(text) + 1}]"
        if line.ours is None:
            cells.append((str(line.row), line.name + marker, "", "not available yet", "", "", "", "", ""))
            continue
        by_baseline: dict[str | None, list[str]] = {}
        met: dict[str | None, list[bool]] = {}
        for target in line.targets:
            key = (
                target.baseline
                if target.baseline is not None
                else (line.baselines[0].name if line.baselines else None)
            )
            by_baseline.setdefault(key, []).append(target.text)
            met.setdefault(key, []).append(target.met(line))
        for index, baseline in enumerate(line.baselines or (None,)):
            key = baseline.name if baseline is not None else None
            first = index == 0
            cells.append(
                (
                    str(line.row) if first else "",
                    line.name + marker if first else "",
                    line.unit if first else "",
                    _spread(line.ours) if first else "",
                    baseline.name if baseline is not None else "",
                    _spread(baseline) if baseline is not None else "",
                    f"{line.ratio(baseline.name):.3g}" if baseline is not None else "",
                    "; ".join(by_baseline.get(key, [])) or ("none set" if first and not line.targets else ""),
                    "/".join("yes" if ok else "NO" for ok in met.get(key, []))
                    or ("—" if first and not line.targets else ""),
                )
            )
    return cells


def render_table(lines: Sequence[Line], machine: dict[str, object], mode: str) -> str:
    """The whole report as text: the machine, the table, the notes."""
    notes: list[str] = []
    cells = [HEADERS, *table_rows(lines, notes)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADERS))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    out = [machine_line(machine), f"Mode: {mode}; ratio = {RATIO_IS}", "", fmt(cells[0]), rule]
    out += [fmt(row) for row in cells[1:]]
    out.append("")
    out += [f"[{i}] {text}" for i, text in enumerate(notes, start=1)]
    return "\n".join(out)


# --- running -------------------------------------------------------------------------------


def select(rows: Sequence[Row], only: Sequence[str]) -> list[Row]:
    """The rows named in ``--only`` (numbers or names), all when none are named."""
    wanted = [part.strip() for item in only for part in item.split(",") if part.strip()]
    if not wanted:
        return list(rows)
    known = {str(row.number): row for row in rows} | {row.slug: row for row in rows}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        names = ", ".join(f"{row.number}/{row.slug}" for row in rows)
        raise SystemExit(f"run.py: unknown row {', '.join(unknown)} (known: {names})")
    chosen = {known[name].number: known[name] for name in wanted}
    return [chosen[number] for number in sorted(chosen)]


def run_rows(rows: Sequence[Row], config: Config) -> tuple[list[tuple[Row, list[Line]]], list[str]]:
    """Measure each row; a row that crashes is reported as failed and the others still run."""
    results: list[tuple[Row, list[Line]]] = []
    failures: list[str] = []
    for row in rows:
        print(f"row {row.number} ({row.slug}): {row.title} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            lines = row.measure(config)
        except Exception as exc:
            traceback.print_exc()
            failures.append(f"row {row.number} ({row.slug}): {type(exc).__name__}: {exc}")
            lines = [
                Line(
                    row=row.number,
                    name=row.title,
                    unit="",
                    unavailable=f"FAILED: {type(exc).__name__}: {exc}",
                )
            ]
        print(f"row {row.number} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        results.append((row, lines))
    return results, failures


def keep_out_of_the_users_ledger() -> None:
    """Every store and command the rows open seals with the bench's key (rows and the processes
    they start inherit it), never with the key file in the user's configuration folder."""
    from rows._persisted import BENCH_LEDGER_KEY

    os.environ["MISSIONFLOW_LEDGER_KEY"] = base64.urlsafe_b64encode(BENCH_LEDGER_KEY).decode("ascii")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the rows, print the table and write the JSON; 1 if a row failed."""
    keep_out_of_the_users_ledger()
    rows = discover()
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="3 runs and small data sets (under a minute)")
    parser.add_argument(
        "--only", action="append", default=[], metavar="ROWS", help="comma-separated row numbers or names"
    )
    parser.add_argument(
        "--runs", type=int, default=None, help="repeated runs per row (default: 7, heavy rows 5; quick: 3)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"JSON file (default: {DEFAULT_OUTPUT.relative_to(HERE.parent)})",
    )
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    options = parser.parse_args(argv)
    if options.list:
        for row in rows:
            print(f"{row.number}  {row.slug:<10} {row.title}")
        return 0
    if options.runs is not None and options.runs < 1:
        parser.error("--runs must be at least 1")
    chosen = select(rows, options.only)
    config = Config(quick=options.quick, runs_override=options.runs)
    mode = "quick" if options.quick else "full"
    machine = describe_machine()
    started = datetime.now(UTC)
    clock = time.perf_counter()
    results, failures = run_rows(chosen, config)
    seconds = time.perf_counter() - clock
    lines = [line for _, row_lines in results for line in row_lines]
    print(render_table(lines, machine, mode))
    print(f"\n{len(chosen)} row(s) in {seconds:.0f} s")
    report = {
        "schema": 1,
        "mode": mode,
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "runs": {"light": config.runs, "heavy": config.heavy_runs},
        "machine": machine,
        "rows": [
            {
                "row": row.number,
                "slug": row.slug,
                "title": row.title,
                "lines": [line_json(line) for line in row_lines],
            }
            for row, row_lines in results
        ],
        "failures": failures,
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {options.output}")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
