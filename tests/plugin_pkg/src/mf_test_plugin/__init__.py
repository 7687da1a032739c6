"""A test plugin for missionflow: the studio-session workflow, its guards and its hooks."""

from __future__ import annotations

import os
from pathlib import Path

EXTRA_ENV = "MF_TEST_PLUGIN_EXTRA_WORKFLOWS"
"""Extra workflow files (separated by os.pathsep) this plugin declares too, so that a test can
install a broken one and see how missionflow reports it."""


def workflow_files() -> list[Path]:
    """The workflow files this package ships (the ``missionflow.workflows`` entry point)."""
    files = sorted((Path(__file__).parent / "workflows").glob("*.yaml"))
    extra = os.environ.get(EXTRA_ENV, "")
    return files + [Path(item) for item in extra.split(os.pathsep) if item]
