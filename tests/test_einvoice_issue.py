"""The e-invoice of every invoice the store issues (Factur-X EN 16931, CII): each kind, in both VAT
regimes, for a business and a private client, passes the XSD, EN 16931 and BR-FR with no failed
rule; an invoice the rules would refuse is refused before it takes a number, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from missionflow import Store, open_store, testing
from missionflow.errors import InvalidValueError, InvoiceRulesError
from missionflow.freelance import Payment
from missionflow.freelance.documents import VatCategory, build_cii_xml, check_xml
from missionflow.freelance.documents.facturx import NAMESPACES

AT = datetime(2026, 3, 10, 10, tzinfo=UTC)
LONG_EMAIL = "jeanne.petit@" + "b" * 60 + "." + "c" * 60 + ".fr"
"""137 characters: a valid address, over the 125 that BR-FR-25 allows an electronic address."""


def charging_vat(store: Store) -> None:
    """The freelancer charges VAT at 20 % (with her intra-EU VAT number)."""
    testing.identify(store, vat_regime="charged", vat_rate=Decimal(20), vat_number="FR44732829320")


def notes(xml: bytes) -> dict[str, str]:
    """The document notes of an e-invoice by subject code."""
    root = etree.fromstring(xml)
    return {
        note.findtext("ram:SubjectCode", namespaces=NAMESPACES) or "": note.findtext(
            "ram:Content", namespaces=NAMESPACES
        )
        or ""
        for note in root.findall("rsm:ExchangedDocument/ram:IncludedNote", NAMESPACES)
    }


def test_an_invoice_the_rules_refuse_takes_no_number(store: Store) -> None:
    """A private client's 137-character address breaks BR-FR-25: the final invoice is refused with
    the rule, no invoice exists, the mission stays approved; once fixed, it takes number 0001."""
    ref = testing.approved_mission(store, business=False)
    client = store.get_mission(ref).client.ref
    store.edit_client(client, email=LONG_EMAIL)
    with pytest.raises(InvoiceRulesError) as refused:
        store.issue_final_invoice(ref, at=AT)
    assert [getattr(f, "rule", "") for f in refused.value.failures] == ["BR-FR-25_BT-49"]
    assert "[BR-FR-25_BT-49]" in str(refused.value)
    assert store.list_invoices() == []
    assert store.get_mission(ref).state == "approved"
    assert "invoice" not in [entry.record.trigger for entry in store.history(ref)]
    store.edit_client(client, email="jeanne.petit@example.org")
    _, final = store.issue_final_invoice(ref, at=AT)
    assert [invoice.number for invoice in store.list_invoices()] == [final.number] == ["2026-0001"]
    assert store.verify() == []


@pytest.mark.parametrize("vat", [False, True], ids=["franchise", "vat"])
@pytest.mark.parametrize("business", [True, False], ids=["b2b", "b2c"])
def test_every_invoice_the_store_issues_passes_every_rule(tmp_path: Path, business: bool, vat: bool) -> None:
    """The deposit invoice, the final invoice deducting it, its credit note, the late-payment invoice
    and the credit note cancelling that one: zero failed rules, the right type codes and VAT
    categories (E under the franchise, S with VAT, O for late-payment interest)."""
    with open_store(tmp_path / "missions.db") as store:
        if vat:
            charging_vat(store)
        else:
            testing.identify(store)
        ref = testing.signed_mission(store, business=business, deposit_percent=Decimal(30))
        deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 2))
        store.record_payment(ref, Payment(deposit.total, date(2026, 3, 2)))
        testing.start(store, ref)
        testing.approve(store, ref)
        _, final = store.issue_final_invoice(ref, at=AT)
        credit = store.issue_credit_note(final.number, "wrong address", issued_on=date(2026, 3, 11))
        reissued = store.reissue_final_invoice(ref, issued_on=date(2026, 3, 11))
        store.record_payment(ref, Payment(reissued.total, date(2026, 6, 1)))
        late = store.issue_late_payment_invoice(ref, on=date(2026, 6, 2))
        waived = store.issue_credit_note(late.number, "waived", issued_on=date(2026, 6, 3))
        documents = {
            number: store.invoice_document(number)
            for number in (deposit.number, final.number, credit.number, late.number, waived.number)
        }
    expected = {
        deposit.number: ("386", "S" if vat else "E"),
        final.number: ("380", "S" if vat else "E"),
        credit.number: ("381", "S" if vat else "E"),
        late.number: ("380", "O"),
        waived.number: ("381", "O"),
    }
    for number, document in documents.items():
        xml = build_cii_xml(document)
        assert [str(failure) for failure in check_xml(xml)] == [], number
        root = etree.fromstring(xml)
        code = root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NAMESPACES)
        categories = {
            node.text
            for node in root.findall(
                ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode", NAMESPACES
            )
        }
        assert (code, categories) == (expected[number][0], {expected[number][1]}), number
    assert documents[waived.number].vat.category is VatCategory.NOT_SUBJECT


def test_an_invoice_asking_for_nothing_states_no_penalty(store: Store) -> None:
    """A pro bono mission's final invoice (0 EUR) to a business passes every rule and its notes say
    that no late penalty and no recovery indemnity apply."""
    ref = testing.approved_mission(store, amount="0")
    _, final = store.issue_final_invoice(ref, at=AT)
    assert final.total.amount == 0
    xml = build_cii_xml(store.invoice_document(final.number, language="en"))
    assert check_xml(xml) == []
    said = notes(xml)
    assert said["PMD"] == "Nothing is due: no late-payment penalty and no recovery indemnity apply."
    assert said["PMT"] == "Fixed indemnity for recovery costs: not applicable (nothing is due)."


def test_lines_that_do_not_make_the_total_are_refused(store: Store) -> None:
    """An invoice given lines worth 1,000 and a total of 900 is refused naming the total, takes no
    number and writes nothing: the client's document and the books would disagree."""
    testing.identify(store)
    ref = testing.approved_mission(store)
    logo = {
        "designation": "Logo",
        "quantity": Decimal(1),
        "unit": "LS",
        "unit_price": testing.eur("1000"),
        "amount": testing.eur("1000"),
        "source": "contract",
    }
    with pytest.raises(InvalidValueError) as refused:
        store.issue_invoice(
            ref, "final", testing.eur("900"), date(2026, 3, 10), date(2026, 4, 9), lines=[logo]
        )
    assert refused.value.field == "total"
    assert "1,000.00 EUR" in str(refused.value)
    assert "900.00 EUR" in str(refused.value)
    assert store.list_invoices() == []
    issued = store.issue_invoice(
        ref, "final", testing.eur("1000"), date(2026, 3, 10), date(2026, 4, 9), lines=[logo]
    )
    assert issued.number == "2026-0001"
    assert issued.total == testing.eur("1000")
    assert store.verify() == []
