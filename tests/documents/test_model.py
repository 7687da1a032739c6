"""The document model: exact totals, the rounding rule, and inconsistent documents refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from missionflow.errors import InvalidValueError
from missionflow.freelance.documents import (
    Address,
    DepositDeduction,
    Document,
    DocumentKind,
    InvoiceReference,
    Line,
    Logo,
    Party,
    PaymentTerms,
    Unit,
    VatRegime,
)
from missionflow.money import Money

Documents = Callable[[object], dict[DocumentKind, Document]]


def eur(text: str) -> Money:
    """Euros from text."""
    return Money.of(text, "EUR")


@pytest.fixture
def invoice(all_scenarios: list[object], mission_documents: Documents) -> Document:
    """The final invoice with VAT for a business client, in French."""
    return mission_documents(all_scenarios[0])[DocumentKind.INVOICE]


def test_totals_to_the_cent_with_three_rates(invoice: Document) -> None:
    """12.5 x 433.33 rounds half-up to 5,416.63; VAT is rounded once per rate; the deposit is deducted."""
    totals = invoice.totals
    assert [line.net for line in invoice.lines] == [eur("5416.63"), eur("1000.00"), eur("99.99")]
    assert totals.net == eur("6516.62")
    assert [(b.rate, b.base, b.amount) for b in totals.vat] == [
        (Decimal(20), eur("5416.63"), eur("1083.33")),
        (Decimal(10), eur("1000.00"), eur("100.00")),
        (Decimal("5.5"), eur("99.99"), eur("5.50")),
    ]
    assert (totals.vat_total, totals.gross) == (eur("1188.83"), eur("7705.45"))
    assert (totals.prepaid, totals.due) == (eur("2606.65"), eur("5098.80"))


def test_a_credit_note_cancelling_a_final_invoice_deducts_its_deposits(invoice: Document) -> None:
    """The credit note of a final invoice repeats its lines and the deposits it deducted: it credits
    what that invoice asked for, and its view says so as the amount credited."""
    from missionflow.freelance.documents.view import build_view

    credit = dataclasses.replace(
        invoice,
        kind=DocumentKind.CREDIT_NOTE,
        number="AV-1",
        cancels=InvoiceReference(invoice.number, invoice.issued_on),
        payment=PaymentTerms(30, Decimal("12.15")),
    )
    assert (credit.totals.gross, credit.totals.due) == (eur("7705.45"), eur("5098.80"))
    last = build_view(credit).totals[-1]
    assert (last.label, last.value, last.strong) == ("Montant de l'avoir", "5\u202f098,80\u00a0€", True)
    assert "Net à payer" not in [row.label for row in build_view(credit).totals]


def test_vat_is_rounded_per_rate_not_per_line(invoice: Document) -> None:
    """Three lines of 0.10 at 5.5 % owe 0.02 (5.5 % of 0.30), not 3 x 0.01."""
    dime = Line("Vis", Decimal(1), Unit.UNIT, eur("0.10"), Decimal("5.5"))
    document = dataclasses.replace(invoice, lines=(dime, dime, dime), deposits=())
    assert document.totals.vat_total == eur("0.02")


def test_a_third_of_a_total_is_rounded_half_up(
    all_scenarios: list[object], mission_documents: Documents
) -> None:
    """The deposit of a third of 6,516.62 is 2,172.21 (2,172.2066...), plus 434.44 of VAT."""
    deposit = mission_documents(all_scenarios[0])[DocumentKind.DEPOSIT_INVOICE]
    assert deposit.totals.net == eur("2172.21")
    assert deposit.totals.gross == eur("2606.65")


def test_formal_notice_claims_interest_and_indemnity(
    all_scenarios: list[object], mission_documents: Documents
) -> None:
    """60 days at 12.15 % on 5,098.80 is 101.84; a business client owes 40 EUR more, a private one does not."""
    business, private = all_scenarios[0], next(s for s in all_scenarios if not s.business and s.vat)  # type: ignore[attr-defined]
    claim = mission_documents(business)[DocumentKind.FORMAL_NOTICE].claim()
    assert (claim.principal, claim.interest, claim.indemnity, claim.total) == (
        eur("5098.80"),
        eur("101.84"),
        eur("40.00"),
        eur("5240.64"),
    )
    assert mission_documents(private)[DocumentKind.FORMAL_NOTICE].claim().total == eur("5200.64")
    first = mission_documents(business)[DocumentKind.FIRST_REMINDER].claim()
    assert first.total == eur("5098.80"), "a reminder claims the principal only"


def test_late_payment_lines(all_scenarios: list[object], mission_documents: Documents) -> None:
    """The late-payment invoice bills the interest and, for a business client, the 40 EUR indemnity, outside VAT."""
    late = mission_documents(all_scenarios[0])[DocumentKind.LATE_PAYMENT_INVOICE]
    assert [line.net for line in late.lines] == [eur("101.84"), eur("40.00")]
    assert late.totals.vat_total == eur("0")
    assert late.totals.gross == eur("141.84")


def _refused(invoice: Document, **changes: object) -> str:
    with pytest.raises(InvalidValueError) as caught:
        dataclasses.replace(invoice, **changes)
    return str(caught.value)


def test_inconsistent_documents_are_refused(invoice: Document) -> None:
    """Each inconsistency is refused with a message saying what is wrong."""
    other = InvoiceReference("F-1", date(2026, 1, 1))
    usd_line = Line("Audit", Decimal(1), Unit.DAY, Money.of("100", "USD"))
    cases = {
        "credit note without the invoice it cancels": ({"kind": DocumentKind.CREDIT_NOTE}, "credit note"),
        "cancels on an invoice": ({"cancels": other}, "credit note"),
        "currency mix in lines": ({"lines": (usd_line,)}, "USD"),
        "deposit in another currency": (
            {"deposits": (DepositDeduction(other, Money.of("1", "USD")),)},
            "USD",
        ),
        "deposits above the total": ({"deposits": (DepositDeduction(other, eur("9999")),)}, "exceed"),
        "deposits on a deposit invoice": ({"kind": DocumentKind.DEPOSIT_INVOICE}, "deducts deposits"),
        "no lines": ({"lines": ()}, "line"),
        "a number with a space": ({"number": "F 2026"}, "35 letters"),
        "a number of 36 characters": ({"number": "F" * 36}, "35 letters"),
        "no due date": ({"payment": PaymentTerms(30, Decimal(12))}, "due date"),
        "due before issue": ({"payment": PaymentTerms(30, Decimal(12), due_on=date(2026, 1, 1))}, "before"),
        "no service date": ({"service_period": None}, "service"),
        "no bank details": ({"bank": None}, "bank"),
        "interest outside VAT on an invoice": ({"vat": VatRegime.not_subject()}, "scope of VAT"),
    }
    for name, (changes, words) in cases.items():
        assert words in _refused(invoice, **changes), name


def test_a_reduction_lowers_the_total_but_never_below_zero(invoice: Document) -> None:
    """A line of negative quantity (an amendment that lowers the price) is deducted from the total HT;
    a negative unit price, or reductions larger than the other lines, are refused."""
    reduction = Line("Une page de moins", Decimal(-1), Unit.LUMP_SUM, eur("100"))
    assert reduction.net == Money(Decimal(-100), "EUR")
    lowered = dataclasses.replace(invoice, lines=(*invoice.lines, reduction))
    assert lowered.totals.net == invoice.totals.net - eur("100")
    with pytest.raises(InvalidValueError, match="negative"):
        Line("Audit", Decimal(1), Unit.DAY, Money(Decimal(-100), "EUR"))
    too_much = Line("Remise", Decimal(-1), Unit.LUMP_SUM, invoice.totals.net + eur("1"))
    assert "below 0" in _refused(invoice, lines=(*invoice.lines, too_much), deposits=())


def test_refused_values() -> None:
    """Floats, five decimals, VAT under the franchise, a foreign SIRET and a GIF logo are refused."""
    with pytest.raises(InvalidValueError, match="float"):
        Line("Audit", 1.5, Unit.DAY, eur("100"))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="4 decimals"):
        Line("Audit", Decimal("0.33333"), Unit.DAY, eur("100"))
    with pytest.raises(InvalidValueError, match="charges 20"):
        VatRegime.franchise().rate_of(Line("Audit", Decimal(1), Unit.DAY, eur("1"), Decimal(20)))
    with pytest.raises(InvalidValueError, match="belong"):
        Party("X", Address(("1 rue A",), "75001", "Paris"), siren="552100554", siret="73282932000074")
    with pytest.raises(InvalidValueError, match="PNG nor an SVG"):
        _ = Logo(b"GIF89a").media_type


def test_parties_need_their_mandatory_identifiers(invoice: Document) -> None:
    """A seller without legal form, or a French business client without SIREN, is refused."""
    bare = Party("Camille Martin", Address(("12 rue des Lilas",), "75011", "Paris"), siret="73282932000074")
    assert "legal form" in _refused(invoice, seller=bare)
    no_siren = Party("Dupont SA", Address(("1 rue A",), "75001", "Paris"))
    assert "needs a SIREN" in _refused(invoice, buyer=no_siren)
