"""The client book: details checked as they are typed, edited later, and copied into each document
when it is issued, so that an edit changes the next invoice and never one already issued; clients
recorded before migration 0006 keep working. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, text

from missionflow import ConflictError, InvalidValueError, Store, open_store, testing
from missionflow.freelance import Payment, render_document
from missionflow.store.database import upgrade

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_details_are_checked_and_kept_in_compact_form(store: Store) -> None:
    """Identifiers lose their spaces and are checked with their keys; a wrong one names the field."""
    record = store.add_client(
        "Dupont",
        company="Atelier Dupont SAS",
        address="5 avenue de la Gare; Bâtiment B",
        postcode="69002",
        city="Lyon",
        siret="552 100 554 00013",
        vat_number="fr 40 303 265 045",
        language="en",
    )
    fetched = store.get_client(record.ref)
    assert fetched == record
    assert (fetched.siren, fetched.siret, fetched.vat_number) == ("", "55210055400013", "FR40303265045")
    assert fetched.address == ("5 avenue de la Gare", "Bâtiment B")
    assert (fetched.legal_name, fetched.language, fetched.country) == ("Atelier Dupont SAS", "en", "FR")
    refused = {
        "siren": ({"siren": "552100555"}, "invalid siren"),
        "siret of another company": ({"siren": "732829320"}, "does not belong to SIREN 732829320"),
        "vat number": ({"vat_number": "FR00303265045"}, "invalid vat_number"),
        "language": ({"language": "de"}, "not one of fr, en"),
        "country": ({"country": "France"}, "ISO 3166"),
        "e-mail": ({"email": "dupont at example.fr"}, "not an e-mail address"),
        "four street lines": ({"address": ("1", "2", "3", "4")}, "at most three"),
        "empty name": ({"name": " "}, "a client needs a name"),
        "unknown field": ({"colour": "blue"}, "not a client field"),
    }
    for what, (changes, says) in refused.items():
        with pytest.raises(InvalidValueError, match=says):
            store.edit_client(record.ref, **changes)
        assert store.get_client(record.ref) == fetched, what


def test_an_edit_bumps_the_version_of_the_clients_missions(store: Store) -> None:
    """Guards read the client: a fire that read it before an edit loses its optimistic check."""
    ref = testing.lead(store)
    before = store.get_mission(ref).version
    store.edit_client(store.get_mission(ref).client.ref, business=False)
    mission = store.get_mission(ref)
    assert (mission.version, mission.client.business) == (before + 1, False)


def test_client_edit_changes_the_next_invoice_and_not_an_issued_one(store: Store) -> None:
    """The deposit invoice keeps the client and the freelancer as they were when it was issued; the
    final invoice, issued after both changed, states the new ones, in the client's new language."""
    ref = testing.signed_mission(store, client="Dupont")
    client = store.get_mission(ref).client.ref
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    before = render_document(store.invoice_document(deposit.number), "text").decode()
    store.edit_client(
        client,
        company="Dupont & Fils SARL",
        address=("1 place Bellecour",),
        postcode="69002",
        city="Lyon",
        siren="732829320",
        language="en",
    )
    testing.identify(store, address="3 quai de Valmy", postcode="75010")
    store.record_payment(ref, Payment(deposit.total, date(2026, 3, 3)))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    testing.approve(store, ref, at=AT)
    _, final = store.issue_final_invoice(ref, at=datetime(2026, 4, 1, 10, tzinfo=UTC))

    kept = store.invoice_document(deposit.number)
    assert (kept.buyer.name, kept.buyer.address.lines, kept.buyer.siren) == (
        "Dupont",
        ("5 avenue de la Gare",),
        "552100554",
    )
    assert (kept.language.value, kept.seller.address.lines) == ("fr", ("12 rue des Lilas",))
    assert render_document(kept, "text").decode() == before
    printed = render_document(store.invoice_document(final.number), "text").decode()
    for new in ("INVOICE", "Dupont & Fils SARL", "1 place Bellecour", "SIREN: 732829320", "3 quai de Valmy"):
        assert new in printed
    for old in ("5 avenue de la Gare", "552100554", "12 rue des Lilas"):
        assert old not in printed


def test_an_invoice_is_refused_while_a_mandatory_mention_is_missing(store: Store) -> None:
    """Without the client's address and SIREN, or the freelancer's bank details, nothing is issued
    and no number is taken; the refusal lists every missing mention with its command."""
    testing.identify(store, iban="", bic="")
    bare = store.add_client("Globex")
    ref = store.create_mission(bare.ref, "Logo", at=AT).ref
    testing.sign(store, ref, amount="1000", at=AT)
    with pytest.raises(ConflictError) as refused:
        store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    for missing in (
        "your IBAN (missionflow settings set iban)",
        "your BIC (missionflow settings set bic)",
        f"the client's street address (missionflow client edit {bare.ref} --address)",
        f"the client's SIREN (missionflow client edit {bare.ref} --siren)",
    ):
        assert missing in str(refused.value)
    assert store.list_invoices() == []
    testing.identify(store)
    store.edit_client(bare.ref, **testing.BUSINESS_CLIENT)
    assert store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3)).number == "2026-0001"


def test_clients_recorded_before_the_client_book_keep_working(empty_url: str) -> None:
    """A client written at schema 0003 reads back after the upgrade with no address yet, in France,
    in French; it can be completed with client edit."""
    engine = create_engine(empty_url)
    try:
        upgrade(engine, "0003")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO mf_clients (name, email, company, business, blocked, blocked_reason,"
                    " created_at, updated_at) VALUES ('Acme', 'a@acme.test', '', true, false, '', :at, :at)"
                ),
                {"at": AT.replace(tzinfo=None)},
            )
        upgrade(engine)
    finally:
        engine.dispose()
    with open_store(empty_url) as store:
        old = store.get_client("C-1")
        assert (old.name, old.address, old.city, old.country, old.language, old.siren) == (
            "Acme",
            (),
            "",
            "FR",
            "fr",
            "",
        )
        assert store.edit_client("C-1", city="Lyon").city == "Lyon"
