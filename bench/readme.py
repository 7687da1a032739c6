"""Regenerate the README's Performance table from a benchmark run's JSON (``make bench-readme``).

python bench/readme.py                                   # bench/results/latest.json into README.md
python bench/readme.py --input run.json --readme X.md    # another run, another file

The table goes between the README's markers (``<!-- bench:start -->`` and ``<!-- bench:end -->``),
as ``bench/run.py`` printed it: the run's date and mode, the machine line, one line per
measurement and baseline, the notes, and the targets missed. Nothing outside the markers changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rows._measure import Line, Series, Target
from run import DEFAULT_OUTPUT, render_table

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"


def _series(data: dict[str, object]) -> Series:
    samples = data["samples"]
    assert isinstance(samples, list)
    return Series(str(data["name"]), tuple(float(s) for s in samples))


def lines_of(report: dict[str, object]) -> list[Line]:
    """The measurements of a run's JSON, as ``run.py`` made them."""
    found: list[Line] = []
    rows = report["rows"]
    assert isinstance(rows, list)
    for row in rows:
        for data in row["lines"]:
            if not data["available"]:
                found.append(Line(row=int(row["row"]), name=data["name"], unit="", note=data.get("note") or "",
                                  unavailable=data["reason"] or "not available"))  # fmt: skip
                continue
            found.append(
                Line(
                    row=int(row["row"]),
                    name=data["name"],
                    unit=data["unit"],
                    ours=_series(data["ours"]),
                    baselines=tuple(_series(b) for b in data["baselines"]),
                    targets=tuple(
                        Target(t["text"], float(t["limit"]), baseline=t["against"], strict=bool(t["strict"]))
                        for t in data["targets"]
                    ),
                    note=data.get("note") or "",
                    higher_is_better=bool(data.get("higher_is_better")),
                )
            )
    return found


def _misses(lines: Sequence[Line]) -> list[str]:
    missed = []
    for line in lines:
        if line.ours is None:
            continue
        for target in line.targets:
            if not target.met(line):
                missed.append(
                    f"- Row {line.row}, {line.name}: {target.text}, measured {target.value(line):.3g}"
                )
    return missed


def performance_table(report: dict[str, object]) -> str:
    """The generated block: the run, the machine line, the table, its notes and the targets missed."""
    machine = report["machine"]
    assert isinstance(machine, dict)
    lines = lines_of(report)
    table = render_table(lines, machine, str(report["mode"]))
    indented = "\n".join(("    " + text).rstrip() for text in table.splitlines())
    misses = _misses(lines)
    out = [
        f"The latest {report['mode']} run ({str(report['started'])[:10]}, {report['seconds']:.0f} s), "
        "regenerated from `bench/results/latest.json` by `make bench-readme`:",
        "",
        indented,
        "",
        f"Targets missed ({len(misses)}):" if misses else "Every target is met.",
        *misses,
    ]
    return "\n".join(out).rstrip() + "\n"


def replace_between_markers(text: str, block: str) -> str:
    """``text`` with what lies between the markers replaced by ``block`` (ValueError without them)."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no {START} ... {END} markers")
    return text[: start + len(START)] + "\n" + block + text[end:]


def main(argv: Sequence[str] | None = None) -> int:
    """Read the run's JSON and rewrite the README's block; 1 when the JSON or the markers are missing."""
    parser = argparse.ArgumentParser(prog="bench/readme.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--input", type=Path, default=DEFAULT_OUTPUT, help="the run's JSON")
    parser.add_argument("--readme", type=Path, default=README, help="the file to update")
    options = parser.parse_args(argv)
    try:
        report = json.loads(options.input.read_text(encoding="utf-8"))
        text = options.readme.read_text(encoding="utf-8")
        updated = replace_between_markers(text, performance_table(report))
    except (OSError, ValueError) as exc:
        print(f"bench/readme.py: {exc}", file=sys.stderr)
        return 1
    options.readme.write_text(updated, encoding="utf-8")
    print(f"updated {options.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
