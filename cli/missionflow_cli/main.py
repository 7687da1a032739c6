"""The root ``missionflow`` command: finds each command lazily and turns errors into exit codes.

``missionflow --help`` must stay as fast as importing click: the command modules (and the
library behind them) are imported only when their command runs, and the root's help lists
them from the short descriptions below (a test checks these match the commands' own).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from missionflow_cli.exit_codes import EXIT_CODES_HELP, EXIT_FAILURE

COMMANDS: dict[str, tuple[str, str, str]] = {
    # name: (module, attribute, short help shown by `missionflow --help`)
    "init": ("setup", "init", "Create the database, or upgrade it to the current schema."),
    "client": ("clients", "client", "Add, edit, list, show and block clients."),
    "mission": ("missions", "mission", "Create missions, see where they stand, and move them on."),
    "fire": (
        "firing",
        "fire_command",
        "Fire TRIGGER on a mission: it moves, or the refusal says exactly what is missing.",
    ),
    "settings": ("trade", "settings", "Your identity, defaults, working hours and client criteria."),
    "spec": ("trade", "spec", "The written specification (cahier des charges) of a mission."),
    "quote": ("quotes", "quote", "Quotes (devis): issue one from the specification, show it, list them."),
    "contract": ("contracts", "contract", "The signed quote and terms of a mission."),
    "payment": ("contracts", "payment", "Payments received from clients."),
    "deliver": ("contracts", "deliver", "Record the delivery of one deliverable of the specification."),
    "revision": ("contracts", "revision", "Revision rounds beyond those included."),
    "invoice": ("invoices", "invoice", "Invoices and credit notes: issue, cancel, list and show them."),
    "letter": (
        "letters",
        "letter",
        "Reminder letters: what `tick` wrote when a payment was late, shown and e-mailed.",
    ),
    "plan": ("money", "plan", "Installment plans: the balance paid in agreed parts, each by a date (R6)."),
    "overdue": ("money", "overdue", "Overdue invoices and installments, with late interest and indemnity."),
    "tick": (
        "timers",
        "tick",
        "Fire the timers that are due: reminders, tacit approvals (safe to run from cron).",
    ),
    "timers": ("timers", "timers", "List the timers of missions: when each falls due, and whether it fired."),
    "workflow": (
        "workflows",
        "workflow",
        "List, show, copy, validate, export and import workflow definitions.",
    ),
    "diagram": (
        "diagram",
        "diagram",
        "Draw a workflow, or a mission with its current state and the path it took.",
    ),
    "report": (
        "reports",
        "report",
        "Reports: keep a client informed, see which clients are worth it, watch the pipeline.",
    ),
    "books": (
        "books",
        "books",
        "The books a micro-entrepreneur keeps: receipts (livre des recettes) and revenue per period.",
    ),
    "verify": (
        "ledger",
        "verify",
        "Check the history, the ledger and every invoice, payment and contract it covers.",
    ),
    "ledger": ("ledger", "ledger", "The ledger's key: where it is, a new one, and its rotation."),
    "completion": (
        "setup",
        "completion",
        "Print the shell completion script (mission references and triggers included).",
    ),
    "demo": ("demo", "demo", "Walk a sample mission from lead to paid, showing the refusals on the way."),
}


class MissionflowGroup(click.Group):
    """The root group: lazy commands, and missionflow errors turned into documented exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        from importlib import import_module

        from missionflow_cli.hardening import harden

        command = getattr(import_module(f"missionflow_cli.{entry[0]}"), entry[1])
        assert isinstance(command, click.Command)
        return harden(command)

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's main, except that a usage error is printed with the user's text shown safely
        (``No such command '\x1b[2J'``): nothing typed reaches the terminal as control characters."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.ClickException as error:
            import io

            from missionflow_cli.app import echo

            buffer = io.StringIO()
            error.show(file=buffer)
            echo(buffer.getvalue(), err=True, nl=False)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            from missionflow_cli.app import echo

            echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry[2]) for name, entry in COMMANDS.items()], col_max=12)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`missionflow workflow list | head -1`): click ends quietly.
            raise
        except Exception as exc:
            from missionflow_cli.app import explain_error, fail

            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                import traceback

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
    from missionflow_cli.app import AppState

    ctx.obj = AppState(debug=debug)


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(prog_name="missionflow"))
