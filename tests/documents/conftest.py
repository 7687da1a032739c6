"""Shared fixtures of the document tests: a freelancer, two clients, and the documents of one
mission (quote, deposit invoice, final invoice, credit note, late-payment invoice, reminders)
for every combination of client (business, private), language (fr, en) and VAT regime
(franchise, charged).

The figures are awkward on purpose: 12.5 days at 433.33 (a half-cent to round), a deposit of a
third of the total, a third of a day credited, three VAT rates (20, 10 and 5.5 %).

Rendering is the slow part, so each PDF is rendered once per session and shared. A missing
program fails the test (never skips) with the Debian package that provides it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

import pytest

from missionflow.freelance.documents import (
    Address,
    BankDetails,
    DepositDeduction,
    Document,
    DocumentKind,
    InvoiceReference,
    Language,
    Line,
    OverdueInvoice,
    Party,
    PaymentTerms,
    Period,
    QuoteTerms,
    Unit,
    VatRegime,
    late_payment_lines,
    render_pdf,
)
from missionflow.money import Money

PROGRAMS = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "qpdf": "qpdf"}
MISSION_REF = "M-INTERNAL-0007"
ANCHOR = "sha256:5f0c9e1d7a3b"


def require_program(name: str) -> str:
    """The path of ``name``, or a test failure naming the Debian package to install."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: apt-get install {PROGRAMS.get(name, name)}")
    return found


def eur(text: str) -> Money:
    """Euros from text."""
    return Money.of(text, "EUR")


SELLER_ADDRESS = Address(("12 rue des Lilas",), "75011", "Paris")
BANK = BankDetails("FR76 3000 6000 0112 3456 7890 189", "BNPAFRPPXXX", "Camille Martin")
BUSINESS_NAME = "Atelier Dupont SAS"
PRIVATE_NAME = "Jeanne Petit"
SERVICE = Period(date(2026, 10, 1), date(2026, 10, 31))
QUOTE_REF = InvoiceReference("D-2026-007", date(2026, 9, 1))
DEPOSIT_REF = InvoiceReference("F-2026-0040", date(2026, 9, 15))
FINAL_REF = InvoiceReference("F-2026-0042", date(2026, 11, 30))
FINAL_DUE = date(2026, 12, 30)
LATE_ON = date(2027, 2, 28)  # 60 days after FINAL_DUE


@dataclass(frozen=True)
class Scenario:
    """One combination: business or private client, language, VAT regime."""

    business: bool
    language: Language
    vat: bool

    @property
    def id(self) -> str:
        """A readable test id."""
        return (
            f"{'b2b' if self.business else 'b2c'}-{self.language.value}-{'vat' if self.vat else 'franchise'}"
        )


SCENARIOS = [
    Scenario(business, language, vat)
    for business in (True, False)
    for language in (Language.FR, Language.EN)
    for vat in (True, False)
]


def seller(vat: bool) -> Party:
    """The freelancer: an EI, with a VAT number only when she charges VAT."""
    return Party(
        "Camille Martin",
        SELLER_ADDRESS,
        legal_form="EI",
        siret="73282932000074",
        vat_number="FR44732829320" if vat else None,
        email="camille@example.fr",
        phone="06 12 34 56 78",
    )


def buyer(business: bool, language: Language) -> Party:
    """A French company (with its SIREN) or a private person."""
    if business:
        return Party(
            BUSINESS_NAME,
            Address(("5 avenue de la Gare", "Bâtiment B"), "69002", "Lyon"),
            siren="552100554",
            contact="M. Dupont",
            email="compta@atelier-dupont.fr",
            language=language,
        )
    return Party(
        PRIVATE_NAME,
        Address(("8 impasse des Roses",), "33000", "Bordeaux"),
        business=False,
        email="jeanne.petit@example.org",
        language=language,
    )


def work_lines(vat: bool) -> tuple[Line, ...]:
    """The mission's work: three lines at three VAT rates (rates ignored under the franchise)."""
    return (
        Line("Développement du site", Decimal("12.5"), Unit.DAY, eur("433.33"), Decimal(20) if vat else None),
        Line("Formation à l'outil", Decimal(1), Unit.LUMP_SUM, eur("1000"), Decimal(10) if vat else None),
        Line("Livres de référence", Decimal(3), Unit.UNIT, eur("33.33"), Decimal("5.5") if vat else None),
    )


def terms(due_on: date | None) -> PaymentTerms:
    """30 days, penalties at 12.15 % a year, the 40 EUR indemnity, no discount."""
    return PaymentTerms(30, Decimal("12.15"), due_on=due_on)


def deposit_amount(vat: bool) -> Money:
    """The deposit invoice's total including tax: a third of 6,516.62 (2,172.21) plus 20 % VAT."""
    return eur("2606.65") if vat else eur("2172.21")


def final_due(vat: bool) -> Money:
    """What the final invoice leaves due after the deposit."""
    return eur("5098.80") if vat else eur("4344.41")


def build_documents(scenario: Scenario) -> dict[DocumentKind, Document]:
    """Every document of the mission for one scenario."""
    vat = scenario.vat
    common = {
        "seller": seller(vat),
        "buyer": buyer(scenario.business, scenario.language),
        "vat": VatRegime.charged() if vat else VatRegime.franchise(),
        "bank": BANK,
        "ledger_anchor": ANCHOR,
        "mission_ref": MISSION_REF,
    }
    third = Money(Decimal("6516.62") / 3, "EUR")
    deposit_line = Line("Acompte d'un tiers sur le devis D-2026-007", Decimal(1), Unit.LUMP_SUM, third)
    overdue = (OverdueInvoice(FINAL_REF, FINAL_DUE, final_due(vat)),)
    indemnity = eur("40") if scenario.business else None
    late_lines = late_payment_lines(overdue, Decimal("12.15"), LATE_ON, scenario.language, indemnity)
    letters = {
        kind: Document(kind, f"R-2027-00{index}", LATE_ON, payment=terms(None), overdue=overdue, **common)
        for index, kind in enumerate(
            (DocumentKind.FIRST_REMINDER, DocumentKind.SECOND_REMINDER, DocumentKind.FORMAL_NOTICE), start=1
        )
    }
    return {
        DocumentKind.QUOTE: Document(
            DocumentKind.QUOTE,
            QUOTE_REF.number,
            QUOTE_REF.issued_on,
            payment=terms(None),
            lines=work_lines(vat),
            quote=QuoteTerms(date(2026, 10, 1), Decimal(30), 2),
            **common,
        ),
        DocumentKind.DEPOSIT_INVOICE: Document(
            DocumentKind.DEPOSIT_INVOICE,
            DEPOSIT_REF.number,
            DEPOSIT_REF.issued_on,
            payment=terms(date(2026, 9, 15)),
            lines=(deposit_line,),
            service_period=SERVICE,
            **common,
        ),
        DocumentKind.INVOICE: Document(
            DocumentKind.INVOICE,
            FINAL_REF.number,
            FINAL_REF.issued_on,
            payment=terms(FINAL_DUE),
            lines=work_lines(vat),
            service_period=SERVICE,
            deposits=(DepositDeduction(DEPOSIT_REF, deposit_amount(vat)),),
            **common,
        ),
        DocumentKind.CREDIT_NOTE: Document(
            DocumentKind.CREDIT_NOTE,
            "AV-2026-0003",
            date(2026, 12, 5),
            payment=terms(None),
            lines=(
                Line(
                    "Tiers de journée non réalisé",
                    Decimal("0.3333"),
                    Unit.DAY,
                    eur("433.33"),
                    Decimal(20) if vat else None,
                ),
                work_lines(vat)[2],
            ),
            cancels=FINAL_REF,
            service_period=SERVICE,
            **common,
        ),
        DocumentKind.LATE_PAYMENT_INVOICE: Document(
            DocumentKind.LATE_PAYMENT_INVOICE,
            "F-2027-0007",
            LATE_ON,
            payment=terms(date(2027, 3, 30)),
            lines=late_lines,
            overdue=overdue,
            **{**common, "vat": VatRegime.not_subject()},
        ),
        **letters,
    }


@cache
def documents(scenario: Scenario) -> dict[DocumentKind, Document]:
    """The documents of ``scenario``, built once."""
    return build_documents(scenario)


@cache
def pdf_of(scenario: Scenario, kind: DocumentKind) -> bytes:
    """The PDF of one document, rendered once per session."""
    return render_pdf(documents(scenario)[kind])


def pdftotext(pdf: bytes, *options: str) -> str:
    """The text of ``pdf`` as poppler's pdftotext reads it, white space folded."""
    completed = subprocess.run(
        [require_program("pdftotext"), *options, "-", "-"], input=pdf, capture_output=True, check=True
    )
    return fold(completed.stdout.decode("utf-8"))


@dataclass(frozen=True)
class PdfText:
    """Two readings of one PDF: in reading order (a wrapped sentence stays whole) and in physical
    layout (a label stays next to its amount on the same row); a text is present when one
    reading holds it contiguously."""

    flow: str
    layout: str

    def __contains__(self, wanted: object) -> bool:
        return isinstance(wanted, str) and (wanted in self.flow or wanted in self.layout)


@cache
def text_of(scenario: Scenario, kind: DocumentKind) -> PdfText:
    """Both pdftotext readings of a document's PDF."""
    pdf = pdf_of(scenario, kind)
    return PdfText(pdftotext(pdf), pdftotext(pdf, "-layout"))


def fold(text: str) -> str:
    """Text with no-break and narrow no-break spaces made plain and runs of white space folded."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture(params=SCENARIOS, ids=lambda s: s.id)
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """Each combination of client, language and VAT regime."""
    result: Scenario = request.param
    return result


@pytest.fixture
def pdf() -> Callable[[Scenario, DocumentKind], bytes]:
    """The session's cached PDF renderer."""
    return pdf_of


@pytest.fixture
def pdf_text() -> Callable[[Scenario, DocumentKind], str]:
    """The session's cached pdftotext of a document."""
    return text_of


@pytest.fixture
def mission_documents() -> Callable[[Scenario], dict[DocumentKind, Document]]:
    """The cached documents of a scenario."""
    return documents


@pytest.fixture
def all_scenarios() -> list[Scenario]:
    """Every scenario, for tests that loop over them themselves."""
    return SCENARIOS


@pytest.fixture
def program() -> Callable[[str], str]:
    """The path of a program, failing (never skipping) with the Debian package when it is missing."""
    return require_program
