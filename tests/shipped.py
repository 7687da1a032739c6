"""The shipped workflow files, every published version of each (``freelance-mission.yaml`` is the
newest, ``freelance-mission@1.yaml`` the first), for the tests that go through all of them."""

from __future__ import annotations

from missionflow.workflow import WorkflowDefinition, load_workflow_file, shipped_workflow_dir

SHIPPED = sorted(path.stem for path in shipped_workflow_dir().glob("*.yaml"))
"""The file stems: ``coaching``, ``freelance-mission``, ``freelance-mission@1``..."""


def shipped(stem: str) -> WorkflowDefinition:
    """The definition in the shipped file ``stem.yaml``."""
    return load_workflow_file(shipped_workflow_dir() / f"{stem}.yaml")
