"""A person's own workflows without a package: the workflows folder of their configuration directory
and MISSIONFLOW_WORKFLOWS, validated with file and line; `workflow copy` writes an editable copy
there, and the installed executable runs a mission under the edited copy, without a client."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from missionflow import ConflictError, InvalidValueError, WorkflowDefinitionError, load_workflow
from missionflow.workflow import WorkflowRegistry, copy_workflow, user_workflow_dir, workflow_names

EXECUTABLE = shutil.which("missionflow", path=str(Path(sys.executable).parent))
SMALL = """name: {name}
version: 1
title: Small
initial: open
states:
  - {{id: open, label: Open}}
  - {{id: done, label: Done, final: true}}
transitions:
  - trigger: finish
    source: open
    dest: done
"""


def test_the_users_folder_is_in_their_configuration_directory(no_user_workflows: Path) -> None:
    """The folder follows the platform's rules (XDG_CONFIG_HOME on Linux)."""
    assert user_workflow_dir() == no_user_workflows / "missionflow" / "workflows"


def test_workflows_in_the_users_folder_and_the_environment_are_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated: WorkflowRegistry
) -> None:
    """A file in the user's folder, a listed file and a listed folder are all found by name."""
    user_workflow_dir().mkdir(parents=True)
    (user_workflow_dir() / "mine.yaml").write_text(SMALL.format(name="mine"), encoding="utf-8")
    listed = tmp_path / "listed.yaml"
    listed.write_text(SMALL.format(name="listed"), encoding="utf-8")
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "shared.yml").write_text(SMALL.format(name="shared"), encoding="utf-8")
    monkeypatch.setenv("MISSIONFLOW_WORKFLOWS", os.pathsep.join([str(listed), str(folder)]))
    isolated.rediscover()
    assert {"mine", "listed", "shared", "freelance-mission"} <= set(workflow_names())
    assert load_workflow("mine").source == str(user_workflow_dir() / "mine.yaml")


def test_a_broken_user_workflow_is_reported_with_its_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated: WorkflowRegistry
) -> None:
    """An invalid file, a listed path that does not exist and a copy of a shipped version are each reported."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL.format(name="broken").replace("dest: done", "dest: nowhere"), encoding="utf-8")
    clash = tmp_path / "clash.yaml"
    clash.write_text(SMALL.format(name="freelance-mission"), encoding="utf-8")
    monkeypatch.setenv(
        "MISSIONFLOW_WORKFLOWS", os.pathsep.join([str(broken), str(clash), str(tmp_path / "typo")])
    )
    isolated.rediscover()
    with pytest.raises(WorkflowDefinitionError) as caught:
        workflow_names()
    found = {(Path(p.file).name, p.line) for p in caught.value.problems}
    assert ("broken.yaml", 11) in found
    assert ("clash.yaml", 1) in found
    assert ("typo", 0) in found


def test_copy_writes_an_editable_renamed_version_one(isolated: WorkflowRegistry) -> None:
    """The copy keeps the file's comments, takes the new name at version 1, and is found by that name."""
    isolated.rediscover()
    written = copy_workflow("freelance-mission", "my-flow")
    isolated.rediscover()
    assert written == user_workflow_dir() / "my-flow.yaml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# The lifecycle of a freelance mission")
    assert "name: my-flow\nversion: 1\n" in text
    assert load_workflow("my-flow").name == "my-flow"
    with pytest.raises(ConflictError):
        copy_workflow("freelance-mission", "my-flow")
    with pytest.raises(ConflictError):
        copy_workflow("coaching", "freelance-mission")
    with pytest.raises(InvalidValueError):
        copy_workflow("coaching", "Not A Name")


def test_copy_edit_validate_and_run_from_the_installed_executable(tmp_path: Path) -> None:
    """workflow copy, an edit (a quote_sent step, no criteria check, no client guard), workflow
    validate, then a mission with no client runs under it from lead to quote_sent and on."""
    assert EXECUTABLE is not None, "the missionflow console script is not installed in this environment"
    env = {**os.environ, "MISSIONFLOW_DB": str(tmp_path / "e2e.db"), "NO_COLOR": "1"}

    def run(*args: str, expect: int = 0) -> str:
        done = subprocess.run([EXECUTABLE, *args], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    path = Path(run("workflow", "copy", "freelance-mission", "my-flow").strip())
    assert path == user_workflow_dir() / "my-flow.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "  - trigger: qualify\n    source: lead\n    dest: criteria_check\n    guards: [client_not_blocked]\n",
        "  - trigger: send_quote\n    source: lead\n    dest: quote_sent\n"
        "  - trigger: qualify\n    source: quote_sent\n    dest: criteria_check\n",
    )
    text = text.replace(
        "    guards: [criteria_met, client_not_blocked, lead_time_respected]\n",
        "    guards: [lead_time_respected]\n",
    )
    text = text.replace(
        "  - id: criteria_check\n",
        "  - id: quote_sent\n    label: {en: Quote sent, fr: Devis envoyé}\n  - id: criteria_check\n",
    )
    path.write_text(text, encoding="utf-8")
    assert "valid (my-flow v1" in run("workflow", "validate", str(path))
    assert "my-flow" in run("workflow", "list")
    run("mission", "new", "Website", expect=2)  # the shipped workflow reads the client
    ref = run("mission", "new", "Website", "--workflow", "my-flow", "--amount", "900").strip()
    assert ref == "M-1"
    run("fire", ref, "send_quote")
    run("fire", ref, "qualify")
    run("fire", ref, "accept")
    shown = run("mission", "show", ref)
    assert "specification" in shown
    assert "my-flow" in shown

    broken = text.replace("dest: quote_sent", "dest: quote_snet", 1)
    path.write_text(broken, encoding="utf-8")
    problems = run("workflow", "list", expect=7)
    assert f"{path}:" in problems
    assert "quote_snet" in problems


def test_a_closed_pipe_ends_a_command_quietly(tmp_path: Path) -> None:
    """A reader that went away (`missionflow workflow list | head -1`) ends the command without a traceback or an error message."""
    assert EXECUTABLE is not None
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "MISSIONFLOW_DB": str(tmp_path / "pipe.db")}
    try:
        done = subprocess.run(
            [EXECUTABLE, "workflow", "list"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 1
