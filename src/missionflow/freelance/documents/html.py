"""Documents as one self-contained HTML page (inline CSS, A4 print rules, nothing fetched).

The templates are Jinja2 files shipped inside this package, rendered with autoescaping on: a
client named ``<script>`` is printed as text, never run.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from missionflow.freelance.documents.model import Document
from missionflow.freelance.documents.parties import Language
from missionflow.freelance.documents.view import DocumentView, build_view

__all__ = ["render_html", "render_view"]


@cache
def environment() -> Environment:
    """The one Jinja2 environment of the documents (autoescape on for .html templates)."""
    return Environment(
        loader=PackageLoader("missionflow.freelance.documents", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_view(view: DocumentView, template: str) -> str:
    """Lay out ``view`` with one of the package's templates (document.html, .md or .txt)."""
    return environment().get_template(template).render(view=view)


def render_html(document: Document, language: Language | None = None) -> str:
    """The document as a complete HTML page, in ``language`` (the client's by default)."""
    return render_view(build_view(document, language), "document.html")
