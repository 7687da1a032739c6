"""The clients report written out: an aligned table, CSV, JSON, or one HTML page with its
Pareto chart; and :func:`clients_report`, which reads a store and renders in one call."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from missionflow.errors import InvalidValueError
from missionflow.reports import html as page
from missionflow.reports.charts import Bar, pareto_chart
from missionflow.reports.clients import (
    TOP_SHARE,
    ClientFigures,
    ClientsReport,
    EffortWeights,
    build_clients_report,
)
from missionflow.reports.text import (
    format_money,
    format_number,
    format_percent,
    plain_amount,
    report_moment,
    text_table,
)
from missionflow.store import Store

CLIENTS_FORMATS = ("table", "csv", "json", "html")
"""The formats of :func:`clients_report`."""


def _headers(currency: str) -> tuple[str, ...]:
    return (
        "Client",
        "Missions",
        f"Paid {currency}",
        f"Invoiced {currency}",
        "Share",
        "Cumulative",
        "Effort points",
        f"{currency} per point",
        "Transitions",
        "Rounds",
        "Days in progress",
        "Late payments",
        "Out of hours",
        "Flags",
    )


_NUMERIC = tuple(range(1, 13))


def _cells(c: ClientFigures) -> list[str]:
    return [
        f"{c.name} ({c.ref})",
        str(c.missions),
        format_number(c.paid.amount),
        format_number(c.invoiced.amount),
        format_percent(c.share),
        format_percent(c.cumulative_share),
        format_number(c.effort, 0),
        format_number(c.paid_per_effort.amount) if c.paid_per_effort is not None else "-",
        str(c.transitions),
        str(c.revision_rounds),
        str(c.days_in_progress),
        str(c.late_payments),
        str(c.out_of_hours),
        ", ".join(c.flags),
    ]


def _total_cells(report: ClientsReport) -> list[str]:
    cells = [""] * 14
    cells[0] = "Total"
    cells[1] = str(sum(c.missions for c in report.clients))
    cells[2] = format_number(report.paid.amount)
    cells[3] = format_number(report.invoiced.amount)
    cells[4] = format_percent(Decimal(100)) if report.paid.amount else ""
    cells[6] = format_number(report.effort, 0)
    cells[7] = format_number(report.paid_per_effort.amount) if report.paid_per_effort is not None else "-"
    for index, attribute in (
        (8, "transitions"),
        (9, "revision_rounds"),
        (10, "days_in_progress"),
        (11, "late_payments"),
        (12, "out_of_hours"),
    ):
        cells[index] = str(sum(getattr(c, attribute) for c in report.clients))
    return cells


def _footnotes(report: ClientsReport) -> list[str]:
    notes = [
        report.weights.describe() + ".",
        "Revenue is what the client paid in the period; top 80 %: the largest clients who together "
        "bring 80 % of it; costly: under half of the average revenue per effort point"
        + (f" ({format_money(report.paid_per_effort)})." if report.paid_per_effort is not None else "."),
    ]
    if report.excluded_missions:
        notes.append(
            f"{report.excluded_missions} mission(s) in another currency than {report.currency} are not counted."
        )
    return notes


def render_clients_table(report: ClientsReport) -> str:
    """The report as aligned text for a terminal."""
    lines = [f"Clients, {report.period()} ({report.currency}): {report.headline()}", ""]
    if report.clients:
        rows = [_cells(c) for c in report.clients] + [_total_cells(report)]
        lines.append(text_table(_headers(report.currency), rows, right=_NUMERIC))
    else:
        lines.append("(no client with activity in this period)")
    lines += ["", *_footnotes(report)]
    return "\n".join(lines) + "\n"


_CSV_FIELDS = (
    "rank",
    "ref",
    "name",
    "missions",
    "currency",
    "paid",
    "invoiced",
    "share_percent",
    "cumulative_percent",
    "effort_points",
    "paid_per_effort_point",
    "transitions",
    "revision_rounds",
    "days_in_progress",
    "late_payments",
    "out_of_hours",
    "top_80",
    "costly",
)


def _record(rank: int, c: ClientFigures) -> dict[str, str | int | bool | None]:
    return {
        "rank": rank,
        "ref": c.ref,
        "name": c.name,
        "missions": c.missions,
        "currency": c.paid.currency,
        "paid": plain_amount(c.paid),
        "invoiced": plain_amount(c.invoiced),
        "share_percent": f"{c.share}",
        "cumulative_percent": f"{c.cumulative_share}",
        "effort_points": f"{c.effort.normalize():f}",
        "paid_per_effort_point": plain_amount(c.paid_per_effort) if c.paid_per_effort is not None else None,
        "transitions": c.transitions,
        "revision_rounds": c.revision_rounds,
        "days_in_progress": c.days_in_progress,
        "late_payments": c.late_payments,
        "out_of_hours": c.out_of_hours,
        "top_80": c.top,
        "costly": c.costly,
    }


def render_clients_csv(report: ClientsReport) -> str:
    """The report as CSV, one client per row, amounts as exact decimals (no totals row)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for rank, c in enumerate(report.clients, 1):
        record = _record(rank, c)
        writer.writerow(
            {k: "" if v is None else str(v).lower() if isinstance(v, bool) else v for k, v in record.items()}
        )
    return out.getvalue()


def _weights_json(weights: EffortWeights) -> Mapping[str, str]:
    return {
        "transition": f"{weights.transition.normalize():f}",
        "revision_round": f"{weights.revision_round.normalize():f}",
        "day_in_progress": f"{weights.day_in_progress.normalize():f}",
        "late_payment": f"{weights.late_payment.normalize():f}",
        "out_of_hours": f"{weights.out_of_hours.normalize():f}",
    }


def render_clients_json(report: ClientsReport) -> str:
    """The report as one JSON document; amounts are exact decimal strings, never floats."""
    document = {
        "on": report.on.isoformat(),
        "since": report.since.isoformat() if report.since else None,
        "currency": report.currency,
        "effort_points": _weights_json(report.weights),
        "headline": report.headline(),
        "clients": [_record(rank, c) for rank, c in enumerate(report.clients, 1)],
        "totals": {
            "clients": len(report.clients),
            "paid": plain_amount(report.paid),
            "invoiced": plain_amount(report.invoiced),
            "effort_points": f"{report.effort.normalize():f}",
            "paid_per_effort_point": plain_amount(report.paid_per_effort) if report.paid_per_effort else None,
            "top_80_clients": len(report.top_clients),
        },
        "excluded_missions": report.excluded_missions,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_clients_html(report: ClientsReport) -> str:
    """The report as one self-contained HTML page with a Pareto chart of the revenue."""
    esc = page.esc
    bars = [
        Bar(c.name, c.paid.amount, " ".join(css for css, on in (("top", c.top), ("costly", c.costly)) if on))
        for c in report.clients
    ]
    chart = pareto_chart(
        bars, title=f"Revenue by client ({report.currency}) and cumulative share", unit=report.currency
    )
    rows = []
    classes = []
    for c in report.clients:
        cells = [esc(cell) for cell in _cells(c)]
        cells[-1] = "".join(
            f'<span class="flag {"top" if flag.startswith("top") else "costly"}">{esc(flag)}</span>'
            for flag in c.flags
        )
        rows.append(cells)
        classes.append(" ".join(css for css, on in (("top", c.top), ("costly", c.costly)) if on))
    if report.clients:
        rows.append([esc(cell) for cell in _total_cells(report)])
        classes.append("total")
    body = [
        f'<p class="lead"><strong>{esc(report.headline())}</strong></p>',
        f"<figure>{chart}<figcaption>Bars: revenue paid per client, largest first. Line: cumulative share of the "
        f"total; dashed: {esc(format_percent(TOP_SHARE, places=0))}.</figcaption></figure>",
        "<section><h2>Clients</h2>",
        page.table(
            _headers(report.currency), rows, numeric=_NUMERIC, row_classes=classes, raw=tuple(range(14))
        )
        if report.clients
        else "<p>No client with activity in this period.</p>",
        "</section>",
        "<section><h2>How to read it</h2>",
        *(f'<p class="note">{esc(note)}</p>' for note in _footnotes(report)),
        "</section>",
    ]
    return page.page(
        title="Clients: revenue and effort",
        lang="en",
        subtitle=f"{report.period().capitalize()} · {report.currency}",
        body="\n".join(body),
        wide=True,
    )


def render_clients_report(report: ClientsReport, fmt: str) -> str:
    """The report in ``fmt``: ``table``, ``csv``, ``json`` or ``html``."""
    renderers = {
        "table": render_clients_table,
        "csv": render_clients_csv,
        "json": render_clients_json,
        "html": render_clients_html,
    }
    renderer = renderers.get(fmt)
    if renderer is None:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(CLIENTS_FORMATS)}")
    return renderer(report)


def clients_report(
    store: Store,
    *,
    since: date | None = None,
    fmt: str = "table",
    at: datetime | date | None = None,
    currency: str | None = None,
    weights: EffortWeights | None = None,
) -> str:
    """The clients report of everything in ``store`` (see the module's documentation), in ``fmt``,
    as of ``at`` (now by default; a date means the end of that day).

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     print(clients_report(store).splitlines()[0])  # doctest: +ELLIPSIS
    Clients, all time to ... (EUR): No revenue in this period.
    """
    if fmt not in CLIENTS_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(CLIENTS_FORMATS)}")
    settings = store.get_settings()
    report = build_clients_report(
        store.get_missions(),
        store.list_invoices(),
        currency=(currency or settings.currency).upper(),
        at=report_moment(at, settings.timezone),
        timezone=settings.timezone,
        since=since,
        weights=weights,
    )
    return render_clients_report(report, fmt)
