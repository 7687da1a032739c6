"""The root ``missionflow`` command: registers the command groups and turns errors into exit codes.

Nothing heavy is imported here: ``missionflow --help`` must not load sqlalchemy, transitions or
graphviz, so commands import the library inside their bodies.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from missionflow_cli.app import EXIT_CODES_HELP, EXIT_FAILURE, AppState, explain_error, fail
from missionflow_cli.clients import client
from missionflow_cli.demo import demo
from missionflow_cli.diagram import diagram
from missionflow_cli.missions import fire_command, mission
from missionflow_cli.setup import completion, init, verify
from missionflow_cli.trade import contract, deliver, payment, revision, settings, spec
from missionflow_cli.workflows import workflow


class MissionflowGroup(click.Group):
    """A group that turns missionflow errors into a message and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            state = ctx.find_object(AppState)
            if state is not None and state.debug:
                traceback.print_exc()
            explained = explain_error(exc)
            if explained is None:
                fail(
                    EXIT_FAILURE, [f"error: internal error: {type(exc).__name__}: {exc} (rerun with --debug)"]
                )
            else:
                fail(*explained)
        return None


@click.group(
    cls=MissionflowGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(package_name="missionflow")
@click.option("--debug", is_flag=True, help="Show a full traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Run freelance missions from lead to paid, with guarded steps.

    No work starts before a signed contract and the agreed deposit, and no invoice
    goes out before the client's approval. Every step is recorded: who, when, why.

    Example:

    \b
        missionflow demo
        missionflow client add "Atelier Dupont" --email contact@dupont.fr
        missionflow mission new C-1 "Website redesign" --amount 4500 --deposit 30%
    """
    ctx.obj = AppState(debug=debug)


for command in (
    init,
    verify,
    completion,
    client,
    mission,
    fire_command,
    workflow,
    settings,
    spec,
    contract,
    payment,
    deliver,
    revision,
    diagram,
    demo,
):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(prog_name="missionflow"))
