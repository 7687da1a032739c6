"""Every command explains itself, and asking for help stays fast."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from missionflow_cli.main import cli

from tests.cli_helpers import Cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


ALL_COMMANDS = _commands(cli)


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    """Each command's --help has a description and an example line starting with `missionflow`."""
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "missionflow " in result.output.split("Example", 1)[1]


def test_root_help_documents_exit_codes() -> None:
    """The root help lists the documented exit codes."""
    result = CliRunner().invoke(cli, ["--help"])
    for code in (
        "3  transition blocked",
        "4  trigger not allowed",
        "5  not found",
        "6  concurrent",
        "7  invalid",
    ):
        assert code in result.output


def test_help_does_not_import_heavy_libraries() -> None:
    """`missionflow --help` loads neither sqlalchemy, transitions nor graphviz."""
    code = (
        "import sys, json\n"
        "from missionflow_cli.main import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'transitions', 'graphviz', 'missionflow', 'yaml'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert loaded == []


def test_root_help_lists_each_command_with_its_own_first_line() -> None:
    """The lazy root lists every command with the first line of that command's own help."""
    from missionflow_cli.main import COMMANDS

    ctx = click.Context(cli)
    for name, (_, _, short) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert (command.help or "").strip().splitlines()[0] == short, name


@pytest.mark.parametrize(
    ("version", "file"), [(None, "freelance-mission.yaml"), (1, "freelance-mission@1.yaml")]
)
def test_showing_a_mission_loads_no_diagram_report_or_postgresql_code(
    tmp_path: Path, version: int | None, file: str
) -> None:
    """`mission show` imports only what it uses: the package's renderers, reports and the
    PostgreSQL dialect load on first use, and only the file of the mission's own workflow version
    is parsed (the newest, or `name@1.yaml` for a mission still under version 1)."""
    db = tmp_path / "show.db"
    Cli(db).ok("client", "add", "Acme")
    if version is None:
        Cli(db).ok("mission", "new", "C-1", "Logo")
    else:
        from missionflow import open_store

        with open_store(str(db)) as store:
            store.create_mission("C-1", "Logo", version=version)
    code = (
        "import sys, json\n"
        "from missionflow_cli.main import cli\n"
        "import missionflow.workflow.registry as loading\n"
        "parsed = []\n"
        "read = loading.load_workflow_file\n"
        "loading.load_workflow_file = lambda path: parsed.append(path.name) or read(path)\n"
        f"cli.main(['mission', 'show', 'M-1', '--db', {str(db)!r}], standalone_mode=False)\n"
        "print(json.dumps([parsed, sorted(m for m in sys.modules if m.startswith(("
        "'missionflow.diagrams', 'missionflow.reports', 'missionflow.freelance.invoice_render', "
        "'sqlalchemy.dialects.postgresql', 'alembic')))]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    parsed, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert parsed == [file]
    assert loaded == []
