"""Every mandatory mention is in the PDF a client receives, read back with pdftotext.

The expected texts are written out here by hand, in French and in English, from the figures of
the scenarios (see conftest); they are not produced by the code under test. Amounts are written
the French way ("5 098,80") and turned into English ("€5,098.80") by :func:`amount`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from missionflow.freelance.documents import DocumentKind, Language

Text = Callable[[object, DocumentKind], str]

FR, EN = Language.FR, Language.EN
KINDS = [
    DocumentKind.QUOTE,
    DocumentKind.DEPOSIT_INVOICE,
    DocumentKind.INVOICE,
    DocumentKind.CREDIT_NOTE,
    DocumentKind.LATE_PAYMENT_INVOICE,
    DocumentKind.FORMAL_NOTICE,
]
INVOICES = [
    DocumentKind.DEPOSIT_INVOICE,
    DocumentKind.INVOICE,
    DocumentKind.CREDIT_NOTE,
    DocumentKind.LATE_PAYMENT_INVOICE,
]
NUMBERS = {
    DocumentKind.QUOTE: ("D-2026-007", "1 septembre 2026", "1 September 2026"),
    DocumentKind.DEPOSIT_INVOICE: ("F-2026-0040", "15 septembre 2026", "15 September 2026"),
    DocumentKind.INVOICE: ("F-2026-0042", "30 novembre 2026", "30 November 2026"),
    DocumentKind.CREDIT_NOTE: ("AV-2026-0003", "5 décembre 2026", "5 December 2026"),
    DocumentKind.LATE_PAYMENT_INVOICE: ("F-2027-0007", "28 février 2027", "28 February 2027"),
    DocumentKind.FORMAL_NOTICE: ("R-2027-003", "28 février 2027", "28 February 2027"),
}


def amount(french: str, language: Language) -> str:
    """'5 098,80' in the document's language: '5 098,80 €' or '€5,098.80'."""
    if language is FR:
        return f"{french} €"
    units, _comma, cents = french.rpartition(",")
    return f"€{units.replace(' ', ',')}.{cents}"


def say(language: Language, french: str, english: str) -> str:
    """The expected wording in the document's language."""
    return french if language is FR else english


def first_day(language: Language, french: str, english: str) -> str:
    """French writes the first of the month "1er"."""
    return say(language, french.replace("1 ", "1er ", 1) if french.startswith("1 ") else french, english)


def common_mentions(scenario: object, kind: DocumentKind) -> list[tuple[str, str]]:
    """What every document says: who from, who to, which document, penalties, no discount."""
    lang: Language = scenario.language  # type: ignore[attr-defined]
    number, fr_date, en_date = NUMBERS[kind]
    mentions = [
        ("seller identity and legal form", "Camille Martin (EI)"),
        ("seller address", "12 rue des Lilas 75011 Paris"),
        ("seller SIRET", say(lang, "SIRET : 73282932000074", "SIRET: 73282932000074")),
        ("document number", number),
        ("issue date", first_day(lang, fr_date, en_date)),
        ("late-penalty rate", say(lang, "taux annuel de 12,15 %", "annual rate of 12.15%")),
        ("ledger anchor", "sha256:5f0c9e1d7a3b"),
    ]
    if scenario.business:  # type: ignore[attr-defined]
        mentions += [
            ("client name", "Atelier Dupont SAS"),
            ("client address", "5 avenue de la Gare Bâtiment B 69002 Lyon"),
            ("client SIREN (business client)", say(lang, "SIREN : 552100554", "SIREN: 552100554")),
            (
                "40 EUR recovery indemnity (business client)",
                say(lang, "frais de recouvrement", "recovery costs"),
            ),
            ("amount of the indemnity", amount("40,00", lang)),
        ]
    else:
        mentions += [
            ("client name", "Jeanne Petit"),
            ("client address", "8 impasse des Roses 33000 Bordeaux"),
        ]
    if kind is not DocumentKind.FORMAL_NOTICE:
        mentions.append(
            (
                "no-discount mention",
                say(lang, "Pas d'escompte pour paiement anticipé", "No discount for early payment"),
            )
        )
    return mentions


WORK_LINES = [
    ("Développement du site", "12,5", "12.5", "433,33"),
    ("Formation à l'outil", "1", "1", "1 000,00"),
    ("Livres de référence", "3", "3", "33,33"),
]


def line_mentions(scenario: object, kind: DocumentKind) -> list[tuple[str, str, str, str]]:
    """(designation, quantity fr, quantity en, unit price fr) of each line of the document."""
    vat = scenario.vat  # type: ignore[attr-defined]
    if kind in (DocumentKind.QUOTE, DocumentKind.INVOICE):
        return WORK_LINES
    if kind is DocumentKind.DEPOSIT_INVOICE:
        return [("Acompte d'un tiers sur le devis D-2026-007", "1", "1", "2 172,21")]
    if kind is DocumentKind.CREDIT_NOTE:
        return [("Tiers de journée non réalisé", "0,3333", "0.3333", "433,33"), WORK_LINES[2]]
    interest = "101,84" if vat else "86,77"
    lines = [("F-2026-0042", "1", "1", interest)]
    if scenario.business:  # type: ignore[attr-defined]
        lines.append(("F-2026-0042", "1", "1", "40,00"))
    return lines


# (total HT, [VAT rows], TTC, amount due) per kind, under VAT charged and under the franchise
TOTALS = {
    (DocumentKind.QUOTE, True): (
        "6 516,62",
        [("20", "5 416,63", "1 083,33"), ("10", "1 000,00", "100,00"), ("5,5", "99,99", "5,50")],
        "7 705,45",
    ),
    (DocumentKind.QUOTE, False): ("6 516,62", [], "6 516,62"),
    (DocumentKind.DEPOSIT_INVOICE, True): ("2 172,21", [("20", "2 172,21", "434,44")], "2 606,65"),
    (DocumentKind.DEPOSIT_INVOICE, False): ("2 172,21", [], "2 172,21"),
    (DocumentKind.INVOICE, True): (
        "6 516,62",
        [("20", "5 416,63", "1 083,33"), ("10", "1 000,00", "100,00"), ("5,5", "99,99", "5,50")],
        "7 705,45",
    ),
    (DocumentKind.INVOICE, False): ("6 516,62", [], "6 516,62"),
    (DocumentKind.CREDIT_NOTE, True): (
        "244,42",
        [("20", "144,43", "28,89"), ("5,5", "99,99", "5,50")],
        "278,81",
    ),
    (DocumentKind.CREDIT_NOTE, False): ("244,42", [], "244,42"),
}


def invoice_mentions(scenario: object, kind: DocumentKind) -> list[tuple[str, str]]:
    """What an invoice, a credit note and a quote must say about their lines and totals."""
    lang: Language = scenario.language  # type: ignore[attr-defined]
    vat = scenario.vat  # type: ignore[attr-defined]
    mentions = []
    for designation, fr_quantity, en_quantity, price in line_mentions(scenario, kind):
        mentions += [
            (f"designation of {designation!r}", designation),
            (f"quantity and unit of {designation!r}", say(lang, fr_quantity, en_quantity)),
            (f"unit price HT of {designation!r}", amount(price, lang)),
        ]
    if kind in (DocumentKind.DEPOSIT_INVOICE, DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE):
        mentions.append(
            (
                "service period",
                say(lang, "du 1er octobre 2026 au 31 octobre 2026", "1 October 2026 to 31 October 2026"),
            )
        )
    if (kind, vat) in TOTALS:
        net, rows, gross = TOTALS[(kind, vat)]
        mentions.append(("total HT", f"{say(lang, 'Total HT', 'Total excl. VAT')} {amount(net, lang)}"))
        for rate, base, tax in rows:
            row = say(
                lang,
                f"TVA {rate} % sur {amount(base, lang)}",
                f"VAT {rate.replace(',', '.')}% on {amount(base, lang)}",
            )
            mentions.append((f"VAT detail at {rate} %", f"{row} {amount(tax, lang)}"))
        mentions.append(("total TTC", f"{say(lang, 'Total TTC', 'Total incl. VAT')} {amount(gross, lang)}"))
    if kind is DocumentKind.LATE_PAYMENT_INVOICE:
        mentions.append(
            ("outside the scope of VAT", say(lang, "hors du champ de la TVA", "outside the scope of VAT"))
        )
        mentions.append(("days late", say(lang, "60 jours", "60 days")))
    elif not vat:
        mentions.append(
            (
                "franchise mention",
                say(
                    lang,
                    "TVA non applicable, art. 293 B du CGI",
                    "VAT not applicable, art. 293 B of the French tax code (CGI)",
                ),
            )
        )
    return mentions


def kind_mentions(scenario: object, kind: DocumentKind) -> list[tuple[str, str]]:
    """The mentions that belong to one kind of document."""
    lang: Language = scenario.language  # type: ignore[attr-defined]
    vat = scenario.vat  # type: ignore[attr-defined]
    iban = [("IBAN", "FR76 3000 6000 0112 3456 7890 189"), ("BIC", "BNPAFRPPXXX")]
    if kind is DocumentKind.QUOTE:
        deposit = amount("2 311,64" if vat else "1 954,99", lang)
        return [
            (
                "validity date",
                say(lang, "Devis valable jusqu'au 1er octobre 2026", "valid until 1 October 2026"),
            ),
            ("payment terms", say(lang, "Paiement à 30 jours", "Payment within 30 days")),
            (
                "deposit",
                say(
                    lang,
                    f"Un acompte de 30 % du total TTC, soit {deposit}",
                    f"A deposit of 30% of the total including VAT, i.e. {deposit}",
                ),
            ),
            ("revision rounds", say(lang, "cycles de révision inclus : 2", "Revision rounds included: 2")),
            ("signature block", say(lang, "Bon pour accord", "Approved and accepted")),
            ("signature date", "Date"),
            ("signature", "Signature"),
        ]
    if kind is DocumentKind.FORMAL_NOTICE:
        principal, interest = ("5 098,80", "101,84") if vat else ("4 344,41", "86,77")
        total = {
            (True, True): "5 240,64",
            (True, False): "5 200,64",
            (False, True): "4 471,18",
            (False, False): "4 431,18",
        }[(vat, scenario.business)]  # type: ignore[attr-defined]
        return [
            ("title", say(lang, "Mise en demeure de payer", "Formal notice to pay")),
            ("overdue invoice", "F-2026-0042"),
            ("principal", amount(principal, lang)),
            ("interest", amount(interest, lang)),
            ("total claimed", f"{say(lang, 'Total réclamé', 'Total claimed')} {amount(total, lang)}"),
            ("deadline", say(lang, "sous 8 jours", "within 8 days")),
            *iban,
        ]
    due = {
        DocumentKind.DEPOSIT_INVOICE: ("15 septembre 2026", "15 September 2026"),
        DocumentKind.INVOICE: ("30 décembre 2026", "30 December 2026"),
        DocumentKind.LATE_PAYMENT_INVOICE: ("30 mars 2027", "30 March 2027"),
    }
    mentions: list[tuple[str, str]] = []
    if kind in due:
        fr_due, en_due = due[kind]
        mentions += [
            ("due date", say(lang, f"Date d'échéance {fr_due}", f"Due date {en_due}")),
            ("payment terms", say(lang, "Paiement à 30 jours", "Payment within 30 days")),
            *iban,
        ]
    if kind is DocumentKind.INVOICE:
        deposit, left = ("2 606,65", "5 098,80") if vat else ("2 172,21", "4 344,41")
        deducted = say(
            lang,
            "Acompte déduit : facture n° F-2026-0040 du 15 septembre 2026",
            "Deposit deducted: invoice no. F-2026-0040 of 15 September 2026",
        )
        mentions += [
            ("deposit invoice deducted by number", f"{deducted} − {amount(deposit, lang)}"),
            ("amount due", f"{say(lang, 'Net à payer', 'Amount due')} {amount(left, lang)}"),
        ]
    if kind is DocumentKind.CREDIT_NOTE:
        mentions.append(
            (
                "invoice cancelled",
                say(lang, "Avoir sur la facture F-2026-0042", "Credit note on invoice F-2026-0042"),
            )
        )
    return mentions


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_every_mandatory_mention_is_printed(scenario: object, kind: DocumentKind, pdf_text: Text) -> None:
    """The PDF's text holds each mandatory mention of its kind, for each client, language and VAT regime."""
    text = pdf_text(scenario, kind)
    expected = common_mentions(scenario, kind) + kind_mentions(scenario, kind)
    if kind is not DocumentKind.FORMAL_NOTICE:
        expected += invoice_mentions(scenario, kind)
    missing = [f"{what}: {wanted!r}" for what, wanted in expected if wanted not in text]
    assert missing == [], f"{kind.value} ({scenario.id}) lacks: " + "; ".join(missing)  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_what_must_not_be_printed_is_not(scenario: object, kind: DocumentKind, pdf_text: Text) -> None:
    """No internal field ever shows; a private client sees neither a SIREN nor the 40 EUR indemnity."""
    text = pdf_text(scenario, kind)
    assert "M-INTERNAL-0007" not in text, "the mission reference is internal"
    for state in ("contract_signed", "in_progress", "approved", "invoiced"):
        assert state not in text, f"the workflow state {state!r} is internal"
    if not scenario.business:  # type: ignore[attr-defined]
        assert "SIREN" not in text, "a private client has no SIREN to print"
        indemnity = say(scenario.language, "frais de recouvrement", "recovery costs")  # type: ignore[attr-defined]
        assert indemnity not in text, "the indemnity is for business clients only"
    if scenario.language is EN:  # type: ignore[attr-defined]
        assert "Facture" not in text, "an English document has no French wording"
        assert "TVA non" not in text, "an English document has no French wording"
