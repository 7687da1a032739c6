"""Priced lines: prices as a person writes them, the lines each document bills (deposit per VAT rate,
rush surcharge once, amendments as lines, a reduction as a negative quantity), and the deposit the
mission waits for being exactly what the deposit invoice asks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from missionflow import InvalidValueError, Money
from missionflow.freelance import (
    Amendment,
    Contract,
    Deliverable,
    LineSource,
    Mission,
    PricedLine,
    format_price,
    parse_price,
    parse_priced_item,
    parse_specification,
)
from missionflow.freelance.billed_lines import deposit_lines, final_lines, quote_lines, rush_line
from missionflow.testing import eur, specification

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "quantity", "unit", "price", "rate"),
    [
        ("4500", "1", "LS", "4500.00", None),
        ("12.5 days x 433.33", "12.5", "DAY", "433.33", None),
        ("12.5 jours × 433.33", "12.5", "DAY", "433.33", None),
        ("3 h * 80 vat 10%", "3", "HUR", "80.00", "10"),
        ("1 forfait @ 4500 EUR tva 5.5", "1", "LS", "4500.00", "5.5"),
        ("2 x 50 €", "2", "C62", "50.00", None),
        ("-1 lump sum x 300", "-1", "LS", "300.00", None),
    ],
)
def test_prices_read_as_people_write_them(
    text: str, quantity: str, unit: str, price: str, rate: str | None
) -> None:
    """Quantities, English or French units, a separator, the unit price, a currency and a VAT rate."""
    read = parse_price(text, "EUR")
    assert (read.quantity, read.unit.value, read.unit_price, read.vat_rate) == (
        Decimal(quantity),
        unit,
        Money.of(price, "EUR"),
        None if rate is None else Decimal(rate),
    )
    assert parse_price(format_price(read), "EUR") == read


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("twelve days", "is not a price"),
        ("3 weeks x 100", "is not a unit"),
        ("100 USD", "not the mission's currency"),
        ("1 day x 100 vat 120%", "between 0 and 100"),
        ("0.33333 days x 100", "4 decimals"),
        ("1 day x 1e999", "is not a price"),
    ],
)
def test_wrong_prices_are_refused_with_what_is_expected(text: str, says: str) -> None:
    """A price that cannot be read is refused with a message naming the value or the rule."""
    with pytest.raises(InvalidValueError, match=says):
        parse_price(text, "EUR")


def test_a_deliverable_names_its_price_after_an_equals_sign() -> None:
    """'name = price' prices a deliverable; a name alone is included in the others; a price alone is refused."""
    name, price = parse_priced_item("Site = 8 days x 450", "EUR")
    assert (name, price.net if price else None) == ("Site", eur("3600"))
    assert parse_priced_item("admin access", "EUR") == ("admin access", None)
    with pytest.raises(InvalidValueError, match="name the deliverable"):
        parse_priced_item("= 400", "EUR")
    spec = parse_specification(
        "deliverables:\n  - site = 8 days x 450\n  - {name: logo, price: 800}\n  - mockups\n",
        "EUR",
        markdown=False,
    )
    assert [(d.name, d.price.net if d.price else None) for d in spec.deliverables] == [
        ("site", eur("3600")),
        ("logo", eur("800")),
        ("mockups", None),
    ]
    markdown = parse_specification("## Livrables\n- site = 2 h x 50 vat 10%\n", "EUR", markdown=True)
    assert markdown.deliverables[0].price == parse_price("2 hours x 50 vat 10%", "EUR")
    with pytest.raises(InvalidValueError, match="a name and"):
        parse_specification("deliverables:\n  - {name: logo, cost: 800}\n", "EUR", markdown=False)


def test_a_quote_bills_the_priced_deliverables_then_the_rush_surcharge() -> None:
    """Unpriced deliverables are included in the others; without any price the budget is one line."""
    spec = specification(
        Deliverable("site", price=parse_price("8 days x 450", "EUR")), Deliverable("admin", "access_code")
    )
    lines = quote_lines(spec, "Website", eur("300"))
    assert [(line.designation_in("en"), line.net, line.source) for line in lines] == [
        ("site", eur("3600"), LineSource.DELIVERABLE),
        ("Rush surcharge (short deadline)", eur("300"), LineSource.RUSH),
    ]
    budget_only = quote_lines(specification(budget=eur("1200")), "Website", None)
    assert [(line.designation, line.net) for line in budget_only] == [("Website", eur("1200"))]


def test_the_deposit_is_split_per_vat_rate_and_is_what_the_mission_waits_for() -> None:
    """30 % of each rate's base, half-up; the deposit invoice's lines add up, VAT included, to the
    deposit the mission's guards wait for, even when one rounding of the total would differ."""
    lines = (
        PricedLine("a", parse_price("1 x 0.05 vat 20%", "EUR")),
        PricedLine("b", parse_price("1 x 0.05 vat 5.5%", "EUR")),
    )
    contract = Contract(
        eur("0.10"), "CGV", date(2026, 3, 2), quote="DEV-2026-0001", lines=lines, vat_rate=Decimal(20)
    )
    deposit = deposit_lines(contract, Decimal(30), "EUR")
    assert [(line.designation_in("fr"), line.net, line.price.vat_rate) for line in deposit] == [
        ("Acompte de 30 % sur le devis DEV-2026-0001 (TVA 20 %)", eur("0.02"), Decimal(20)),
        ("Acompte de 30 % sur le devis DEV-2026-0001 (TVA 5,5 %)", eur("0.02"), Decimal("5.5")),
    ]
    mission = Mission("M-1", "freelance-mission", "contract_signed", contract=contract)
    assert mission.deposit_due == eur("0.04")  # 0.02 + 0.00 VAT, twice; 30 % of 0.12 TTC would be 0.04 too
    franchise = Contract(eur("1000"), "CGV-2026-1", date(2026, 3, 2))
    only = deposit_lines(franchise, Decimal("33.333"), "EUR")
    assert [(line.designation_in("en"), line.net) for line in only] == [
        ("Deposit of 33.333% on contract CGV-2026-1", eur("333.33"))
    ]
    third = Mission(
        "M-2", "freelance-mission", "contract_signed", contract=franchise, deposit_percent=Decimal("33.333")
    )
    assert third.deposit_due == eur("333.33")


def test_the_final_invoice_bills_the_contract_rush_and_amendments_once() -> None:
    """A contract signed for an amount is one line named after the mission; the rush surcharge is
    added unless the quote billed it; an amendment that lowers the price is a negative quantity."""
    amendments = [
        Amendment("amendment", Money(Decimal(-200), "EUR"), "one page less", AT),
        Amendment("extra_revision", eur("250"), "", AT),
    ]
    signed = Contract(eur("4500"), "CGV", date(2026, 3, 2))
    lines = final_lines(signed, amendments, eur("300"), "Website")
    assert [(line.designation_in("fr"), line.price.quantity, line.net) for line in lines] == [
        ("Website", Decimal(1), eur("4500")),
        ("Majoration pour délai court", Decimal(1), eur("300")),
        ("Avenant : one page less", Decimal(-1), Money(Decimal(-200), "EUR")),
        ("Série de corrections supplémentaire", Decimal(1), eur("250")),
    ]
    quoted = Contract(
        eur("4800"),
        "CGV",
        date(2026, 3, 2),
        lines=(PricedLine("site", parse_price("4500", "EUR")), rush_line(eur("300"))),
    )
    assert [line.source for line in final_lines(quoted, [], eur("300"), "Website")] == [
        LineSource.DELIVERABLE,
        LineSource.RUSH,
    ]


def test_lines_survive_json_and_older_invoices_read_as_lump_sums() -> None:
    """A line written to JSON reads back equal; an invoice line of before (description and amount)
    reads as one lump sum, a negative one as a reduction."""
    line = rush_line(eur("300"))
    assert PricedLine.from_json(line.to_json()) == line
    assert line.to_json()["amount"] == {"amount": "300.00", "currency": "EUR"}
    legacy = PricedLine.from_json(
        {"description": "Deposit invoice 2026-0001", "amount": {"amount": "-300.00", "currency": "EUR"}}
    )
    assert (legacy.designation, legacy.price.quantity, legacy.net) == (
        "Deposit invoice 2026-0001",
        Decimal(-1),
        Money(Decimal(-300), "EUR"),
    )
