"""The pipeline report written out: an aligned table, JSON, or one HTML page with its funnel;
and :func:`pipeline_report`, which reads a store and renders in one call."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from missionflow.errors import InvalidValueError
from missionflow.reports import html as page
from missionflow.reports.accounts import overdue_by_mission
from missionflow.reports.charts import FunnelStage, funnel_chart
from missionflow.reports.pipeline import PipelineReport, PipelineStage, build_pipeline_report
from missionflow.reports.text import format_money, format_number, plain_amount, report_moment, text_table
from missionflow.store import Store

PIPELINE_FORMATS = ("table", "json", "html")
"""The formats of :func:`pipeline_report`."""


def _headers(currency: str) -> tuple[str, ...]:
    return (
        "State",
        "Missions",
        "On client",
        "On freelancer",
        f"Signed {currency}",
        f"Invoiced {currency}",
        f"Overdue {currency}",
        f"Paid this month {currency}",
        "Days in state",
        "Oldest mission",
    )


_NUMERIC = (1, 2, 3, 4, 5, 6, 7, 8)


def _cells(stage: PipelineStage) -> list[str]:
    oldest = stage.oldest
    return [
        stage.label,
        str(stage.missions),
        str(stage.waiting_on_client),
        str(stage.waiting_on_freelancer),
        format_number(stage.signed.amount),
        format_number(stage.invoiced.amount),
        format_number(stage.overdue.amount),
        format_number(stage.paid_this_month.amount),
        str(oldest.days) if oldest is not None else "",
        f"{oldest.ref} {oldest.title} (since {oldest.since.isoformat()})" if oldest is not None else "",
    ]


def _total_cells(report: PipelineReport) -> list[str]:
    return [
        "Total",
        str(report.missions),
        str(report.waiting_on_client),
        str(report.waiting_on_freelancer),
        format_number(report.signed.amount),
        format_number(report.invoiced.amount),
        format_number(report.overdue.amount),
        format_number(report.paid_this_month.amount),
        "",
        "",
    ]


def _notes(report: PipelineReport) -> list[str]:
    notes = [
        "On client / on freelancer: who must act for the mission to move forward (the client pays the "
        "deposit, signs, approves and pays invoices; the freelancer does the rest).",
        f"Paid this month: payments received from {report.on.replace(day=1).isoformat()} to {report.on.isoformat()}.",
    ]
    if report.excluded_missions:
        notes.append(
            f"{report.excluded_missions} mission(s) in another currency than {report.currency} "
            "are counted but their money is not."
        )
    return notes


def render_pipeline_table(report: PipelineReport) -> str:
    """The report as aligned text for a terminal."""
    rows = [_cells(s) for s in report.stages] + [_total_cells(report)]
    lines = [
        f"Pipeline on {report.on.isoformat()} ({report.currency}): {report.missions} missions, "
        f"{report.waiting_on_client} waiting on clients, {report.waiting_on_freelancer} on you",
        "",
        text_table(_headers(report.currency), rows, right=_NUMERIC),
        "",
        *_notes(report),
    ]
    return "\n".join(lines) + "\n"


def render_pipeline_json(report: PipelineReport) -> str:
    """The report as one JSON document; amounts are exact decimal strings, never floats."""

    def stage_json(s: PipelineStage) -> dict[str, object]:
        return {
            "state": s.state,
            "label": s.label,
            "final": s.final,
            "missions": s.missions,
            "waiting_on_client": s.waiting_on_client,
            "waiting_on_freelancer": s.waiting_on_freelancer,
            "signed": plain_amount(s.signed),
            "invoiced": plain_amount(s.invoiced),
            "overdue": plain_amount(s.overdue),
            "paid_this_month": plain_amount(s.paid_this_month),
            "oldest": None
            if s.oldest is None
            else {
                "ref": s.oldest.ref,
                "title": s.oldest.title,
                "client": s.oldest.client,
                "since": s.oldest.since.isoformat(),
                "days": s.oldest.days,
            },
        }

    document = {
        "on": report.on.isoformat(),
        "currency": report.currency,
        "states": [stage_json(s) for s in report.stages],
        "totals": {
            "missions": report.missions,
            "waiting_on_client": report.waiting_on_client,
            "waiting_on_freelancer": report.waiting_on_freelancer,
            "signed": plain_amount(report.signed),
            "invoiced": plain_amount(report.invoiced),
            "overdue": plain_amount(report.overdue),
            "paid_this_month": plain_amount(report.paid_this_month),
        },
        "funnel": {
            "workflow": report.funnel_workflow,
            "stages": [
                {"state": f.state, "label": f.label, "reached": f.reached, "current": f.current}
                for f in report.funnel
            ],
        },
        "excluded_missions": report.excluded_missions,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_pipeline_html(report: PipelineReport) -> str:
    """The report as one self-contained HTML page with a funnel chart."""
    esc = page.esc
    chart = funnel_chart(
        [FunnelStage(f.label, f.reached, f"{f.current} here now") for f in report.funnel],
        title=f"How far the {report.funnel_workflow} missions went",
    )
    rows = [[esc(c) for c in _cells(s)] for s in report.stages] + [[esc(c) for c in _total_cells(report)]]
    classes = ["" for _ in report.stages] + ["total"]
    summary = (
        f"{report.missions} missions: {report.waiting_on_client} waiting on clients, "
        f"{report.waiting_on_freelancer} waiting on you. Overdue: {format_money(report.overdue)}. "
        f"Paid this month: {format_money(report.paid_this_month)}."
    )
    body = [
        f'<p class="lead"><strong>{esc(summary)}</strong></p>',
        "<section><h2>Funnel</h2>",
        f"<figure>{chart}<figcaption>Each bar: the {esc(report.funnel_workflow)} missions that reached the "
        "stage; on the right, how many are in it now.</figcaption></figure>",
        "</section>",
        "<section><h2>States</h2>",
        page.table(
            _headers(report.currency), rows, numeric=_NUMERIC, row_classes=classes, raw=tuple(range(10))
        ),
        *(f'<p class="note">{esc(note)}</p>' for note in _notes(report)),
        "</section>",
    ]
    return page.page(
        title="Pipeline",
        lang="en",
        subtitle=f"On {report.on.isoformat()} · {report.currency}",
        body="\n".join(body),
        wide=True,
    )


def render_pipeline_report(report: PipelineReport, fmt: str) -> str:
    """The report in ``fmt``: ``table``, ``json`` or ``html``."""
    if fmt == "table":
        return render_pipeline_table(report)
    if fmt == "json":
        return render_pipeline_json(report)
    if fmt == "html":
        return render_pipeline_html(report)
    raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(PIPELINE_FORMATS)}")


def pipeline_report(
    store: Store, *, fmt: str = "table", at: datetime | date | None = None, currency: str | None = None
) -> str:
    """The pipeline report of everything in ``store``, in ``fmt``, as of ``at`` (now by default;
    a date means the end of that day).

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     print(pipeline_report(store).splitlines()[0])  # doctest: +ELLIPSIS
    Pipeline on ... (EUR): 0 missions, 0 waiting on clients, 0 on you
    """
    if fmt not in PIPELINE_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(PIPELINE_FORMATS)}")
    settings = store.get_settings()
    created = {m.ref: m.created_at for m in store.list_missions() if m.created_at is not None}
    moment = report_moment(at, settings.timezone)
    report = build_pipeline_report(
        store.get_missions(),
        store.list_invoices(),
        currency=(currency or settings.currency).upper(),
        at=moment,
        settings=settings,
        created=created,
        overdue=overdue_by_mission(store.overdue(moment.astimezone(ZoneInfo(settings.timezone)).date())),
    )
    return render_pipeline_report(report, fmt)
