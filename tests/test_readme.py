"""The README tells the truth: its diagram is the generated one and its quick start is two commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_shows_the_current_default_diagram() -> None:
    """The Mermaid block in the README is exactly diagrams/freelance-mission.mmd (run `make diagrams`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    assert block.group(1) == (ROOT / "diagrams" / "freelance-mission.mmd").read_text(encoding="utf-8")


def test_quick_start_is_make_demo_and_make_test() -> None:
    """The quick start holds exactly the two commands a new user types, and CI runs the second."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.startswith("    make")]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_shows_an_invoice_page_the_product_writes() -> None:
    """The README shows the committed invoice image, which `make invoice-sample` draws again from an
    invoice issued through the store (tests/documents/test_sample_image.py checks it is current)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/images/invoice-sample.png)" in readme
    assert (ROOT / "docs" / "images" / "invoice-sample.png").read_bytes().startswith(b"\x89PNG")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "invoice-sample:" in makefile
    assert "scripts/render_sample_invoice.py" in makefile
    script = (ROOT / "scripts" / "render_sample_invoice.py").read_text(encoding="utf-8")
    assert "issue_final_invoice" in script
    assert "invoice_document" in script
