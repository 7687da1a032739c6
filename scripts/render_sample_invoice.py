"""Issue a sample final invoice through the store, as the product does, and write its first page as
docs/images/invoice-sample.png (the image the README shows).

The mission is walked in a database in memory with fixed dates: a quote from the specification's
priced lines (three VAT rates), its acceptance, the deposit invoice, the work, the approval and the
final invoice, which deducts the deposit invoice by number. Run by `make invoice-sample`;
tests/documents/test_sample_image.py checks that the committed image is what the code draws now.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from missionflow import open_store
from missionflow.freelance import Deliverable, Payment, Specification, parse_price, render_document
from missionflow.freelance.documents import Document
from missionflow.money import Money

ROOT = Path(__file__).resolve().parents[1]
IMAGE = ROOT / "docs" / "images" / "invoice-sample.png"
RESOLUTION = 60  # dots per inch: a readable page in a README, a small file in git
LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" width="180" height="48" viewBox="0 0 180 48">
<rect x="0" y="4" width="40" height="40" rx="8" fill="#1f3b5b"/>
<text x="20" y="32" font-family="DejaVu Sans" font-size="22" font-weight="bold" fill="#fff" text-anchor="middle">CM</text>
<text x="50" y="31" font-family="DejaVu Sans" font-size="17" fill="#1f3b5b">Camille Martin</text>
</svg>"""
WORK = (
    ("Développement du site vitrine", "12.5 days x 433.33 vat 20%"),
    ("Formation à l'outil d'édition", "1 forfait x 1000 vat 10%"),
    ("Livres de référence", "3 units x 33.33 vat 5.5%"),
)


def at(day: str) -> datetime:
    """``day`` at 10:00 UTC, within working hours in Paris."""
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def sample_invoice_pdf(logo: Path) -> bytes:
    """The PDF of the sample final invoice, issued through the store in a database in memory."""
    return render_document(sample_invoice(logo), "pdf")


def sample_invoice(logo: Path) -> Document:
    """The sample final invoice, issued through the store in a database in memory (bench row 8
    renders it too)."""
    with open_store("sqlite://") as store:
        store.save_settings(
            store.get_settings().with_changes(
                name="Camille Martin",
                legal_form="EI",
                siret="73282932000074",
                address="12 rue des Lilas",
                postcode="75011",
                city="Paris",
                email="camille@example.fr",
                phone="06 12 34 56 78",
                iban="FR7630006000011234567890189",
                bic="BNPAFRPPXXX",
                vat_regime="charged",
                vat_number="FR44732829320",
                late_penalty_rate=Decimal("12.15"),
                logo=str(logo),
            )
        )
        client = store.add_client(
            "Dupont",
            company="Atelier Dupont SAS",
            email="compta@atelier-dupont.fr",
            address=("5 avenue de la Gare", "Bâtiment B"),
            postcode="69002",
            city="Lyon",
            siren="552100554",
            contact="M. Dupont",
        )
        ref = store.create_mission(client.ref, "Site vitrine", at=at("2026-08-31")).ref
        store.fire(ref, "qualify", at=at("2026-08-31"))
        for criterion in store.get_settings().criteria:
            store.answer_criterion(ref, criterion.name, True)
        store.fire(ref, "accept", at=at("2026-08-31"))
        deliverables = tuple(Deliverable(name, price=parse_price(price, "EUR")) for name, price in WORK)
        store.set_specification(
            ref,
            Specification(
                "Un site rapide et accessible",
                deliverables,
                date(2026, 10, 30),
                Money.of("6516.62", "EUR"),
                "Validation écrite du client",
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
        for item in deliverables:
            store.fire(ref, "deliver", data={"deliverable": item.name}, at=at("2026-10-20"))
        store.fire(ref, "approve", at=at("2026-10-30"), actor="client")
        _, final = store.issue_final_invoice(ref, at=at("2026-11-02"))
        return store.invoice_document(final.number)


def render_sample_png() -> bytes:
    """The first page of the sample invoice's PDF as PNG, drawn by poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as folder:
        logo = Path(folder) / "logo.svg"
        logo.write_bytes(LOGO)
        pdf = sample_invoice_pdf(logo)
    completed = subprocess.run(
        ["pdftoppm", "-r", str(RESOLUTION), "-f", "1", "-l", "1", "-png", "-"],
        input=pdf,
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
