"""Documents as Markdown or plain text, for an e-mail body or a terminal; same content as the PDF."""

from __future__ import annotations

from missionflow.freelance.documents.html import render_view
from missionflow.freelance.documents.model import Document
from missionflow.freelance.documents.parties import Language
from missionflow.freelance.documents.view import build_view

__all__ = ["render_markdown", "render_text"]


def render_markdown(document: Document, language: Language | None = None) -> str:
    """The document as Markdown (a table of lines, the totals, every mention)."""
    return render_view(build_view(document, language), "document.md")


def render_text(document: Document, language: Language | None = None) -> str:
    """The document as plain text with aligned columns."""
    return render_view(build_view(document, language), "document.txt")
