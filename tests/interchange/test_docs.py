"""docs/INTERCHANGE.md tells the truth: its examples run and print what their comments say."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
from pathlib import Path

import pytest

from missionflow.workflow import export_workflow, load_workflow
from tests.interchange.differential import NODE_DIR, node_problem

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "INTERCHANGE.md"


def block(language: str) -> str:
    """The one block of ``language`` in the guide."""
    (found,) = re.findall(
        rf"^```{language}\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE
    )
    return str(found)


def announced(code: str, call: str, comment: str) -> list[str]:
    """What the lines calling ``call`` say they print, in their trailing comment."""
    return [line.split(comment, 1)[1].strip() for line in code.splitlines() if line.startswith(call)]


def test_the_python_example_prints_what_it_says() -> None:
    """The python-statemachine example runs on the SCXML export and prints its comments."""
    code = block("python")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(GUIDE), "exec"), {"__name__": "guide"})
    assert printed.getvalue().splitlines() == announced(code, "print(", "# ")
    assert len(announced(code, "print(", "# ")) == 3


def test_the_javascript_example_prints_what_it_says(tmp_path: Path) -> None:
    """The xstate example runs in node on the XState export and prints its comments."""
    problem = node_problem()
    if problem is not None:
        pytest.fail(problem)
    machine = tmp_path / "coaching.json"
    machine.write_text(export_workflow(load_workflow("coaching"), "xstate"), encoding="utf-8")
    code = block("js").replace("'coaching.json'", repr(str(machine)))
    # node resolves `xstate` from the working folder for code given on the command line
    done = subprocess.run(
        ["node", "--input-type=module", "-e", code],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == announced(code, "console.log(", "// ")
