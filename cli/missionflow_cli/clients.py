"""``missionflow client ...``: the people and companies missions are for, and what documents print
about them (legal name, address, SIREN/SIRET, VAT number, contact, language)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from missionflow_cli.app import db_option, echo, emit_json, json_option, store_for, table
from missionflow_cli.complete import complete_client

if TYPE_CHECKING:
    from missionflow.freelance import ClientRecord

_DETAILS: tuple[tuple[str, str, str], ...] = (
    # (option, field, help)
    ("--legal-name", "legal_name", "Legal name printed on documents, when different from NAME."),
    ("--postcode", "postcode", "Postcode."),
    ("--city", "city", "City."),
    ("--country", "country", "ISO country code (default FR)."),
    ("--siren", "siren", "SIREN (9 digits, Luhn key checked): required for a French business."),
    ("--siret", "siret", "SIRET (14 digits, checked); gives the SIREN."),
    ("--vat-number", "vat_number", "Intra-EU VAT number (checked)."),
    ("--contact", "contact", "Who documents are for, at a company (À l'attention de)."),
    ("--phone", "phone", "Phone number."),
)


def detail_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of the client book's details, shared by ``client add`` and ``client edit``."""
    func = click.option(
        "--lang", "language", type=click.Choice(["fr", "en"]), default=None, help="Language of documents."
    )(func)
    func = click.option(
        "--address",
        "address",
        multiple=True,
        help="A street line (repeat for each, up to three; postcode and city apart).",
    )(func)
    for option, field, text in reversed(_DETAILS):
        func = click.option(option, field, default=None, help=text)(func)
    return func


def _details(values: dict[str, object]) -> dict[str, object]:
    """The details the person gave (None and an empty --address mean "not given")."""
    given = {k: v for k, v in values.items() if v is not None and k != "address"}
    address = values.get("address")
    if isinstance(address, tuple) and address:
        given["address"] = address
    return given


@click.group()
def client() -> None:
    """Add, edit, list, show and block clients.

    Example:

        missionflow client add "Atelier Dupont" --email contact@dupont.fr --b2b
    """


@client.command("add")
@click.argument("name")
@click.option("--email", default="", help="Contact e-mail (a private client receives e-invoices there).")
@click.option("--company", "company", default=None, hidden=True, help="Same as --legal-name.")
@click.option("--b2b/--b2c", "business", default=True, help="A business (default) or a private client.")
@click.option("--force", is_flag=True, help="Add it even though it matches a blocked client (someone else).")
@detail_options
@db_option
@json_option
def client_add(
    name: str,
    email: str,
    company: str | None,
    business: bool,
    force: bool,
    db: str | None,
    as_json: bool,
    **values: object,
) -> None:
    """Add a client and print its reference.

    A client whose name, company or email matches a blocked client is refused (exit 8, the blocked
    client named) unless --force says it is someone else.

    Example:

        missionflow client add "Dupont" --legal-name "Atelier Dupont SAS" --address "5 avenue de la Gare" --postcode 69002 --city Lyon --siren 552100554
    """
    if not name.strip():
        raise click.BadParameter("a client needs a name", param_hint="'NAME'")
    details = _details(values)
    legal_name = str(details.pop("legal_name", company or ""))
    with store_for(db) as store:
        record = store.add_client(
            name.strip(), email=email, company=legal_name, business=business, force=force, **details
        )
    if as_json:
        emit_json(client_json(record))
    else:
        echo(record.ref)


@client.command("edit")
@click.argument("client_ref", metavar="CLIENT", shell_complete=complete_client)
@click.option("--name", default=None, help="The name you know the client by.")
@click.option("--email", default=None, help="Contact e-mail.")
@click.option("--b2b/--b2c", "business", default=None, help="A business or a private client.")
@detail_options
@db_option
@json_option
def client_edit(client_ref: str, db: str | None, as_json: bool, **values: object) -> None:
    """Change a client's details; only the options given change (an empty value clears one).

    Invoices and quotes already issued keep what they stated: the next ones state the new details.
    Identifiers are checked (SIREN and SIRET with their Luhn key, the VAT number's key).

    Example:

        missionflow client edit C-1 --siren "552 100 554" --address "5 avenue de la Gare" --city Lyon --postcode 69002
    """
    changes = _details(values)
    if not changes:
        raise click.UsageError("give at least one detail to change (see --help)")
    with store_for(db) as store:
        record = store.edit_client(client_ref, **changes)
    if as_json:
        emit_json(client_json(record))
    else:
        echo(f"{record.ref} {record.name} updated: {', '.join(sorted(changes))}")


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
        emit_json([client_json(c) for c in clients])
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
    """Show one client, what documents print about them, and their missions.

    Example:

        missionflow client show C-1
    """
    with store_for(db) as store:
        record = store.get_client(client_ref)
        missions = store.list_missions(client=record.ref)
    if as_json:
        data = client_json(record)
        data["missions"] = [{"id": m.ref, "title": m.title, "state": m.state} for m in missions]
        emit_json(data)
        return
    echo(f"{record.ref}  {record.name}")
    place = " ".join(part for part in (record.postcode, record.city) if part)
    for label, value in (
        ("legal name", record.company),
        ("address", "; ".join(record.address)),
        ("", place + (f" ({record.country})" if place and record.country != "FR" else "")),
        ("siren", record.siren),
        ("siret", record.siret),
        ("vat number", record.vat_number),
        ("contact", record.contact),
        ("email", record.email),
        ("phone", record.phone),
        ("type", "business (b2b)" if record.business else "private (b2c)"),
        ("language", {"fr": "French", "en": "English"}.get(record.language, record.language)),
        ("blocked", f"yes: {record.blocked_reason}" if record.blocked else "no"),
    ):
        if value:
            echo(f"  {label:<11} {value}")
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


def client_json(record: ClientRecord) -> dict[str, object]:
    """A client as JSON: its reference as ``id``, every field, and the legal name documents print."""
    from missionflow_cli.app import to_jsonable

    data = to_jsonable(record)
    assert isinstance(data, dict)
    data["id"] = data.pop("ref")
    data["legal_name"] = record.legal_name
    return data
