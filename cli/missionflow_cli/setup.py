"""Commands about the database as a whole (init, verify) and the shell completion script."""

from __future__ import annotations

import click

from missionflow_cli.app import db_option, emit_json, fail, json_option, store_for
from missionflow_cli.exit_codes import EXIT_FAILURE


@click.command()
@db_option
def init(db: str | None) -> None:
    """Create the database, or upgrade it to the current schema.

    Example:

        missionflow init --db ~/missions.db
    """
    with store_for(db) as store:
        revision = store.migrate()
        click.echo(f"database ready at {store.url_for_display} (schema {revision})")


@click.command()
@click.argument("mission", required=False)
@db_option
@json_option
def verify(mission: str | None, db: str | None, as_json: bool) -> None:
    """Check the tamper-evident history chain of every mission (or of one).

    Exits with 1 and names the first bad entry of each mission when the chain is broken.

    Example:

        missionflow verify
    """
    with store_for(db) as store:
        failures = store.verify(mission)
        count = len(store.list_missions()) if mission is None else 1
    if as_json:
        emit_json({"ok": not failures, "failures": failures})
    elif not failures:
        click.echo(
            f"history verified: {count} mission{'s' if count != 1 else ''}, no entry edited, deleted or reordered"
        )
    if failures:
        fail(EXIT_FAILURE, [f"error: mission {f.mission}: entry #{f.position} {f.problem}" for f in failures])


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script (mission references and triggers included).

    Example:

        eval "$(missionflow completion bash)"
    """
    from click.shell_completion import get_completion_class

    from missionflow_cli.main import cli

    completion_class = get_completion_class(shell)
    if completion_class is None:  # pragma: no cover - click ships all three
        raise click.BadParameter(shell)
    script = completion_class(cli, {}, "missionflow", "_MISSIONFLOW_COMPLETE").source()
    click.echo(script)
