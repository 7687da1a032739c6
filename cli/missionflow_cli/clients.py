"""``missionflow client ...``: the people and companies missions are for."""

from __future__ import annotations

import click

from missionflow_cli.app import db_option, echo, emit_json, json_option, store_for, table
from missionflow_cli.complete import complete_client


@click.group()
def client() -> None:
    """Add, list, show and block clients.

    Example:

        missionflow client add "Atelier Dupont" --email contact@dupont.fr --b2b
    """


@client.command("add")
@click.argument("name")
@click.option("--email", default="", help="Contact e-mail.")
@click.option("--company", default="", help="Company name, when different from NAME.")
@click.option("--b2b/--b2c", "business", default=True, help="A business (default) or a consumer client.")
@click.option("--force", is_flag=True, help="Add it even though it matches a blocked client (someone else).")
@db_option
@json_option
def client_add(
    name: str, email: str, company: str, business: bool, force: bool, db: str | None, as_json: bool
) -> None:
    """Add a client and print its reference.

    A client whose name, company or email matches a blocked client is refused (exit 8, the blocked
    client named) unless --force says it is someone else.

    Example:

        missionflow client add "Atelier Dupont" --email contact@dupont.fr
    """
    if not name.strip():
        raise click.BadParameter("a client needs a name", param_hint="'NAME'")
    with store_for(db) as store:
        record = store.add_client(name.strip(), email=email, company=company, business=business, force=force)
    if as_json:
        emit_json(_client_json(record))
    else:
        echo(record.ref)


@client.command("list")
@db_option
@json_option
def client_list(db: str | None, as_json: bool) -> None:
    """List every client.

    Example:

        missionflow client list --json
    """
    with store_for(db) as store:
        clients = store.list_clients()
    if as_json:
        emit_json([_client_json(c) for c in clients])
        return
    table(
        ["ID", "NAME", "EMAIL", "TYPE", "BLOCKED"],
        [
            [
                c.ref,
                c.name,
                c.email,
                "b2b" if c.business else "b2c",
                c.blocked_reason or "yes" if c.blocked else "",
            ]
            for c in clients
        ],
    )


@client.command("show")
@click.argument("client_ref", metavar="CLIENT", shell_complete=complete_client)
@db_option
@json_option
def client_show(client_ref: str, db: str | None, as_json: bool) -> None:
    """Show one client and their missions.

    Example:

        missionflow client show C-1
    """
    with store_for(db) as store:
        record = store.get_client(client_ref)
        missions = store.list_missions(client=record.ref)
    if as_json:
        data = _client_json(record)
        data["missions"] = [{"id": m.ref, "title": m.title, "state": m.state} for m in missions]
        emit_json(data)
        return
    echo(f"{record.ref}  {record.name}")
    for label, value in (
        ("email", record.email),
        ("company", record.company),
        ("type", "business (b2b)" if record.business else "consumer (b2c)"),
        ("blocked", f"yes: {record.blocked_reason}" if record.blocked else "no"),
    ):
        if value:
            echo(f"  {label:<8} {value}")
    echo("missions:")
    table(["ID", "TITLE", "STATE"], [[m.ref, m.title, m.state] for m in missions])


@client.command("block")
@click.argument("client_ref", metavar="CLIENT", shell_complete=complete_client)
@click.option("--reason", required=True, help="Why: it is shown whenever a new lead of theirs is refused.")
@db_option
def client_block(client_ref: str, reason: str, db: str | None) -> None:
    """Block a client: their new leads fail the criteria check with REASON.

    Example:

        missionflow client block C-1 --reason "calls on Saturdays for work due yesterday"
    """
    if not reason.strip():
        raise click.BadParameter("give a reason", param_hint="'--reason'")
    with store_for(db) as store:
        record = store.block_client(client_ref, reason.strip())
    echo(f"{record.ref} {record.name} is blocked: {record.blocked_reason}")


@client.command("unblock")
@click.argument("client_ref", metavar="CLIENT", shell_complete=complete_client)
@db_option
def client_unblock(client_ref: str, db: str | None) -> None:
    """Unblock a client.

    Example:

        missionflow client unblock C-1
    """
    with store_for(db) as store:
        record = store.unblock_client(client_ref)
    echo(f"{record.ref} {record.name} is no longer blocked")


def _client_json(record: object) -> dict[str, object]:
    from missionflow_cli.app import to_jsonable

    data = to_jsonable(record)
    assert isinstance(data, dict)
    data["id"] = data.pop("ref")
    return data
