"""`missionflow workflow export` and `workflow import`: output, files, and exit codes for mistakes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from missionflow_cli.main import cli

from missionflow.workflow import definition_to_yaml, export_workflow, import_workflow_file, load_workflow

TRICKY = Path(__file__).parent / "machines" / "tricky.yaml"


def run(*args: str) -> Result:
    """The command's result, as a user's shell would see it."""
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})


def test_export_prints_the_machine() -> None:
    """Without -o the XState machine is printed, exactly what the library writes."""
    result = run("workflow", "export", "coaching", "--format", "xstate")
    assert result.exit_code == 0, result.output
    assert result.stdout == export_workflow(load_workflow("coaching"), "xstate")
    assert json.loads(result.stdout)["id"] == "coaching"


def test_export_reads_a_workflow_file() -> None:
    """A .yaml path instead of a name exports that file."""
    result = run("workflow", "export", str(TRICKY), "--format", "scxml")
    assert result.exit_code == 0, result.output
    assert 'name="tricky"' in result.stdout


def test_import_prints_the_yaml_and_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    """An .scxml file is read as SCXML and printed as a workflow file; --format overrides the suffix."""
    exported = tmp_path / "coaching.scxml"
    exported.write_text(export_workflow(load_workflow("coaching"), "scxml"), encoding="utf-8")
    printed = run("workflow", "import", str(exported))
    assert printed.exit_code == 0, printed.output
    assert printed.stdout.startswith("name: coaching\nversion: 1\n")
    renamed = exported.rename(tmp_path / "coaching.txt")
    assert run("workflow", "import", str(renamed), "--format", "scxml").stdout == printed.stdout


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("m.json", '{"id": "m",\n  "states": {', "m.json:2: not JSON: Expecting property name"),
        ("m.scxml", "<scxml>\n<state>", "m.scxml:2: not well-formed XML: no element found"),
        ("m.json", '{"id": "m", "context": {}}', "m.json:1: the machine: a workflow keeps no context"),
        ("m.txt", "{}", "cannot tell the format of"),
    ],
)
def test_a_malformed_file_exits_2_with_its_line(tmp_path: Path, name: str, text: str, expected: str) -> None:
    """A file that is not a document of its format exits 2 with the file, the line and the reason."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run("workflow", "import", str(path))
    assert result.exit_code == 2, result.output
    assert expected in result.stderr.replace(str(tmp_path) + "/", "")
    assert "internal error" not in result.output


def test_an_invalid_workflow_exits_7_with_every_problem_and_its_line(tmp_path: Path) -> None:
    """A well-formed machine that is not a valid workflow exits 7, as `workflow validate` does."""
    machine = json.loads(export_workflow(load_workflow("coaching"), "xstate"))
    machine["states"]["lead"]["on"]["qualify"]["target"] = "nowhere"
    del machine["states"]["paid"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(machine, indent=2), encoding="utf-8")
    result = run("workflow", "import", str(path), "-o", str(tmp_path / "m.yaml"))
    assert result.exit_code == 7, result.output
    lines = path.read_text(encoding="utf-8").splitlines()
    nowhere = next(n for n, line in enumerate(lines, 1) if '"nowhere"' in line)
    assert f"m.json:{nowhere}: transition 'qualify' goes to unknown state 'nowhere'" in result.stderr
    assert "unknown state 'paid'" in result.stderr
    assert not (tmp_path / "m.yaml").exists()


def test_an_export_the_format_cannot_carry_exits_2_naming_the_trigger(tmp_path: Path) -> None:
    """A `send` trigger cannot go to SCXML: exit 2 with the file, line and trigger."""
    text = TRICKY.read_text(encoding="utf-8").replace("trigger: note", "trigger: send")
    path = tmp_path / "send.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("workflow", "export", str(path), "--format", "scxml")
    assert result.exit_code == 2, result.output
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "trigger: send" in row)
    assert f"send.yaml:{line}: trigger 'send' would hide StateChart.send" in result.stderr


def test_a_version_of_a_file_is_a_usage_error() -> None:
    """--version names a version of a known workflow; with a file it exits 2."""
    result = run("workflow", "export", str(TRICKY), "--format", "xstate", "--version", "2")
    assert result.exit_code == 2
    assert "--version picks a version of a known workflow, not of a file" in result.stderr


def test_an_older_version_is_exported_by_name() -> None:
    """--version with a name exports that version."""
    result = run("workflow", "export", "retainer", "--version", "1", "--format", "scxml")
    assert result.exit_code == 0, result.output
    assert 'name="retainer"' in result.stdout


def test_an_unknown_workflow_exits_5() -> None:
    """Exporting a workflow nobody knows exits 5, naming it."""
    result = run("workflow", "export", "nope", "--format", "xstate")
    assert result.exit_code == 5
    assert "unknown workflow 'nope'" in result.stderr


def test_the_installed_executable_exports_and_imports(tmp_path: Path) -> None:
    """The console script, in a subprocess, writes an SCXML file and reads it back with exit 0."""
    executable = shutil.which("missionflow", path=str(Path(sys.executable).parent))
    assert executable is not None, "the missionflow console script is not installed in this environment"
    chart = tmp_path / "retainer.scxml"
    for args in (("export", "retainer", "--format", "scxml", "-o", str(chart)), ("import", str(chart))):
        done = subprocess.run(
            [executable, "workflow", *args], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
    assert done.stdout == definition_to_yaml(import_workflow_file(chart))
