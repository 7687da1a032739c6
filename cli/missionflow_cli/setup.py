"""Commands about the database as a whole (init) and the shell completion script."""

from __future__ import annotations

import click

from missionflow_cli.app import db_option, echo, store_for


@click.command()
@db_option
def init(db: str | None) -> None:
    """Create the database, or upgrade it to the current schema.

    Also creates the ledger's key (a file readable by you only, in your configuration folder)
    unless MISSIONFLOW_LEDGER_KEY gives it: back it up apart from the database.

    Example:

        missionflow init --db ~/missions.db
    """
    from missionflow.store import load_keyring

    ring = load_keyring()
    with store_for(db, ledger_key=ring) as store:
        revision = store.migrate()
        echo(f"database ready at {store.url_for_display} (schema {revision})")
    echo(f"ledger key ring: {ring.source} (key {ring.current_id}); keep a copy apart from the database")


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
    echo(script)
