"""``make bench-readme``: bench/readme.py writes the Performance table of a run's JSON between the
README's markers, machine line included, and changes nothing else. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "readme.py"
MACHINE = {
    "cpu": "Test CPU",
    "logical_cpus": 2,
    "usable_cpus": 2,
    "memory_gib": 4.0,
    "os": "TestOS",
    "python": "CPython 3.11",
    "packages": {"missionflow": "0.1.0", "click": None},
    "dot": None,
}


def _series(name: str, samples: list[float]) -> dict[str, object]:
    return {
        "name": name,
        "median": sorted(samples)[1],
        "min": min(samples),
        "max": max(samples),
        "samples": samples,
    }


def _report() -> dict[str, object]:
    line = {
        "name": "fire something",
        "available": True,
        "reason": None,
        "unit": "ms/op",
        "ours": _series("ours", [3.0, 4.0, 5.0]),
        "baselines": [_series("by hand", [1.0, 2.0, 3.0])],
        "ratios": [{"baseline": "by hand", "ratio": 2.0, "ratio_is": "ours/baseline"}],
        "targets": [{"text": "≤ 1.5× by hand", "against": "by hand", "value": 2.0, "limit": 1.5, "strict": False, "met": False}],
        "met": False,
        "higher_is_better": False,
        "note": "a note about the data",
    }  # fmt: skip
    missing = {"name": "needs a server", "available": False, "reason": "no server here", "unit": None,
               "ours": None, "baselines": [], "ratios": [], "targets": [], "met": None, "note": ""}  # fmt: skip
    return {
        "schema": 1,
        "mode": "full",
        "started": "2026-11-30T10:00:00+00:00",
        "seconds": 61.0,
        "machine": MACHINE,
        "rows": [{"row": 3, "slug": "x", "title": "X", "lines": [line, missing]}],
        "failures": [],
    }


def _run(tmp_path: Path, readme: str) -> tuple[subprocess.CompletedProcess[str], str]:
    source, target = tmp_path / "run.json", tmp_path / "README.md"
    source.write_text(json.dumps(_report()), encoding="utf-8")
    target.write_text(readme, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--input", str(source), "--readme", str(target)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done, target.read_text(encoding="utf-8")


def test_the_table_goes_between_the_markers_with_the_machine_line(tmp_path: Path) -> None:
    """The block holds the run's date, the machine line, each line with its baseline, ratio, target
    and verdict, the notes, the unavailable line's reason and the missed target; the rest is kept."""
    before, after = "# Title\n\n## Performance\n\nIntro.\n\n", "\n## Development\n"
    done, text = _run(tmp_path, before + "<!-- bench:start -->\nold table\n<!-- bench:end -->" + after)
    assert done.returncode == 0, done.stderr
    assert text.startswith(before + "<!-- bench:start -->\n")
    assert text.endswith("<!-- bench:end -->" + after)
    assert "old table" not in text
    block = text[text.index("<!-- bench:start -->") : text.index("<!-- bench:end -->")]
    assert "full run (2026-11-30" in block
    assert (
        "    Machine: Test CPU, 2 logical CPUs (2 usable), 4.0 GiB RAM; TestOS; CPython 3.11; missionflow 0.1.0"
        in block
    )
    row = next(line for line in block.splitlines() if "fire something" in line)
    for cell in ("4.00 [3.00–5.00]", "by hand", "2.00 [1.00–3.00]", "2", "≤ 1.5× by hand", "NO"):
        assert cell in row, cell
    assert "a note about the data" in block
    assert "needs a server" in block
    assert "no server here" in block
    assert "- Row 3, fire something: ≤ 1.5× by hand, measured 2" in block


def test_a_second_run_gives_the_same_file(tmp_path: Path) -> None:
    """Regenerating from the same JSON changes nothing: the block is replaced, never appended."""
    _, once = _run(tmp_path, "<!-- bench:start -->\n<!-- bench:end -->\n")
    _, twice = _run(tmp_path, once)
    assert twice == once


def test_a_readme_without_markers_is_refused_unchanged(tmp_path: Path) -> None:
    """Without the markers the script says so, exits 1 and leaves the file as it was."""
    done, text = _run(tmp_path, "# No markers\n")
    assert done.returncode == 1
    assert "markers" in done.stderr
    assert text == "# No markers\n"
