"""``missionflow report ...``: the client's status report, the clients report (80/20) and the pipeline."""

from __future__ import annotations

import click

from missionflow_cli.app import db_option, parse_date, store_for
from missionflow_cli.complete import complete_mission
from missionflow_cli.files import write_document

output_option = click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    help="Write the report to this file instead of printing it (its folder must exist).",
)

on_option = click.option(
    "--on", "on", default=None, metavar="DATE", help="As of the end of this day, YYYY-MM-DD (default: now)."
)


def emit_report(text: str, output: str | None, db: str | None) -> None:
    """Print the report, or write it (UTF-8; it names clients: as private as the database) and
    print where."""
    write_document(text.encode("utf-8"), output, binary=False, db=db)


@click.group()
def report() -> None:
    """Reports: keep a client informed, see which clients are worth it, watch the pipeline.

    Example:

    \b
        missionflow report status M-1 --format html --lang fr -o status.html
        missionflow report clients --since 2026-01-01
        missionflow report pipeline
    """


@report.command("status")
@click.argument("mission_ref", metavar="MISSION", shell_complete=complete_mission)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "pdf"]),
    default="md",
    show_default=True,
    help="Markdown, one HTML page, or an A4 PDF/A (no browser needed).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default=None,
    help="The report's language (default: the client's).",
)
@click.option(
    "--show-reason",
    is_flag=True,
    help="Show the reason written when the mission was declined or terminated (hidden by default).",
)
@on_option
@output_option
@db_option
def report_status(
    mission_ref: str,
    fmt: str,
    lang: str | None,
    show_reason: bool,
    on: str | None,
    output: str | None,
    db: str | None,
) -> None:
    """A status report for the client of MISSION: what is done, what it waits for, what remains.

    It lists the steps done with their dates, the current step and what it waits for in plain
    words, the steps that remain, the deliverables, the revision rounds and the money invoiced,
    paid and due, in the client's language. Reminders and other internal entries are left out;
    the reason written when the mission was declined or terminated only with --show-reason. The
    HTML page and the PDF show the path the mission took and what remains as a diagram in plain
    words (when Graphviz is installed).

    Example:

    \b
        missionflow report status M-1 --format pdf -o status-M-1.pdf
    """
    from missionflow.reports import status_report, status_report_pdf

    day = parse_date(on, "on")
    with store_for(db) as store:
        if fmt == "pdf":
            data = status_report_pdf(store, mission_ref, lang=lang, at=day, show_reason=show_reason)
        else:
            text = status_report(store, mission_ref, lang=lang, fmt=fmt, at=day, show_reason=show_reason)
            data = text.encode("utf-8")
    write_document(data, output, binary=fmt == "pdf", db=db)


@report.command("clients")
@click.option("--since", default=None, help="Only what happened on or after this day, YYYY-MM-DD.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "html"]),
    default="table",
    show_default=True,
    help="Output format (html adds a Pareto chart).",
)
@on_option
@output_option
@db_option
def report_clients(since: str | None, fmt: str, on: str | None, output: str | None, db: str | None) -> None:
    """Revenue and effort per client, largest revenue first (the 80/20 rule).

    Revenue is what the client paid; effort is counted in effort points (1 per transition, 5 more
    per revision round, 1 per day in progress, 10 per late payment, 3 per out-of-hours request).
    "top 80 %" marks the clients who together bring 80 % of the revenue; "costly" those who bring
    under half of the average revenue per effort point.

    Example:

    \b
        missionflow report clients --since 2026-01-01 --format html -o clients.html
    """
    from missionflow.reports import clients_report

    start = parse_date(since, "since")
    day = parse_date(on, "on")
    with store_for(db) as store:
        text = clients_report(store, since=start, fmt=fmt, at=day)
    emit_report(text, output, db)


@report.command("pipeline")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "html"]),
    default="table",
    show_default=True,
    help="Output format (html adds a funnel chart).",
)
@on_option
@output_option
@db_option
def report_pipeline(fmt: str, on: str | None, output: str | None, db: str | None) -> None:
    """Missions per state, the money at each stage, who they wait on, and the oldest in each state.

    Example:

    \b
        missionflow report pipeline --format html -o pipeline.html
    """
    from missionflow.reports import pipeline_report

    day = parse_date(on, "on")
    with store_for(db) as store:
        text = pipeline_report(store, fmt=fmt, at=day)
    emit_report(text, output, db)
