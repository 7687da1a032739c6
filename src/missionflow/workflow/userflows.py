"""Workflows a person keeps without writing a package: a folder in their configuration directory
and the paths listed in ``MISSIONFLOW_WORKFLOWS``, read and validated like the shipped files (every
problem with its file and line), and editable copies of a known workflow written there.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import platformdirs

from missionflow.errors import InvalidValueError
from missionflow.workflow.definition import WorkflowDefinition
from missionflow.workflow.serialize import definition_as_json, definition_to_data

ENV_VAR = "MISSIONFLOW_WORKFLOWS"
"""A list of workflow files or folders, separated like PATH (``:`` on Unix)."""
SUFFIXES = (".yaml", ".yml", ".json")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


def user_workflow_dir() -> Path:
    """The user's own workflows folder: ``workflows`` in missionflow's configuration directory
    (``platformdirs.user_config_dir("missionflow")``; ~/.config/missionflow/workflows on Linux)."""
    return Path(platformdirs.user_config_dir("missionflow", appauthor=False)) / "workflows"


def user_workflow_files() -> list[Path]:
    """Every workflow file of the user: in their folder, then in ``MISSIONFLOW_WORKFLOWS`` order.

    A path of ``MISSIONFLOW_WORKFLOWS`` that is not a folder is given as a file, so that reading
    it reports a typo ("no such file") instead of silently hiding a workflow; the user's folder
    may be absent.
    """
    found = _files_in(user_workflow_dir())
    for entry in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if entry.strip():
            path = Path(entry.strip()).expanduser()
            found.extend(_files_in(path) if path.is_dir() else [path])
    return found


def _files_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())


def copy_text(definition: WorkflowDefinition, name: str) -> str:
    """The text of ``definition`` as an editable copy named ``name`` at version 1: its own file
    (comments kept) with the name and version lines changed, else the definition as JSON."""
    if _NAME.fullmatch(name) is None:
        raise InvalidValueError("name", f"{name!r}: use lowercase letters, digits, - and _ (like my-flow)")
    try:
        text = Path(definition.source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        text = definition_as_json(definition)
    named, count = re.subn(r"(?m)^name:.*$", f"name: {name}", text, count=1)
    versioned, versions = re.subn(r"(?m)^version:.*$", "version: 1", named, count=1)
    if count == 1 and versions == 1:
        return versioned
    data = definition_to_data(definition)
    data.update(name=name, version=1)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
