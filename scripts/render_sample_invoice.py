"""Render the sample final invoice and write its first page as docs/images/invoice-sample.png.

Run by `make invoice-sample`; tests/documents/test_sample_image.py checks that the committed
image is what the current code draws.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from missionflow.freelance.documents import (
    Address,
    BankDetails,
    DepositDeduction,
    Document,
    DocumentKind,
    InvoiceReference,
    Line,
    Logo,
    Party,
    PaymentTerms,
    Period,
    Unit,
    VatRegime,
    render_pdf,
)
from missionflow.money import Money

ROOT = Path(__file__).resolve().parents[1]
IMAGE = ROOT / "docs" / "images" / "invoice-sample.png"
RESOLUTION = 60  # dots per inch: a readable page in a README, a small file in git
LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" width="180" height="48" viewBox="0 0 180 48">
<rect x="0" y="4" width="40" height="40" rx="8" fill="#1f3b5b"/>
<text x="20" y="32" font-family="DejaVu Sans" font-size="22" font-weight="bold" fill="#fff" text-anchor="middle">CM</text>
<text x="50" y="31" font-family="DejaVu Sans" font-size="17" fill="#1f3b5b">Camille Martin</text>
</svg>"""


def sample_invoice() -> Document:
    """A final invoice with three VAT rates and a deposit deducted, for a French company."""
    eur = lambda text: Money.of(text, "EUR")  # noqa: E731 - a local shorthand
    return Document(
        DocumentKind.INVOICE,
        "F-2026-0042",
        date(2026, 11, 30),
        seller=Party(
            "Camille Martin",
            Address(("12 rue des Lilas",), "75011", "Paris"),
            legal_form="EI",
            siret="73282932000074",
            vat_number="FR44732829320",
            email="camille@example.fr",
            phone="06 12 34 56 78",
        ),
        buyer=Party(
            "Atelier Dupont SAS",
            Address(("5 avenue de la Gare", "Bâtiment B"), "69002", "Lyon"),
            siren="552100554",
            contact="M. Dupont",
            email="compta@atelier-dupont.fr",
        ),
        payment=PaymentTerms(30, Decimal("12.15"), due_on=date(2026, 12, 30)),
        lines=(
            Line("Développement du site vitrine", Decimal("12.5"), Unit.DAY, eur("433.33"), Decimal(20)),
            Line("Formation à l'outil d'édition", Decimal(1), Unit.LUMP_SUM, eur("1000"), Decimal(10)),
            Line("Livres de référence", Decimal(3), Unit.UNIT, eur("33.33"), Decimal("5.5")),
        ),
        vat=VatRegime.charged(),
        service_period=Period(date(2026, 10, 1), date(2026, 10, 31)),
        deposits=(DepositDeduction(InvoiceReference("F-2026-0040", date(2026, 9, 15)), eur("2606.65")),),
        bank=BankDetails("FR7630006000011234567890189", "BNPAFRPPXXX", "Camille Martin"),
        logo=Logo(LOGO),
        note="Merci pour votre confiance.",
        ledger_anchor="sha256:5f0c9e1d7a3b",
    )


def render_sample_png() -> bytes:
    """The first page of the sample invoice's PDF as PNG, drawn by poppler's pdftoppm."""
    completed = subprocess.run(
        ["pdftoppm", "-r", str(RESOLUTION), "-f", "1", "-l", "1", "-png", "-"],
        input=render_pdf(sample_invoice()),
        capture_output=True,
        check=True,
    )
    return completed.stdout


def main() -> int:
    """Write the image and say where."""
    IMAGE.parent.mkdir(parents=True, exist_ok=True)
    IMAGE.write_bytes(render_sample_png())
    print(f"wrote {IMAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
