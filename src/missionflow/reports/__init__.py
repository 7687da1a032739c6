"""Reports: the client-facing status of a mission (R9), the clients worth it (R13, 80/20) and the
pipeline. Each report is a model built from what the store reads, and renderers (Markdown, text
table, CSV, JSON, self-contained HTML with SVG charts drawn by the program)."""

from __future__ import annotations

from missionflow.reports.accounts import MissionAccount, compute_account
from missionflow.reports.clients import ClientFigures, ClientsReport, EffortWeights, build_clients_report
from missionflow.reports.clients_render import CLIENTS_FORMATS, clients_report, render_clients_report
from missionflow.reports.drawing import mission_diagram, view_diagram
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
)

__all__ = [
    "CLIENTS_FORMATS",
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
    "RevisionRounds",
    "StatusReport",
    "StatusStep",
    "assess_progress",
    "build_clients_report",
    "build_pipeline_report",
    "build_status_report",
    "clients_report",
    "compute_account",
    "mission_diagram",
    "pipeline_report",
    "render_clients_report",
    "render_pipeline_report",
    "render_status_html",
    "render_status_markdown",
    "render_status_report",
    "status_report",
    "view_diagram",
]
