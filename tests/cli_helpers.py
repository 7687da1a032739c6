"""Helpers for CLI tests: run a command in-process against a given database."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from missionflow_cli.main import cli


class Cli:
    """A CliRunner bound to one database (a file path or a URL), as a user's shell would be."""

    def __init__(self, db: Path | str) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(cli, list(args), env={"MISSIONFLOW_DB": str(self.db), "NO_COLOR": "1"})

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, f"{args} exited {result.exit_code}: {result.output}"
        return result.stdout

    def json(self, *args: str) -> object:
        return json.loads(self.ok(*args, "--json"))
