"""Charts for the HTML reports, written as SVG text by the program: no browser, display or
plotting library is needed to draw them. Coordinates are computed with Decimal, like the money."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from missionflow.reports.text import format_number

_FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
_TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its value and a CSS class (``top``, ``costly``...)."""

    label: str
    value: Decimal
    css: str = ""


@dataclass(frozen=True)
class FunnelStage:
    """One stage of a funnel: its label, how many reached it, and a note drawn at its right."""

    label: str
    count: int
    note: str = ""


def _n(value: Decimal | int) -> str:
    """A coordinate as SVG text, to a tenth of a unit."""
    text = f"{Decimal(value).quantize(_TENTH, rounding=ROUND_HALF_UP)}"
    return text[:-2] if text.endswith(".0") else text


def _t(text: str) -> str:
    return escape(text, quote=True)


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _open(width: int, height: int, title: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_t(title)}">',
        f"<title>{_t(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def pareto_chart(bars: Sequence[Bar], *, title: str, unit: str, threshold: Decimal = Decimal(80)) -> str:
    """A Pareto chart: one bar per item (largest first, as given) on the left axis in ``unit``,
    and the line of the cumulative share of the total on the right axis, with the ``threshold``
    share (80 %) drawn dashed.

    >>> svg = pareto_chart([Bar("A", Decimal(3)), Bar("B", Decimal(1))], title="Revenue", unit="EUR")
    >>> svg.count('class="bar'), 'points="' in svg
    (2, True)
    """
    width, height = 860, 400
    left, right, top, bottom = 90, 64, 56, 120
    plot_w, plot_h = Decimal(width - left - right), Decimal(height - top - bottom)
    base = top + plot_h
    parts = _open(width, height, title, "chart pareto")
    values = [max(bar.value, Decimal(0)) for bar in bars]
    total = sum(values, Decimal(0))
    highest = max(values, default=Decimal(0))
    # axes and grid
    parts.append('<g class="axes" stroke="#8794a8" stroke-width="1" fill="none">')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{_n(base)}"/>')
    parts.append(f'<line x1="{left}" y1="{_n(base)}" x2="{_n(left + plot_w)}" y2="{_n(base)}"/>')
    parts.append(f'<line x1="{_n(left + plot_w)}" y1="{top}" x2="{_n(left + plot_w)}" y2="{_n(base)}"/>')
    parts.append("</g>")
    labels = [f'<g class="ticks" {_FONT} font-size="11" fill="#4a5568">']
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        y = base - plot_h * fraction
        labels.append(
            f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end">'
            f"{_t(format_number(highest * fraction, 0))}</text>"
        )
    for share in (Decimal(0), Decimal(50), threshold, HUNDRED):
        y = base - plot_h * share / HUNDRED
        labels.append(
            f'<text x="{_n(left + plot_w + 6)}" y="{_n(y + 4)}">{_t(format_number(share, 0))} %</text>'
        )
    labels.append(
        f'<text x="14" y="{_n(top + plot_h / 2)}" transform="rotate(-90 14 {_n(top + plot_h / 2)})" '
        f'text-anchor="middle">{_t(unit)}</text>'
    )
    labels.append("</g>")
    parts.extend(labels)
    if not bars or total == 0:
        parts.append(
            f'<text x="{width // 2}" y="{_n(top + plot_h / 2)}" text-anchor="middle" {_FONT} '
            f'font-size="14" fill="#4a5568">No revenue in this period</text>'
        )
        parts.append("</svg>")
        return "\n".join(parts)
    slot = plot_w / len(bars)
    y80 = base - plot_h * threshold / HUNDRED
    parts.append(
        f'<line class="threshold" x1="{left}" y1="{_n(y80)}" x2="{_n(left + plot_w)}" y2="{_n(y80)}" '
        f'stroke="#c0392b" stroke-width="1" stroke-dasharray="6 4"/>'
    )
    points = []
    running = Decimal(0)
    for index, (bar, value) in enumerate(zip(bars, values, strict=True)):
        x = left + slot * index + slot * Decimal("0.15")
        bar_h = plot_h * value / highest
        colour = "#2f5d8a" if "top" in bar.css.split() else "#9db4cc"
        outline = ' stroke="#c0392b" stroke-width="2"' if "costly" in bar.css.split() else ""
        css = f"bar {bar.css}".strip()
        parts.append(
            f'<rect class="{_t(css)}" x="{_n(x)}" y="{_n(base - bar_h)}" '
            f'width="{_n(slot * Decimal("0.7"))}" height="{_n(bar_h)}" fill="{colour}"{outline}>'
            f"<title>{_t(bar.label)}: {_t(format_number(value))} {_t(unit)}</title></rect>"
        )
        centre = left + slot * index + slot / 2
        running += value
        points.append(f"{_n(centre)},{_n(base - plot_h * running / total)}")
        label_y = base + 14
        parts.append(
            f'<text class="label" x="{_n(centre)}" y="{_n(label_y)}" text-anchor="end" {_FONT} font-size="11" '
            f'fill="#1d2433" transform="rotate(-35 {_n(centre)} {_n(label_y)})">{_t(_short(bar.label, 18))}</text>'
        )
    parts.append(
        f'<polyline class="cumulative" points="{" ".join(points)}" fill="none" stroke="#e67e22" '
        f'stroke-width="2.5"/>'
    )
    parts.extend(
        f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3.5" fill="#e67e22"/>' for p in points
    )
    legend_y = 22
    parts += [
        f'<g class="legend" {_FONT} font-size="12" fill="#1d2433">',
        f'<rect x="{left}" y="{legend_y - 10}" width="14" height="12" fill="#2f5d8a"/>',
        f'<text x="{left + 20}" y="{legend_y}">Revenue ({_t(unit)})</text>',
        f'<line x1="{left + 190}" y1="{legend_y - 4}" x2="{left + 220}" y2="{legend_y - 4}" stroke="#e67e22" stroke-width="2.5"/>',
        f'<text x="{left + 226}" y="{legend_y}">Cumulative share</text>',
        f'<line x1="{left + 380}" y1="{legend_y - 4}" x2="{left + 410}" y2="{legend_y - 4}" stroke="#c0392b" stroke-dasharray="6 4"/>',
        f'<text x="{left + 416}" y="{legend_y}">{_t(format_number(threshold, 0))} % of revenue</text>',
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts)


def funnel_chart(stages: Sequence[FunnelStage], *, title: str) -> str:
    """A funnel: one centred bar per stage, as wide as the count it reached (the first, or the
    largest, fills the width), the stage name on the left and its note on the right.

    >>> svg = funnel_chart([FunnelStage("Lead", 4), FunnelStage("Paid", 1)], title="Funnel")
    >>> svg.count('class="stage"')
    2
    """
    row, gap, top = 34, 8, 16
    width = 860
    label_w, note_w = 190, 170
    area = Decimal(width - label_w - note_w - 20)
    centre = label_w + 10 + area / 2
    height = top * 2 + max(len(stages), 1) * (row + gap)
    parts = _open(width, height, title, "chart funnel")
    widest = max((s.count for s in stages), default=0)
    for index, stage in enumerate(stages):
        y = top + index * (row + gap)
        share = Decimal(stage.count) / widest if widest else Decimal(0)
        bar_w = max(area * share, Decimal(3))
        shade = "#2f5d8a" if stage.count else "#d5dbe5"
        parts += [
            '<g class="stage">',
            f'<rect x="{_n(centre - bar_w / 2)}" y="{y}" width="{_n(bar_w)}" height="{row}" rx="4" fill="{shade}">'
            f"<title>{_t(stage.label)}: {stage.count}</title></rect>",
            f'<text x="{label_w}" y="{y + row // 2 + 5}" text-anchor="end" {_FONT} font-size="13" '
            f'fill="#1d2433">{_t(_short(stage.label, 24))}</text>',
            f'<text x="{_n(centre)}" y="{y + row // 2 + 5}" text-anchor="middle" {_FONT} font-size="13" '
            f'font-weight="bold" fill="{"#ffffff" if bar_w >= 40 else "#1d2433"}">{stage.count}</text>',
            f'<text x="{width - 8}" y="{y + row // 2 + 5}" text-anchor="end" {_FONT} font-size="12" '
            f'fill="#4a5568">{_t(stage.note)}</text>',
            "</g>",
        ]
    parts.append("</svg>")
    return "\n".join(parts)
