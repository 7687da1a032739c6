"""Row 8: an invoice to PDF/A-3b with its Factur-X XML through missionflow (HTML from the template,
WeasyPrint, the CII XML built and embedded by factur-x), against WeasyPrint rendering the same HTML
alone to the same PDF variant; and the time of the offline Factur-X validation (XSD, then the
EN 16931 and BR-FR Schematron rules run by saxonche), the first check in a process and warm.

The invoice is the README's sample final invoice (scripts/render_sample_invoice.py), issued
through the store in a database in memory.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from rows import Config, Row
from rows._measure import Contender, Line, Target, Timed, time_contenders, unavailable

NAME = "invoice to PDF/A-3b with its Factur-X XML"
CHECK = "Factur-X offline validation of the invoice's XML (check_xml)"
OURS = "missionflow render_pdf"
ALONE = "WeasyPrint alone, the same HTML"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "render_sample_invoice.py"


def _sample() -> object:
    spec = importlib.util.spec_from_file_location("render_sample_invoice", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as folder:
        logo = Path(folder) / "logo.svg"
        logo.write_bytes(module.LOGO)
        return module.sample_invoice(logo)


def measure(config: Config) -> list[Line]:
    """Milliseconds per invoice PDF (ours, WeasyPrint alone) and per validation (first, warm)."""
    try:
        from weasyprint import HTML

        from missionflow.freelance.documents.facturx import build_cii_xml
        from missionflow.freelance.documents.facturx_check import check_xml, extract_xml
        from missionflow.freelance.documents.html import render_html
        from missionflow.freelance.documents.pdf import PDF_VARIANT, render_pdf
    except (ImportError, OSError) as exc:
        reason = f"the PDF stack is not installed: {exc}"
        return [unavailable(8, NAME, reason), unavailable(8, CHECK, reason)]
    document = _sample()
    html = render_html(document)  # type: ignore[arg-type]
    runs = config.runs
    render_pdf(document)  # type: ignore[arg-type]  # fonts found and cached, as in a long-lived process

    def ours() -> Timed:
        made: list[bytes] = []

        def check() -> None:
            if extract_xml(made[0]) is None:
                raise RuntimeError("the PDF has no Factur-X XML")

        return Timed(lambda: made.append(render_pdf(document)), check)  # type: ignore[arg-type]

    def alone() -> Timed:
        made: list[bytes] = []

        def check() -> None:
            if not made[0].startswith(b"%PDF"):
                raise RuntimeError("WeasyPrint made no PDF")

        return Timed(
            lambda: made.append(bytes(HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT) or b"")), check
        )

    pdf = time_contenders(
        [Contender(OURS, ours), Contender(ALONE, alone)], runs=runs, operations=1, scale=1e-6
    )
    xml = build_cii_xml(document)  # type: ignore[arg-type]

    def validate() -> Timed:
        found: list[object] = []

        def check() -> None:
            if found[0]:
                raise RuntimeError(f"the sample invoice's XML breaks rules: {found[0]}")

        return Timed(lambda: found.append(check_xml(xml)), check)

    # First: in a forked child of a process that has imported the validator but never ran it
    # (schemas parsed, Schematron stylesheets compiled on first use). Warm: after one check.
    [first] = time_contenders(
        [Contender("check_xml, first in a process", validate)],
        runs=runs,
        operations=1,
        scale=1e-6,
        isolate=True,
    )
    check_xml(xml)
    [warm] = time_contenders([Contender("check_xml, warm", validate)], runs=runs, operations=1, scale=1e-6)
    return [
        Line(
            row=8,
            name=NAME,
            unit="ms/op",
            ours=pdf[0],
            baselines=(pdf[1],),
            targets=(Target("≤ 1.5× WeasyPrint alone", 1.5, baseline=ALONE),),
            note=(
                "the README's sample final invoice (3 VAT rates, a deducted deposit, a logo); ours renders "
                "the HTML from the template, lets WeasyPrint make the PDF/A-3b, builds the EN 16931 CII XML "
                "and embeds it (factur-x rewrites the XMP metadata); the baseline is WeasyPrint on the same "
                "HTML, same variant; fonts are warm on both sides"
            ),
        ),
        Line(
            row=8,
            name=CHECK,
            unit="ms/op",
            ours=warm,
            baselines=(first,),
            note=(
                "XSD (lxml), then the EN 16931 and BR-FR Schematron rules compiled by saxonche; "
                "'first' runs in a fresh fork that never validated (parsing and compiling included), "
                "'warm' after one check in the same process; reported, no target is set"
            ),
        ),
    ]


ROW = Row(8, "documents", "Documents: invoice to PDF/A-3 with Factur-X", measure)
