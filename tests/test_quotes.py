"""Quotes (devis): built from the specification's priced lines in their own gapless series, never
edited (a changed specification makes a new one), accepted by signing the contract on one, which
then bills the quote's lines; an expired or superseded quote is refused. SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from missionflow import ConflictError, InvalidValueError, Store, testing
from missionflow.errors import QuoteNotFoundError
from missionflow.freelance import Deliverable, Specification, parse_price, render_document
from missionflow.testing import eur

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def priced(*items: tuple[str, str]) -> Specification:
    """A complete specification whose deliverables carry these prices (and an access code)."""
    deliverables = tuple(Deliverable(name, price=parse_price(price, "EUR")) for name, price in items)
    return testing.specification(*deliverables, Deliverable("admin access", "access_code"))


def accepted(store: Store, spec: Specification | None = None) -> str:
    """A mission accepted and specified (website 10 days at 450, logo 800), ready for a quote."""
    ref = testing.lead(store, amount=None)
    testing.accept(store, ref, at=AT)
    store.set_specification(ref, spec or priced(("website", "10 days x 450"), ("logo", "800")))
    return ref


def test_a_quote_prices_the_specification_in_its_own_series(store: Store) -> None:
    """Each priced deliverable is a line, the rush surcharge one more; the numbers DEV-2026-0001,
    0002... run apart from the invoices'; an unknown number is not found."""
    ref = accepted(store)
    store.set_rush_surcharge(ref, eur("300"))
    quote = store.issue_quote(ref, issued_on=date(2026, 3, 3))
    assert (quote.number, quote.mission, quote.status) == ("DEV-2026-0001", ref, "open")
    assert quote.valid_until == date(2026, 4, 2)
    assert [(line.designation, line.net) for line in quote.lines] == [
        ("website", eur("4500")),
        ("logo", eur("800")),
        ("Majoration pour délai court", eur("300")),
    ]
    assert (quote.net, quote.total, quote.deposit_percent, quote.revision_rounds) == (
        eur("5600"),
        eur("5600"),
        Decimal("30"),
        2,
    )
    other = accepted(store)
    assert store.issue_quote(other, issued_on=date(2026, 3, 4), valid_days=10).number == "DEV-2026-0002"
    assert store.get_quote("DEV-2026-0002").valid_until == date(2026, 3, 14)
    assert [q.number for q in store.list_quotes(ref)] == ["DEV-2026-0001"]
    with pytest.raises(QuoteNotFoundError):
        store.get_quote("DEV-2026-0099")
    with pytest.raises(InvalidValueError, match="before the last quote"):
        store.issue_quote(ref, issued_on=date(2026, 3, 1))


def test_a_specification_without_prices_is_quoted_as_its_budget(store: Store) -> None:
    """No deliverable priced: one lump sum of the budget named after the mission; no budget either:
    nothing to quote (exit 8 for the CLI)."""
    ref = accepted(store, testing.specification(budget=eur("1200")))
    quote = store.issue_quote(ref, issued_on=date(2026, 3, 3))
    assert [(line.designation, line.net) for line in quote.lines] == [("Logo", eur("1200"))]
    bare = accepted(store, replace(testing.specification(), budget=None))
    with pytest.raises(ConflictError, match="nothing to price"):
        store.issue_quote(bare, issued_on=date(2026, 3, 3))


def test_signing_a_quote_makes_its_lines_the_contract(store: Store) -> None:
    """The contract's amount, lines and deposit come from the quote; the quote is then accepted and
    no other quote can be issued for the mission (an amendment changes a signed contract)."""
    ref = accepted(store)
    quote = store.issue_quote(ref, issued_on=date(2026, 3, 3))
    record = store.sign_quote(ref, quote.number, terms_version="CGV-2026", signed_on=date(2026, 3, 4), at=AT)
    assert (record.source, record.dest) == ("specification", "contract_signed")
    mission = store.get_mission(ref)
    assert mission.contract is not None
    assert (mission.contract.quote, mission.contract.amount, mission.contract.lines) == (
        quote.number,
        eur("5300"),
        quote.lines,
    )
    assert mission.deposit_due == eur("1590")
    assert store.get_quote(quote.number).status == "accepted"
    with pytest.raises(ConflictError, match="a change is an amendment"):
        store.issue_quote(ref, issued_on=date(2026, 3, 5))


def test_a_changed_specification_supersedes_the_quote(store: Store) -> None:
    """A quote is never edited: after the specification changes, the old quote is superseded and
    refused at signature, a new quote is issued and signed, and the old one stays as it was."""
    ref = accepted(store)
    old = store.issue_quote(ref, issued_on=date(2026, 3, 3))
    store.set_specification(ref, priced(("website", "12 days x 450"), ("logo", "800")))
    assert store.get_quote(old.number).status == "superseded"
    with pytest.raises(ConflictError, match="superseded"):
        store.sign_quote(ref, old.number, terms_version="CGV-2026", signed_on=date(2026, 3, 4), at=AT)
    assert store.get_mission(ref).state == "specification"
    new = store.issue_quote(ref, issued_on=date(2026, 3, 4))
    assert (new.number, new.net) == ("DEV-2026-0002", eur("6200"))
    assert replace(store.get_quote(old.number), status="open", status_on=None) == replace(old, status_on=None)
    store.sign_quote(ref, new.number, terms_version="CGV-2026", signed_on=date(2026, 3, 5), at=AT)
    assert store.get_mission(ref).contract.amount == eur("6200")  # type: ignore[union-attr]
    assert [q.status for q in store.list_quotes(ref)] == ["superseded", "accepted"]


def test_an_expired_quote_or_another_missions_quote_is_refused(store: Store) -> None:
    """Signed after its validity date, or on another mission, a quote is refused and nothing is written."""
    ref = accepted(store)
    quote = store.issue_quote(ref, issued_on=date(2026, 3, 3), valid_days=15)
    with pytest.raises(ConflictError, match="expired on 2026-03-18"):
        store.sign_quote(ref, quote.number, terms_version="CGV-2026", signed_on=date(2026, 3, 19), at=AT)
    other = accepted(store)
    with pytest.raises(ConflictError, match=f"a quote of mission {ref}"):
        store.sign_quote(other, quote.number, terms_version="CGV-2026", signed_on=date(2026, 3, 4), at=AT)
    assert store.get_quote(quote.number).status == "expired"  # as of today
    assert store.get_mission(ref).contract is None
    with pytest.raises(InvalidValueError, match="valid 1 to 365 days"):
        store.issue_quote(ref, issued_on=date(2026, 3, 3), valid_days=400)


def test_an_issued_quote_row_cannot_be_changed_or_deleted(store: Store, store_url: str) -> None:
    """The database itself refuses to update or delete a quote (a trigger), whoever tries."""
    ref = accepted(store)
    store.issue_quote(ref, issued_on=date(2026, 3, 3))
    engine = create_engine(store_url)
    try:
        for statement in ("UPDATE mf_quotes SET total_cents = 1", "DELETE FROM mf_quotes"):
            with pytest.raises(DBAPIError, match="issued quote"), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    assert store.get_quote("DEV-2026-0001").total == eur("5300")


def test_a_quote_keeps_its_copy_and_its_logo(store: Store, tmp_path: Path) -> None:
    """Settings and the logo file changed after a quote do not change it: the logo was stored when
    the quote was issued, and a later quote prints the new one."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    testing.identify(store, logo=str(logo), late_penalty_rate=Decimal("15"))
    ref = accepted(store)
    first = store.issue_quote(ref, issued_on=date(2026, 3, 3))
    logo.write_bytes(SVG)
    testing.identify(store, name="Someone Else", late_penalty_rate=Decimal("20"))
    kept = store.quote_document(first.number)
    assert kept.logo is not None
    assert (kept.logo.data, kept.seller.name, kept.payment.late_penalty_rate) == (
        PNG,
        "Camille Martin",
        Decimal("15"),
    )
    assert b"Camille Martin" in render_document(kept, "html")
    store.set_specification(ref, priced(("website", "11 days x 450")))
    later = store.quote_document(store.issue_quote(ref, issued_on=date(2026, 3, 4)).number)
    assert later.logo is not None
    assert (later.logo.data, later.seller.name) == (SVG, "Someone Else")
    logo.unlink()
    store.set_specification(ref, priced(("website", "9 days x 450")))
    with pytest.raises(ConflictError, match="cannot read the logo"):
        store.issue_quote(ref, issued_on=date(2026, 3, 5))


def test_vat_charged_quotes_add_the_tax_per_rate(store: Store) -> None:
    """With VAT charged, a line's own rate or the default one applies, the total adds the VAT of each
    rate; a line with a rate under the franchise is refused."""
    testing.identify(store, vat_regime="charged", vat_rate=Decimal("20"), vat_number="FR44732829320")
    ref = accepted(store, priced(("website", "10 days x 450"), ("training", "1 forfait x 1000 vat 10%")))
    quote = store.issue_quote(ref, issued_on=date(2026, 3, 3))
    assert (quote.net, quote.total, quote.vat_rate) == (eur("5500"), eur("6500"), Decimal("20"))
    assert str(store.quote_document(quote.number).deposit_asked) == "1,950.00 EUR"
    testing.identify(store, vat_regime="franchise")
    store.set_specification(ref, priced(("website", "10 days x 450 vat 20%")))
    with pytest.raises(InvalidValueError, match="charges 20 % but no VAT applies"):
        store.issue_quote(ref, issued_on=date(2026, 3, 4))
