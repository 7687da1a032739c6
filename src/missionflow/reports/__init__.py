"""Reports: the client-facing status of a mission (R9), the clients worth it (R13, 80/20), the
pipeline, and the books a micro-entrepreneur keeps (receipts book, revenue per period). Each report is a model built from what the store reads, and renderers (Markdown, text
table, CSV, JSON, self-contained HTML with SVG charts drawn by the program)."""

from __future__ import annotations

from missionflow.reports.accounts import MissionAccount, compute_account, overdue_by_mission
from missionflow.reports.books import (
    PERIODS,
    Receipt,
    ReceiptsBook,
    RevenueBook,
    RevenuePeriod,
    build_receipts_book,
    build_revenue_book,
)
from missionflow.reports.books_render import (
    BOOK_FORMATS,
    receipts_book,
    render_receipts,
    render_revenue,
    revenue_book,
)
from missionflow.reports.clients import ClientFigures, ClientsReport, EffortWeights, build_clients_report
from missionflow.reports.clients_render import CLIENTS_FORMATS, clients_report, render_clients_report
from missionflow.reports.drawing import client_diagram, mission_diagram, view_diagram
from missionflow.reports.pipeline import (
    FunnelStep,
    OldestMission,
    PipelineReport,
    PipelineStage,
    build_pipeline_report,
)
from missionflow.reports.pipeline_render import PIPELINE_FORMATS, pipeline_report, render_pipeline_report
from missionflow.reports.progress import Progress, assess_progress
from missionflow.reports.status import (
    DeliverableStatus,
    RevisionRounds,
    StatusReport,
    StatusStep,
    build_status_report,
)
from missionflow.reports.status_render import (
    STATUS_FORMATS,
    render_status_html,
    render_status_markdown,
    render_status_report,
    status_report,
    status_report_pdf,
)

__all__ = [
    "BOOK_FORMATS",
    "CLIENTS_FORMATS",
    "PERIODS",
    "PIPELINE_FORMATS",
    "STATUS_FORMATS",
    "ClientFigures",
    "ClientsReport",
    "DeliverableStatus",
    "EffortWeights",
    "FunnelStep",
    "MissionAccount",
    "OldestMission",
    "PipelineReport",
    "PipelineStage",
    "Progress",
    "Receipt",
    "ReceiptsBook",
    "RevenueBook",
    "RevenuePeriod",
    "RevisionRounds",
    "StatusReport",
    "StatusStep",
    "assess_progress",
    "build_clients_report",
    "build_pipeline_report",
    "build_receipts_book",
    "build_revenue_book",
    "build_status_report",
    "client_diagram",
    "clients_report",
    "compute_account",
    "mission_diagram",
    "overdue_by_mission",
    "pipeline_report",
    "receipts_book",
    "render_clients_report",
    "render_pipeline_report",
    "render_receipts",
    "render_revenue",
    "render_status_html",
    "render_status_markdown",
    "render_status_report",
    "revenue_book",
    "status_report",
    "status_report_pdf",
    "view_diagram",
]
