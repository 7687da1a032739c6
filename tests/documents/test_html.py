"""HTML, Markdown and text: self-contained, escaped, and the same content in every format."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from missionflow.freelance.documents import (
    Document,
    DocumentKind,
    Language,
    Logo,
    render_html,
    render_markdown,
    render_text,
)

Documents = Callable[[object], dict[DocumentKind, Document]]
PNG_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


def test_injected_markup_is_escaped(all_scenarios: list[object], mission_documents: Documents) -> None:
    """A client named <script> and a note with markup are printed as text, never as markup."""
    invoice = mission_documents(all_scenarios[0])[DocumentKind.INVOICE]
    hostile = dataclasses.replace(
        invoice,
        buyer=dataclasses.replace(invoice.buyer, name='Evil <script>alert("x")</script> SARL'),
        note="<img src=x onerror=alert(1)>",
    )
    html = render_html(hostile)
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "Evil &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; SARL" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_html_is_self_contained(all_scenarios: list[object], mission_documents: Documents) -> None:
    """The page fetches nothing: no link, no script, no external URL; the logo is inline."""
    invoice = mission_documents(all_scenarios[0])[DocumentKind.INVOICE]
    html = render_html(dataclasses.replace(invoice, logo=Logo(PNG_PIXEL)))
    assert "<link" not in html
    assert "<script" not in html
    assert re.search(r"""(src|href)=["']?https?:""", html) is None
    assert "url(http" not in html
    assert 'src="data:image/png;base64,' in html
    assert "@page" in html
    assert "A4" in html


def test_the_language_is_the_callers_choice(
    all_scenarios: list[object], mission_documents: Documents
) -> None:
    """The client's language is the default; the caller may choose the other one."""
    invoice = mission_documents(all_scenarios[0])[DocumentKind.INVOICE]
    assert invoice.language is Language.FR
    assert '<html lang="fr">' in render_html(invoice)
    english = render_html(invoice, Language.EN)
    assert '<html lang="en">' in english
    assert "Amount due" in english
    assert "Net à payer" not in english


def test_markdown_and_text_say_what_the_pdf_says(
    all_scenarios: list[object], mission_documents: Documents
) -> None:
    """The Markdown and the text carry the totals, the mentions and the bank details, and nothing internal."""
    invoice = mission_documents(all_scenarios[0])[DocumentKind.INVOICE]
    for rendered in (render_markdown(invoice), render_text(invoice)):
        folded = " ".join(rendered.replace("\u202f", " ").replace("\xa0", " ").split())
        for wanted in (
            "F-2026-0042",
            "SIRET : 73282932000074",
            "Net à payer : 5 098,80 €",
            "Acompte déduit : facture n° F-2026-0040 du 15 septembre 2026",
            "Pas d'escompte pour paiement anticipé",
            "FR76 3000 6000 0112 3456 7890 189",
        ):
            assert wanted in folded, wanted
        assert "M-INTERNAL-0007" not in rendered
    assert "| Désignation | Quantité |" in render_markdown(invoice)
