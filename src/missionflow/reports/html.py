"""The shared page of the HTML reports: one self-contained file (inline CSS and SVG, no script,
nothing fetched from the network) that reads well on screen and prints cleanly on A4."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0 auto; max-width: 62rem; padding: 2rem 1.5rem 3rem;
  font: 15px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif;
  color: #1d2433; background: #ffffff;
}
header { border-bottom: 3px solid #2f5d8a; margin-bottom: 1.5rem; padding-bottom: .75rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; color: #1f3f60; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; color: #1f3f60; border-bottom: 1px solid #d5dbe5; }
p { margin: .35rem 0; }
.subtitle { color: #4a5568; margin: 0; }
.lead { font-size: 1.1rem; }
.callout { background: #eef4fa; border-left: 4px solid #2f5d8a; padding: .75rem 1rem; margin: .75rem 0; }
.callout.done { background: #edf7ee; border-left-color: #2e7d32; }
.callout.closed { background: #f6f0ef; border-left-color: #8a3b2f; }
ul, ol { margin: .35rem 0 .35rem 1.5rem; padding: 0; }
li { margin: .15rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }
th, td { border: 1px solid #d5dbe5; padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: #f1f4f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.total td { font-weight: bold; background: #f7f9fb; }
tr.top td:first-child { border-left: 4px solid #2e7d32; }
tr.costly td:first-child { border-left: 4px solid #c0392b; }
.flag { display: inline-block; white-space: nowrap; border-radius: .6rem; padding: 0 .45rem; font-size: .8rem; margin-right: .2rem; }
.flag.top { background: #dff0e0; color: #1b5e20; }
.flag.costly { background: #f9dedb; color: #8e1b10; }
.delivered { color: #1b5e20; }
.pending { color: #8a5a00; }
.note { color: #4a5568; font-size: .88rem; }
figure { margin: 1rem 0; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { color: #4a5568; font-size: .88rem; text-align: center; margin-top: .35rem; }
footer { margin-top: 2rem; color: #6b7280; font-size: .8rem; border-top: 1px solid #d5dbe5; padding-top: .5rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  header { border-bottom-width: 2px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, figure, .callout, li, tr { break-inside: avoid; page-break-inside: avoid; }
  figure svg { max-height: 150mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def esc(text: object) -> str:
    """Text safe in HTML content and attribute values."""
    return escape(str(text), quote=True)


WIDE_STYLE = """
body { max-width: 80rem; }
table { font-size: .84rem; }
@page { size: A4 landscape; margin: 12mm 10mm; }
@media print { table { font-size: 8.5pt; } }
"""
"""Added for the pages of wide tables: a wider column on screen, landscape on paper."""


def page(
    *, title: str, lang: str, body: str, subtitle: str = "", footer: str = "", wide: bool = False
) -> str:
    """A whole HTML document around ``body`` (already HTML), with the shared style."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}{WIDE_STYLE if wide else ''}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(title)}</h1>",
    ]
    if subtitle:
        parts.append(f'<p class="subtitle">{esc(subtitle)}</p>')
    parts += ["</header>", "<main>", body, "</main>"]
    if footer:
        parts.append(f"<footer>{esc(footer)}</footer>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Sequence[int] = (),
    row_classes: Sequence[str] | None = None,
    raw: Sequence[int] = (),
) -> str:
    """An HTML table; cells are escaped except in the ``raw`` columns (HTML made by the caller)."""
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    lines = [f"<table><thead><tr>{head}</tr></thead><tbody>"]
    for index, row in enumerate(rows):
        css = row_classes[index] if row_classes is not None else ""
        cells = "".join(
            ('<td class="num">' if i in numeric else "<td>") + (cell if i in raw else esc(cell)) + "</td>"
            for i, cell in enumerate(row)
        )
        lines.append(f'<tr class="{esc(css)}">{cells}</tr>' if css else f"<tr>{cells}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)


def inline_svg(svg: str) -> str:
    """An SVG document ready to sit inside HTML: without its XML prolog, doctype and comments."""
    return _PROLOG.sub("", svg).strip()
