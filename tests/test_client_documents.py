"""The documents a client receives, issued through the store and written as PDF by the CLI: for a
business and a private client, in French and in English, under the VAT franchise and with VAT
charged, the quote, the deposit invoice, the final invoice (deposit deducted), the credit note and
the status report. Each PDF is read back with pdftotext and every mandatory mention is checked one
by one, the totals to the cent; each first page is drawn with pdftoppm and is not blank.

The expected texts are written out by hand from the figures below (12.5 days at 433.33, one lump
sum of 1,000, three books at 33.33; at 20, 10 and 5.5 % VAT when charged; a 30 % deposit):

==================  ==================  ==================
                    franchise           VAT charged
==================  ==================  ==================
total excl. VAT     6 516,62            6 516,62
VAT                 0                   1 083,33 + 100,00 + 5,50
total incl. VAT     6 516,62            7 705,45
deposit (30 %)      1 954,99            1 624,99+325,00 + 300,00+30,00 + 30,00+1,65 = 2 311,64
final, due          4 561,63            5 393,81
==================  ==================  ==================
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from missionflow import Store, open_store, testing
from missionflow.freelance import Deliverable, Payment, Specification, parse_price, render_document
from missionflow.freelance.documents import check_pdf, extract_xml
from missionflow.money import Money
from tests.cli_helpers import Cli

Program = Callable[[str, str], str]


def at(day: str, hour: int = 10) -> datetime:
    """``day`` at ``hour`` UTC (within working hours in Paris)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass(frozen=True)
class Scenario:
    """A client (business or private), the language they read, and whether VAT is charged."""

    business: bool
    lang: str
    vat: bool

    @property
    def id(self) -> str:
        """A readable test id."""
        return f"{'b2b' if self.business else 'b2c'}-{self.lang}-{'vat' if self.vat else 'franchise'}"

    def say(self, french: str, english: str) -> str:
        """The expected wording in the scenario's language."""
        return french if self.lang == "fr" else english

    def amount(self, french: str) -> str:
        """'5 393,81' as the document writes it: '5 393,81 €' or '€5,393.81'."""
        if self.lang == "fr":
            return f"{french} €"
        units, _, cents = french.rpartition(",")
        return f"€{units.replace(' ', ',')}.{cents}"

    def figures(self) -> dict[str, str]:
        """The totals of the scenario, French style (see the module's table)."""
        if self.vat:
            return {"net": "6 516,62", "gross": "7 705,45", "deposit": "2 311,64", "due": "5 393,81"}
        return {"net": "6 516,62", "gross": "6 516,62", "deposit": "1 954,99", "due": "4 561,63"}


SCENARIOS = [
    Scenario(business, lang, vat)
    for business in (True, False)
    for lang in ("fr", "en")
    for vat in (False, True)
]
WORK = (
    ("Développement du site", "12.5 days x 433.33", "20"),
    ("Formation à l'outil", "1 forfait x 1000", "10"),
    ("Livres de référence", "3 units x 33.33", "5.5"),
)


def issue_everything(store: Store, scenario: Scenario) -> dict[str, str]:
    """Walk one mission through the store: a quote, its acceptance, the deposit invoice, the work,
    the final invoice and its credit note; the numbers of the documents by kind."""
    testing.identify(store, late_penalty_rate=Decimal("12.15"), phone="06 12 34 56 78")
    if scenario.vat:
        store.save_settings(
            store.get_settings().with_changes(vat_regime="charged", vat_number="FR44732829320")
        )
    if scenario.business:
        client = testing.add_client(
            store,
            "Dupont",
            company="Atelier Dupont SAS",
            address=("5 avenue de la Gare", "Bâtiment B"),
            contact="M. Dupont",
            language=scenario.lang,
        )
    else:
        client = testing.add_client(store, "Jeanne Petit", business=False, language=scenario.lang)
    ref = store.create_mission(client.ref, "Site vitrine", at=at("2026-08-31", 9)).ref
    testing.accept(store, ref, at=at("2026-08-31"))
    deliverables = tuple(
        Deliverable(name, price=parse_price(price + (f" vat {rate}%" if scenario.vat else ""), "EUR"))
        for name, price, rate in WORK
    )
    store.set_specification(
        ref,
        Specification(
            "Un site rapide",
            (*deliverables, Deliverable("Accès administrateur", "access_code")),
            date(2026, 10, 30),
            Money.of("6516.62", "EUR"),
            "Validation écrite",
        ),
    )
    quote = store.issue_quote(ref, issued_on=date(2026, 9, 1))
    store.sign_quote(
        ref, quote.number, terms_version="CGV-2026", signed_on=date(2026, 9, 2), at=at("2026-09-02")
    )
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 9, 3))
    store.record_payment(ref, Payment(deposit.total, date(2026, 9, 4), "transfer"))
    store.fire(ref, "confirm_deposit", at=at("2026-09-04"))
    store.fire(ref, "start_work", at=at("2026-10-01"))
    for item in (*deliverables, Deliverable("Accès administrateur")):
        testing.deliver(store, ref, item.name, at=at("2026-10-20"))
    store.fire(ref, "approve", at=at("2026-10-30"), actor="client")
    _, final = store.issue_final_invoice(ref, at=at("2026-11-02"))
    credit = store.issue_credit_note(
        final.number, "Adresse de facturation erronée", issued_on=date(2026, 11, 5)
    )
    return {
        "mission": ref,
        "quote": quote.number,
        "deposit": deposit.number,
        "final": final.number,
        "credit": credit.number,
    }


@dataclass(frozen=True)
class Issued:
    """One scenario's database, the numbers of its documents, and their PDFs as the CLI wrote them."""

    scenario: Scenario
    db: Path
    numbers: dict[str, str]
    pdfs: dict[str, Path]


def fold(text: str) -> str:
    """Text with no-break spaces made plain and runs of white space folded."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@dataclass(frozen=True)
class PdfText:
    """Two pdftotext readings of a PDF: reading order (a wrapped sentence stays whole) and physical
    layout (a label stays next to its amount); a text is present when one of them holds it."""

    flow: str
    layout: str

    def __contains__(self, wanted: object) -> bool:
        return isinstance(wanted, str) and (fold(wanted) in self.flow or fold(wanted) in self.layout)


def read_pdf(path: Path, pdftotext: str) -> PdfText:
    """Both readings of the PDF at ``path``."""

    def read(*options: str) -> str:
        done = subprocess.run([pdftotext, *options, str(path), "-"], capture_output=True, check=True)
        return fold(done.stdout.decode("utf-8"))

    return PdfText(read(), read("-layout"))


_ISSUED: dict[Scenario, Issued] = {}


@pytest.fixture(params=SCENARIOS, ids=lambda s: s.id)
def issued(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Issued:
    """The scenario's documents, issued once per session and written as PDF by the CLI."""
    scenario: Scenario = request.param
    if scenario not in _ISSUED:
        folder = tmp_path_factory.mktemp(scenario.id)
        db = folder / "missions.db"
        with open_store(str(db)) as store:
            numbers = issue_everything(store, scenario)
        run = Cli(db)
        pdfs = {}
        for kind in ("quote", "deposit", "final", "credit"):
            noun = "quote" if kind == "quote" else "invoice"
            pdfs[kind] = folder / f"{kind}.pdf"
            run.ok(noun, "show", numbers[kind], "--format", "pdf", "-o", str(pdfs[kind]))
        pdfs["status"] = folder / "status.pdf"
        run.ok(
            "report",
            "status",
            numbers["mission"],
            "--format",
            "pdf",
            "--on",
            "2026-11-05",
            "-o",
            str(pdfs["status"]),
        )
        _ISSUED[scenario] = Issued(scenario, db, numbers, pdfs)
    return _ISSUED[scenario]


@pytest.fixture
def pdftotext(require_binary: Program) -> str:
    """poppler's pdftotext (apt-get install poppler-utils)."""
    return require_binary("pdftotext", "poppler-utils")


def seller_and_client(s: Scenario) -> list[tuple[str, str]]:
    """Who the document is from and to."""
    mentions = [
        ("seller's name and legal form", "Camille Martin (EI)"),
        ("seller's address", "12 rue des Lilas"),
        ("seller's town", "75011 Paris"),
        ("seller's SIRET", s.say("SIRET : 73282932000074", "SIRET: 73282932000074")),
    ]
    if s.vat:
        mentions.append(("seller's VAT number", "FR44732829320"))
    if s.business:
        mentions += [
            ("client's legal name", "Atelier Dupont SAS"),
            ("client's address", "5 avenue de la Gare"),
            ("client's address, second line", "Bâtiment B"),
            ("client's town", "69002 Lyon"),
            ("client's SIREN", s.say("SIREN : 552100554", "SIREN: 552100554")),
        ]
    else:
        mentions += [
            ("client's name", "Jeanne Petit"),
            ("client's address", "8 impasse des Roses"),
            ("client's town", "33000 Bordeaux"),
        ]
    return mentions


def lines_and_totals(s: Scenario, *, deducted: bool) -> list[tuple[str, str]]:
    """Each line's designation, quantity and unit price; total HT; the VAT detail or mention; TTC."""
    figures = s.figures()
    mentions = [
        ("first line", "Développement du site"),
        ("its quantity", s.say("12,5", "12.5")),
        ("its unit price", s.amount("433,33")),
        ("second line", "Formation à l'outil"),
        ("its unit price", s.amount("1 000,00")),
        ("third line", "Livres de référence"),
        ("its unit price", s.amount("33,33")),
        ("total excluding tax", s.say("Total HT", "Total excl. VAT")),
        ("its amount", s.amount(figures["net"])),
        ("total including tax", s.say("Total TTC", "Total incl. VAT")),
        ("its amount", s.amount(figures["gross"])),
    ]
    if s.vat:
        mentions += [
            ("VAT at 20 %", s.say("TVA 20 % sur 5 416,63 €", "VAT 20% on €5,416.63")),
            ("its amount", s.amount("1 083,33")),
            ("VAT at 10 %", s.say("TVA 10 % sur 1 000,00 €", "VAT 10% on €1,000.00")),
            ("VAT at 5.5 %", s.say("TVA 5,5 % sur 99,99 €", "VAT 5.5% on €99.99")),
            ("its amount", s.amount("5,50")),
        ]
    else:
        mentions.append(
            (
                "franchise mention",
                s.say(
                    "TVA non applicable, art. 293 B du CGI",
                    "VAT not applicable, art. 293 B of the French tax code (CGI)",
                ),
            )
        )
    if deducted:
        mentions += [
            (
                "deposit invoice deducted by number",
                s.say(
                    "Acompte déduit : facture n° 2026-0001 du 3 septembre 2026",
                    "Deposit deducted: invoice no. 2026-0001 of 3 September 2026",
                ),
            ),
            ("its amount", f"− {s.amount(figures['deposit'])}"),
        ]
    return mentions


def payment_terms(s: Scenario, *, due: tuple[str, str] | None) -> list[tuple[str, str]]:
    """Due date and terms, the late-penalty rate, the indemnity (business only), no discount."""
    mentions = []
    if due is not None:
        mentions += [
            ("due date", s.say(f"Date d'échéance {due[0]}", f"Due date {due[1]}")),
            (
                "payment terms",
                s.say(
                    f"Paiement à 30 jours, au plus tard le {due[0]}.", f"Payment within 30 days, by {due[1]}"
                ),
            ),
        ]
    mentions += [
        ("late-penalty rate", s.say("pénalités au taux annuel de 12,15 %", "annual rate of 12.15%")),
        ("no discount", s.say("Pas d'escompte pour paiement anticipé.", "No discount for early payment.")),
    ]
    if s.business:
        mentions += [
            (
                "40 EUR recovery indemnity (business client)",
                s.say(
                    "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40,00 €",
                    "Fixed indemnity for recovery costs owed on late payment: €40.00",
                ),
            )
        ]
    return mentions


def check(text: PdfText, mentions: list[tuple[str, str]]) -> None:
    """Every mention is in the text: the failure names the first missing one and what it is."""
    missing = [f"{what}: {wanted!r}" for what, wanted in mentions if wanted not in text]
    assert missing == []


def test_the_quote_states_every_mention(issued: Issued, pdftotext: str) -> None:
    """The quote: number, date, validity, lines, totals, deposit asked, revision rounds, terms and the
    "bon pour accord" block; no bank details and no internal reference."""
    s = issued.scenario
    text = read_pdf(issued.pdfs["quote"], pdftotext)
    check(
        text,
        [
            ("title", s.say("Devis", "Quote")),
            ("number", "DEV-2026-0001"),
            ("issue date", s.say("1er septembre 2026", "1 September 2026")),
            ("validity", s.say("Valable jusqu'au 1er octobre 2026", "Valid until 1 October 2026")),
            ("deposit asked", s.say("Acompte à la signature (30 %)", "Deposit on signature (30%)")),
            ("its amount", s.amount(s.figures()["deposit"])),
            ("revision rounds", s.say("cycles de révision inclus : 2", "Revision rounds included: 2")),
            ("bon pour accord", "Bon pour accord"),
            *seller_and_client(s),
            *lines_and_totals(s, deducted=False),
            *payment_terms(s, due=None),
        ],
    )
    assert "FR76 3000" not in text
    assert "M-1" not in text


def test_the_deposit_invoice_states_every_mention(issued: Issued, pdftotext: str) -> None:
    """The deposit invoice: one line per VAT rate of 30 % of the quote, the service period to come,
    the due date, the bank details, every legal mention."""
    s = issued.scenario
    text = read_pdf(issued.pdfs["deposit"], pdftotext)
    figures = s.figures()
    deposit_lines = (
        [
            ("line at 20 %", s.amount("1 624,99")),
            ("line at 10 %", s.amount("300,00")),
            ("line at 5.5 %", s.amount("30,00")),
        ]
        if s.vat
        else [("one line", s.amount("1 954,99"))]
    )
    check(
        text,
        [
            ("title", s.say("Facture d'acompte", "Deposit invoice")),
            ("number", "2026-0001"),
            ("issue date", s.say("3 septembre 2026", "3 September 2026")),
            (
                "period of the service",
                s.say("du 2 septembre 2026 au 30 octobre 2026", "2 September 2026 to 30 October 2026"),
            ),
            (
                "designation",
                s.say("Acompte de 30 % sur le devis DEV-2026-0001", "Deposit of 30% on quote DEV-2026-0001"),
            ),
            *deposit_lines,
            ("total including tax", s.say("Total TTC", "Total incl. VAT")),
            ("what is asked", s.amount(figures["deposit"])),
            ("IBAN", "FR76 3000 6000 0112 3456 7890 189"),
            ("BIC", "BNPAFRPPXXX"),
            *seller_and_client(s),
            *payment_terms(s, due=("3 octobre 2026", "3 October 2026")),
        ],
    )
    assert "M-1" not in text


def test_the_final_invoice_deducts_the_deposit_and_states_every_mention(
    issued: Issued, pdftotext: str
) -> None:
    """The final invoice: the lines, the totals, the deposit invoice deducted by number, the amount
    due, the period of the work, every legal mention; nothing internal."""
    s = issued.scenario
    text = read_pdf(issued.pdfs["final"], pdftotext)
    check(
        text,
        [
            ("title", s.say("Facture", "Invoice")),
            ("number", "2026-0002"),
            ("issue date", s.say("2 novembre 2026", "2 November 2026")),
            (
                "period of the service",
                s.say("du 1er octobre 2026 au 30 octobre 2026", "1 October 2026 to 30 October 2026"),
            ),
            ("amount due", s.say("Net à payer", "Amount due")),
            ("its amount", s.amount(s.figures()["due"])),
            ("IBAN", "FR76 3000 6000 0112 3456 7890 189"),
            *seller_and_client(s),
            *lines_and_totals(s, deducted=True),
            *payment_terms(s, due=("2 décembre 2026", "2 December 2026")),
        ],
    )
    for internal in ("M-1", "Site vitrine", "paid", "Réglé"):
        assert internal not in text


def test_the_credit_note_names_the_invoice_it_cancels(issued: Issued, pdftotext: str) -> None:
    """The credit note: the invoice it cancels by number and date, the same lines and deposit, the
    amount credited, the reason; it asks for no payment."""
    s = issued.scenario
    text = read_pdf(issued.pdfs["credit"], pdftotext)
    check(
        text,
        [
            ("title", s.say("Avoir", "Credit note")),
            ("number", "2026-0003"),
            ("issue date", s.say("5 novembre 2026", "5 November 2026")),
            (
                "invoice cancelled",
                s.say(
                    "Avoir sur la facture 2026-0002 (2 novembre 2026)",
                    "Credit note on invoice 2026-0002 (2 November 2026)",
                ),
            ),
            (
                "what it cancels",
                s.say(
                    "Cet avoir annule la facture n° 2026-0002 du 2 novembre 2026",
                    "This credit note cancels invoice no. 2026-0002 of 2 November 2026",
                ),
            ),
            ("amount credited", s.say("Montant de l'avoir", "Amount credited")),
            ("its amount", s.amount(s.figures()["due"])),
            (
                "the reason",
                s.say("Motif : Adresse de facturation erronée", "Reason: Adresse de facturation erronée"),
            ),
            *seller_and_client(s),
            *lines_and_totals(s, deducted=True),
            *payment_terms(s, due=None),
        ],
    )
    assert "FR76 3000" not in text
    assert "M-1" not in text


def test_the_status_report_speaks_to_the_client(issued: Issued, pdftotext: str) -> None:
    """The status report PDF is in the client's language, with the steps done in plain words and no
    trigger name, guard label or mission reference."""
    s = issued.scenario
    text = read_pdf(issued.pdfs["status"], pdftotext)
    check(
        text,
        [
            ("title", s.say("Point d'avancement : Site vitrine", "Status report: Site vitrine")),
            ("a step done", s.say("Le contrat a été signé", "The contract was signed")),
            ("the current step", s.say("Étape actuelle : Facturé", "Current step: Invoiced")),
            ("the diagram", s.say("Le cycle de vie de la mission", "The mission's lifecycle")),
        ],
    )
    for jargon in ("sign_contract", "confirm_deposit", "start_work", "(invoice)", "[", "M-1"):
        assert jargon not in text.flow, jargon


def test_the_records_agree_with_the_documents_to_the_cent(issued: Issued) -> None:
    """What the store recorded (the quote's totals, the deposit the mission waited for, each invoice's
    total) is what the documents print."""
    s = issued.scenario
    figures = {k: Money.of(v.replace(" ", "").replace(",", "."), "EUR") for k, v in s.figures().items()}
    with open_store(str(issued.db)) as store:
        quote = store.get_quote(issued.numbers["quote"])
        assert (quote.net, quote.total, quote.status) == (figures["net"], figures["gross"], "accepted")
        assert store.get_mission(issued.numbers["mission"]).deposit_due == figures["deposit"]
        totals = [(i.number, i.kind, i.total) for i in store.list_invoices(issued.numbers["mission"])]
        final = store.invoice_document(issued.numbers["final"])
    assert totals == [
        ("2026-0001", "deposit", figures["deposit"]),
        ("2026-0002", "final", figures["due"]),
        ("2026-0003", "credit", figures["due"]),
    ]
    assert (final.totals.net, final.totals.gross, final.totals.due) == (
        figures["net"],
        figures["gross"],
        figures["due"],
    )


def test_each_first_page_is_drawn_and_not_blank(issued: Issued, require_binary: Program) -> None:
    """Every PDF is A4, drawn by pdftoppm, and its first page has ink on it."""
    pdftoppm = require_binary("pdftoppm", "poppler-utils")
    for kind, path in issued.pdfs.items():
        done = subprocess.run(
            [pdftoppm, "-r", "40", "-f", "1", "-l", "1", "-png", str(path)], capture_output=True, check=True
        )
        page = Image.open(io.BytesIO(done.stdout)).convert("L")
        assert page.size == (331, 468), kind  # A4 at 40 dpi
        inked = sum(page.histogram()[:200])
        assert inked / (page.size[0] * page.size[1]) > 0.01, kind


def test_each_pdf_embeds_its_fonts_and_says_pdf_a_3b(issued: Issued, require_binary: Program) -> None:
    """Every font is embedded (pdffonts says so) and the XMP metadata declares PDF/A-3 conformance B;
    each invoice and credit note carries a Factur-X XML that passes the XSD, EN 16931 and the
    French rules with no failure, quotes and reports carry none."""
    pdffonts = require_binary("pdffonts", "poppler-utils")
    for kind, path in issued.pdfs.items():
        listed = subprocess.run([pdffonts, str(path)], capture_output=True, check=True, text=True).stdout
        fonts = listed.splitlines()[2:]
        assert fonts, kind
        assert all(line.split()[-5] == "yes" for line in fonts), (kind, listed)
        data = path.read_bytes()
        metadata = PdfReader(io.BytesIO(data)).trailer["/Root"]["/Metadata"].get_object().get_data()
        assert b"<pdfaid:part>3</pdfaid:part>" in metadata or b'pdfaid:part="3"' in metadata, kind
        assert (
            b"<pdfaid:conformance>B</pdfaid:conformance>" in metadata or b'pdfaid:conformance="B"' in metadata
        )
        if kind in ("deposit", "final", "credit"):
            assert [str(failure) for failure in check_pdf(data)] == [], kind
        else:
            assert extract_xml(data) is None, kind


def test_late_payment_and_work_done_invoices_are_documents_too(
    store: Store, pdftotext: str, tmp_path: Path
) -> None:
    """The late-payment invoice (interest and indemnity, outside the scope of VAT, naming the invoice
    paid late) and the final invoice of a terminated mission (the work done, the deposit deducted)
    are written as PDF with their Factur-X XML passing every rule."""
    ended = testing.lead(store, client="Tardif")
    testing.sign(store, ended)
    deposit = store.issue_deposit_invoice(ended, issued_on=date(2026, 3, 2))
    testing.start(store, ended)
    store.fire(ended, "terminate", note="plus de nouvelles", at=at("2026-03-03"))
    work = store.issue_final_invoice_after_exit(ended, Money.of("800", "EUR"), at=at("2026-03-04"))
    late = testing.approved_mission(store, client="Lent")
    _, final = store.issue_final_invoice(late, at=at("2026-03-04"))
    store.record_payment(late, Payment(final.total, date(2026, 5, 4), "transfer"))
    penalty = store.issue_late_payment_invoice(late, on=date(2026, 5, 4))
    for record, expected in (
        (
            work,
            [
                "Travail réalisé jusqu'à la fin de la mission",
                f"Acompte déduit : facture n° {deposit.number} du 2 mars 2026",
                "Net à payer 500,00 €",
            ],
        ),
        (
            penalty,
            [
                "Facture de pénalités de retard",
                f"Pénalités de retard sur la facture n° {final.number} : 31 jours au taux annuel de 12 %",
                f"Indemnité forfaitaire pour frais de recouvrement, facture n° {final.number}",
                "Sommes hors du champ de la TVA",
                f"Facture n° {final.number} du 4 mars 2026, échue le 3 avril 2026",
            ],
        ),
    ):
        pdf = render_document(store.invoice_document(record.number), "pdf")
        assert [str(failure) for failure in check_pdf(pdf)] == [], record.kind
        path = tmp_path / f"{record.number}.pdf"
        path.write_bytes(pdf)
        text = read_pdf(path, pdftotext)
        check(text, [(record.kind, wanted) for wanted in expected])
