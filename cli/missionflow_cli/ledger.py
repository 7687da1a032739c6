"""``missionflow verify`` and ``missionflow ledger ...``: prove the record was not tampered with,
print the anchor to keep elsewhere, and rotate the ledger's key."""

from __future__ import annotations

import click

from missionflow_cli.app import db_option, echo, emit_json, fail, json_option, store_for
from missionflow_cli.complete import complete_mission
from missionflow_cli.exit_codes import EXIT_FAILURE


@click.command()
@click.argument("mission", required=False, shell_complete=complete_mission)
@click.option(
    "--anchor", "show_anchor", is_flag=True, help="Print the ledger's head (SEQ:MAC) to keep elsewhere."
)
@click.option(
    "--since",
    "since",
    default=None,
    metavar="ANCHOR",
    help="Also prove nothing before this anchor was rewritten.",
)
@db_option
@json_option
def verify(mission: str | None, show_anchor: bool, since: str | None, db: str | None, as_json: bool) -> None:
    """Check the history, the ledger and every invoice, payment and contract it covers.

    Names every entry or row that was edited, deleted, inserted or reordered, and exits with 1.
    With --anchor, prints the ledger's head to keep somewhere else (a mail to yourself, a printout);
    with --since, proves that nothing before that anchor was rewritten since, even with the key.

    Example:

    \b
        missionflow verify
        missionflow verify --anchor > anchor-2026-11.txt
        missionflow verify --since "$(cat anchor-2026-11.txt)"
    """
    from missionflow.store import Anchor

    start = Anchor.parse(since) if since is not None else None
    with store_for(db) as store:
        failures = store.verify(mission, since=start)
        anchor = store.audit.anchor()
        count = len(store.list_missions()) if mission is None else 1
    if as_json:
        emit_json(
            {
                "ok": not failures,
                "failures": [{**vars(f), "message": str(f)} for f in failures],
                "anchor": str(anchor) if anchor is not None else None,
                "seq": anchor.seq if anchor is not None else 0,
                "mac": anchor.mac if anchor is not None else None,
            }
        )
    elif not failures:
        entries = anchor.seq if anchor is not None else 0
        summary = (
            f"verified: {count} mission{'s' if count != 1 else ''} and the ledger's {entries} entries, "
            "nothing edited, deleted or reordered" + (f" since {start}" if start is not None else "")
        )
        if show_anchor and anchor is not None:
            echo(summary, err=True)
            echo(str(anchor))
        else:
            echo(summary)
    if failures:
        fail(EXIT_FAILURE, [f"error: {f}" for f in failures])


@click.group()
def ledger() -> None:
    """The ledger's key: where it is, a new one, and its rotation.

    Example:

        missionflow ledger status
    """


@ledger.command("status")
@db_option
@json_option
def ledger_status(db: str | None, as_json: bool) -> None:
    """Show where the ledger's key ring comes from, its keys and the ledger's head.

    Example:

        missionflow ledger status
    """
    from missionflow.store import load_keyring

    ring = load_keyring()
    with store_for(db, ledger_key=ring) as store:
        anchor = store.audit.anchor()
    facts = {
        "key_ring": ring.source,
        "keys": list(ring.ids),
        "anchor": str(anchor) if anchor is not None else None,
    }
    if as_json:
        emit_json(facts)
        return
    echo(f"key ring  {ring.source}")
    echo(f"keys      {', '.join(ring.ids)} (oldest first)")
    echo(f"head      {anchor if anchor is not None else 'none'}")


@ledger.command("new-key")
def ledger_new_key() -> None:
    """Print a fresh random key, to add to MISSIONFLOW_LEDGER_KEY before ``ledger rotate``.

    Example:

        missionflow ledger new-key
    """
    from missionflow.store import new_key_text

    echo(new_key_text())


@ledger.command("rotate")
@db_option
def ledger_rotate(db: str | None) -> None:
    """Seal the ledger from now on with a new key; the old keys stay in the ring to verify the past.

    With the key file, a fresh key is added to it first. With MISSIONFLOW_LEDGER_KEY, add a key
    made by ``missionflow ledger new-key`` to its end (comma-separated) before running this.

    Example:

        missionflow ledger rotate
    """
    from missionflow.store import load_keyring, next_keyring

    ring = next_keyring(load_keyring())
    with store_for(db, ledger_key=ring) as store:
        anchor = store.audit.rotate_key()
    echo(f"the ledger is now sealed with key {ring.current_id} (ring: {ring.source}); new head {anchor}")
    echo("back up the key ring again: the new key is in it", err=True)
