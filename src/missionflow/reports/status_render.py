"""The client-facing status report written out: Markdown to paste in an email, or one
self-contained HTML page with the mission's lifecycle diagram."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from missionflow.diagrams import render_diagram
from missionflow.errors import DiagramRenderError, InvalidValueError
from missionflow.freelance import Mission, Settings
from missionflow.freelance.as_of import mission_as_of
from missionflow.freelance.guard_words import kind_suffix
from missionflow.freelance.vocabulary import CLIENT
from missionflow.reports import html as page
from missionflow.reports.accounts import overdue_by_mission
from missionflow.reports.drawing import client_diagram
from missionflow.reports.status import DeliverableStatus, RevisionRounds, StatusReport, build_status_report
from missionflow.reports.text import check_lang, format_date, format_money, md_cell, report_moment
from missionflow.store import Store

STATUS_FORMATS = ("md", "html")
"""The formats of :func:`status_report`."""


def _acts(report: StatusReport) -> str:
    if report.waiting_on == CLIENT:
        return report.text("acts_client")
    # The settings' default name says nothing to a client: leave it out.
    name = report.freelancer.strip()
    shown = f" ({name})" if name and name != Settings().name else ""
    return report.text("acts_freelancer", name=shown)


def _money_rows(report: StatusReport) -> list[tuple[str, str]]:
    lang = report.lang
    rows = []
    if report.agreed is not None:
        key = "agreed" if report.contract_signed else "quoted"
        rows.append((report.text(key), format_money(report.agreed, lang)))
    account = report.account
    rows += [
        (report.text("invoiced"), format_money(account.invoiced, lang)),
        (report.text("paid"), format_money(account.paid, lang)),
        (report.text("due"), format_money(account.due, lang)),
    ]
    if account.advance.amount > 0:
        rows.append((report.text("advance"), format_money(account.advance, lang)))
    return rows


def _heading(report: StatusReport) -> str:
    return f"{report.text('title')}{report.text('colon')}{report.title}"


def _subtitle(report: StatusReport) -> str:
    # The mission's reference is the freelancer's bookkeeping: the client reads its title.
    return " · ".join(
        [
            report.text("for", client=report.client, freelancer=report.freelancer),
            report.text("as_of", date=format_date(report.on, report.lang)),
        ]
    )


def render_status_markdown(report: StatusReport) -> str:
    """The report as Markdown, to paste in an email or a chat."""
    lang = report.lang
    lines = [f"# {_heading(report)}", "", _subtitle(report), ""]
    lines += [f"## {report.text('where')}", "", f"**{report.text('state', state=report.state_label)}**", ""]
    if report.closing is not None:
        lines += [report.closing, ""]
    else:
        if report.next_step is not None:
            lines.append(report.text("next", step=report.next_step))
            lines.append("")
        if report.waiting_for:
            lines.append(report.text("waiting_for"))
            lines += [f"- {item}" for item in report.waiting_for]
        else:
            lines.append(report.text("ready"))
        lines += ["", _acts(report), ""]
    lines += [f"## {report.text('done')}", ""]
    lines += [f"- {format_date(s.on, lang)}{report.text('colon')}{s.text}" for s in report.done] or [
        report.text("none_done")
    ]
    lines += ["", f"## {report.text('remaining')}", ""]
    lines += [f"{i}. {label}" for i, label in enumerate(report.remaining, 1)] or [
        report.text("none_remaining")
    ]
    lines += ["", f"## {report.text('deliverables')}", ""]
    if report.deliverables:
        done_count = sum(1 for d in report.deliverables if d.delivered_on is not None)
        lines += [
            report.text(
                "summary_deliverables", delivered=str(done_count), total=str(len(report.deliverables))
            ),
            "",
            f"| {report.text('deliverable')} | {report.text('status')} |",
            "|---|---|",
        ]
        for d in report.deliverables:
            lines.append(
                f"| {md_cell(d.name + kind_suffix(d.kind, lang))} | {md_cell(_delivery_text(report, d))} |"
            )
    else:
        lines.append(report.text("no_deliverables"))
    if report.revisions is not None:
        lines += ["", f"## {report.text('revisions')}", "", _revisions_text(report, report.revisions)]
    lines += [
        "",
        f"## {report.text('money')}",
        "",
        f"| {report.text('item')} | {report.text('amount')} |",
        "|---|---:|",
    ]
    lines += [f"| {md_cell(item)} | {amount} |" for item, amount in _money_rows(report)]
    if report.account.overdue.amount > 0:
        lines += ["", report.text("overdue", amount=format_money(report.account.overdue, lang))]
    return "\n".join(lines) + "\n"


def _delivery_text(report: StatusReport, deliverable: DeliverableStatus) -> str:
    if deliverable.delivered_on is None:
        return report.text("pending")
    return report.text("delivered_on", date=format_date(deliverable.delivered_on, report.lang))


def _revisions_text(report: StatusReport, rounds: RevisionRounds) -> str:
    return report.text(
        "revisions_text",
        used=str(rounds.used),
        allowed=str(rounds.allowed),
        left=str(rounds.left),
        included=str(rounds.included),
        extra=str(rounds.extra),
    )


def render_status_html(
    report: StatusReport, *, diagram_svg: str | None = None, diagram_note: str = ""
) -> str:
    """The report as one self-contained HTML page; ``diagram_svg`` (an SVG document) is inlined,
    or ``diagram_note`` says why there is no diagram."""
    lang = report.lang
    esc = page.esc
    body = [f"<section><h2>{esc(report.text('where'))}</h2>"]
    if report.closing is not None:
        css = "callout done" if report.outcome == "complete" else "callout closed"
        body.append(
            f'<div class="{css}"><p class="lead"><strong>{esc(report.text("state", state=report.state_label))}</strong></p>'
        )
        body.append(f"<p>{esc(report.closing)}</p></div>")
    else:
        body.append(
            f'<div class="callout"><p class="lead"><strong>{esc(report.text("state", state=report.state_label))}</strong></p>'
        )
        if report.next_step is not None:
            body.append(f"<p>{esc(report.text('next', step=report.next_step))}</p>")
        if report.waiting_for:
            body.append(f"<p>{esc(report.text('waiting_for'))}</p><ul>")
            body += [f"<li>{esc(item)}</li>" for item in report.waiting_for]
            body.append("</ul>")
        else:
            body.append(f"<p>{esc(report.text('ready'))}</p>")
        body.append(f"<p><strong>{esc(_acts(report))}</strong></p></div>")
    body.append("</section>")

    body.append(f"<section><h2>{esc(report.text('done'))}</h2>")
    if report.done:
        items = "".join(
            f"<li><strong>{esc(format_date(s.on, lang))}</strong>{esc(report.text('colon'))}{esc(s.text)}</li>"
            for s in report.done
        )
        body.append(f"<ul>{items}</ul>")
    else:
        body.append(f"<p>{esc(report.text('none_done'))}</p>")
    body.append("</section>")

    body.append(f"<section><h2>{esc(report.text('remaining'))}</h2>")
    if report.remaining:
        body.append("<ol>" + "".join(f"<li>{esc(label)}</li>" for label in report.remaining) + "</ol>")
    else:
        body.append(f"<p>{esc(report.text('none_remaining'))}</p>")
    body.append("</section>")

    body.append(f"<section><h2>{esc(report.text('deliverables'))}</h2>")
    if report.deliverables:
        done_count = sum(1 for d in report.deliverables if d.delivered_on is not None)
        body.append(
            f"<p>{esc(report.text('summary_deliverables', delivered=str(done_count), total=str(len(report.deliverables))))}</p>"
        )
        rows = []
        for d in report.deliverables:
            css = "delivered" if d.delivered_on is not None else "pending"
            rows.append(
                (
                    esc(d.name + kind_suffix(d.kind, lang)),
                    f'<span class="{css}">{esc(_delivery_text(report, d))}</span>',
                )
            )
        body.append(page.table([report.text("deliverable"), report.text("status")], rows, raw=(0, 1)))
    else:
        body.append(f"<p>{esc(report.text('no_deliverables'))}</p>")
    body.append("</section>")

    if report.revisions is not None:
        body.append(
            f"<section><h2>{esc(report.text('revisions'))}</h2><p>{esc(_revisions_text(report, report.revisions))}</p></section>"
        )

    body.append(f"<section><h2>{esc(report.text('money'))}</h2>")
    body.append(page.table([report.text("item"), report.text("amount")], _money_rows(report), numeric=(1,)))
    if report.account.overdue.amount > 0:
        body.append(
            f"<p><strong>{esc(report.text('overdue', amount=format_money(report.account.overdue, lang)))}</strong></p>"
        )
    body.append("</section>")

    body.append(f"<section><h2>{esc(report.text('diagram'))}</h2>")
    if diagram_svg is not None:
        body.append(f'<figure class="diagram">{page.inline_svg(diagram_svg)}</figure>')
    else:
        body.append(f'<p class="note">{esc(report.text("diagram_missing", why=diagram_note))}</p>')
    body.append("</section>")
    return page.page(
        title=_heading(report),
        lang=lang,
        subtitle=_subtitle(report),
        body="\n".join(body),
    )


def render_status_report(
    report: StatusReport, fmt: str, *, diagram_svg: str | None = None, diagram_note: str = ""
) -> str:
    """The report in ``fmt``: ``md`` or ``html`` (see :func:`render_status_html` for the diagram)."""
    if fmt == "md":
        return render_status_markdown(report)
    if fmt == "html":
        return render_status_html(report, diagram_svg=diagram_svg, diagram_note=diagram_note)
    raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(STATUS_FORMATS)}")


def _read(
    store: Store, ref: str, lang: str | None, at: datetime | date | None, show_reason: bool
) -> tuple[Mission, Settings, datetime, Mapping[str, object], StatusReport]:
    """The mission, the settings, the report's moment and the report, in ``lang`` (the client's
    language when None)."""
    mission = store.get_mission(ref)
    if lang is None:
        lang = store.get_client(mission.client.ref).language
    check_lang(lang)
    invoices = store.list_invoices(ref)
    settings = store.get_settings()
    moment = report_moment(at, settings.timezone)
    overdue = overdue_by_mission(store.overdue(moment.astimezone(ZoneInfo(settings.timezone)).date()))
    view = store.view(ref, at=moment)  # the guards see what a fire would, the application's facts too
    facts = view.context.facts
    report = build_status_report(
        mission,
        invoices=invoices,
        settings=settings,
        lang=lang,
        at=moment,
        overdue=overdue,
        facts=facts,
        show_reason=show_reason,
    )
    return mission, settings, moment, facts, report


def _html(
    mission: Mission, settings: Settings, moment: datetime, facts: Mapping[str, object], report: StatusReport
) -> str:
    try:
        # The diagram shows the mission as it stood at the report's moment, like the report.
        as_of = mission_as_of(mission, moment, settings.timezone)
        drawing = client_diagram(as_of, settings, lang=report.lang, at=moment, facts=facts)
        svg: str | None = render_diagram(drawing, "svg").decode("utf-8")
        note = ""
    except DiagramRenderError as error:
        svg, note = None, str(error)
    return render_status_html(report, diagram_svg=svg, diagram_note=note)


def status_report(
    store: Store,
    ref: str,
    *,
    lang: str | None = None,
    fmt: str = "md",
    at: datetime | date | None = None,
    show_reason: bool = False,
) -> str:
    """The status report of mission ``ref`` for its client, as Markdown (``md``) or HTML (``html``),
    in ``lang`` (the client's language when None), as of ``at`` (now by default; a date means the
    end of that day). The reason a mission was declined or terminated is shown only with
    ``show_reason``: it is the freelancer's note, not always meant for the client.

    The HTML page includes the client's diagram (the path the mission took and the steps that
    remain, in plain words) when Graphviz is installed, and a note saying so otherwise.

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     mission = store.create_mission(store.add_client("Acme", language="en").ref, "Logo")
    ...     print(status_report(store, mission.ref).splitlines()[0])
    # Status report: Logo
    """
    if fmt not in STATUS_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(STATUS_FORMATS)}")
    if lang is not None:
        check_lang(lang)
    mission, settings, moment, facts, report = _read(store, ref, lang, at, show_reason)
    if fmt == "md":
        return render_status_markdown(report)
    return _html(mission, settings, moment, facts, report)


def status_report_pdf(
    store: Store,
    ref: str,
    *,
    lang: str | None = None,
    at: datetime | date | None = None,
    show_reason: bool = False,
) -> bytes:
    """The status report as an A4 PDF/A-3b (fonts embedded, no browser): the HTML page of
    :func:`status_report` printed by WeasyPrint."""
    from missionflow.freelance.documents.pdf import render_pdf_from_html

    if lang is not None:
        check_lang(lang)
    return render_pdf_from_html(_html(*_read(store, ref, lang, at, show_reason)))
