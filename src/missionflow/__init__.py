"""missionflow: a guarded workflow engine for the lifecycle of a freelancer's mission.

>>> from missionflow import Client, Mission, fire
>>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
>>> fire(m, "qualify", actor="me").dest
'criteria_check'
"""

from __future__ import annotations

import importlib
import typing

from missionflow.billing import (
    Installment,
    InstallmentStatus,
    InvoiceBalance,
    InvoiceTerms,
    OverdueItem,
    PaymentPlan,
)
from missionflow.definition import (
    GuardRef,
    HookMoment,
    HookRef,
    Label,
    StateDef,
    StateKind,
    TransitionDef,
    WorkflowDefinition,
)
from missionflow.engine import (
    PathReport,
    PathStep,
    TriggerOption,
    Workflow,
    compile_workflow,
    fire,
    path_to,
    triggers,
    workflow_for,
)
from missionflow.errors import (
    ClientNotFoundError,
    ConcurrentUpdateError,
    DefinitionProblem,
    DiagramRenderError,
    GuardResult,
    HistoryTamperedError,
    InvalidValueError,
    InvoiceNotFoundError,
    MissionflowError,
    MissionNotFoundError,
    NotFoundError,
    StorageError,
    TransitionBlockedError,
    TransitionError,
    TransitionNotAllowedError,
    WorkflowDefinitionError,
    WorkflowNotFoundError,
)
from missionflow.guards import GuardContext, GuardFunc, GuardSpec, get_guard, guard_names, register_guard
from missionflow.hooks import HookEvent, Hooks, hook_names
from missionflow.loading import (
    DEFAULT_WORKFLOW,
    load_workflow,
    load_workflow_file,
    parse_workflow,
    register_workflow,
    shipped_workflow_dir,
    workflow_names,
)
from missionflow.mission import (
    Amendment,
    Client,
    Contract,
    CriterionAnswer,
    Deliverable,
    InvoiceSummary,
    Mission,
    Payment,
    Specification,
    TransitionRecord,
)
from missionflow.money import Money, parse_decimal
from missionflow.persistence import (
    ClientRecord,
    HistoryEntry,
    InvoiceRecord,
    MissionSummary,
    Store,
    VerifyFailure,
    default_database_url,
    open_store,
)
from missionflow.reminders import ReminderRecord, ReminderResult
from missionflow.settings import Criterion, Settings, describe_settings, editable_settings, set_from_text

__version__ = "0.1.0"

# Diagrams, reports and renderers load on first use: a command that does not draw or report
# (most of them) does not pay for importing them.
_LAZY_MODULES: dict[str, tuple[str, ...]] = {
    "missionflow.diagrams": (
        "DIAGRAM_FORMATS",
        "Diagram",
        "DiagramEdge",
        "DiagramNode",
        "DiagramStep",
        "generate_workflow_diagrams",
        "mission_diagram",
        "render_diagram",
        "workflow_diagram",
        "write_diagram",
    ),
    "missionflow.invoice_render": (
        "INVOICE_FORMATS",
        "render_invoice",
    ),
    "missionflow.reports": (
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
        "RevisionRounds",
        "StatusReport",
        "StatusStep",
        "build_clients_report",
        "build_pipeline_report",
        "build_status_report",
        "clients_report",
        "pipeline_report",
        "render_clients_report",
        "render_pipeline_report",
        "render_status_report",
        "status_report",
    ),
    "missionflow.specification_file": ("parse_specification",),
    "missionflow.workflow.io": (
        "INTERCHANGE_FORMATS",
        "InterchangeError",
        "definition_to_yaml",
        "export_workflow",
        "import_workflow",
        "import_workflow_file",
    ),
}
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}

if typing.TYPE_CHECKING:
    from missionflow.diagrams import (
        DIAGRAM_FORMATS,
        Diagram,
        DiagramEdge,
        DiagramNode,
        DiagramStep,
        generate_workflow_diagrams,
        mission_diagram,
        render_diagram,
        workflow_diagram,
        write_diagram,
    )
    from missionflow.invoice_render import (
        INVOICE_FORMATS,
        render_invoice,
    )
    from missionflow.reports import (
        CLIENTS_FORMATS,
        PIPELINE_FORMATS,
        STATUS_FORMATS,
        ClientFigures,
        ClientsReport,
        DeliverableStatus,
        EffortWeights,
        FunnelStep,
        MissionAccount,
        OldestMission,
        PipelineReport,
        PipelineStage,
        RevisionRounds,
        StatusReport,
        StatusStep,
        build_clients_report,
        build_pipeline_report,
        build_status_report,
        clients_report,
        pipeline_report,
        render_clients_report,
        render_pipeline_report,
        render_status_report,
        status_report,
    )
    from missionflow.specification_file import (
        parse_specification,
    )
    from missionflow.workflow.io import (
        INTERCHANGE_FORMATS,
        InterchangeError,
        definition_to_yaml,
        export_workflow,
        import_workflow,
        import_workflow_file,
    )


def __getattr__(name: str) -> object:
    """Import a lazily loaded public name (PEP 562) and keep it for the next access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'missionflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "CLIENTS_FORMATS",
    "DEFAULT_WORKFLOW",
    "DIAGRAM_FORMATS",
    "INTERCHANGE_FORMATS",
    "INVOICE_FORMATS",
    "PIPELINE_FORMATS",
    "STATUS_FORMATS",
    "Amendment",
    "Client",
    "ClientFigures",
    "ClientNotFoundError",
    "ClientRecord",
    "ClientsReport",
    "ConcurrentUpdateError",
    "Contract",
    "Criterion",
    "CriterionAnswer",
    "DefinitionProblem",
    "Deliverable",
    "DeliverableStatus",
    "Diagram",
    "DiagramEdge",
    "DiagramNode",
    "DiagramRenderError",
    "DiagramStep",
    "EffortWeights",
    "FunnelStep",
    "GuardContext",
    "GuardFunc",
    "GuardRef",
    "GuardResult",
    "GuardSpec",
    "HistoryEntry",
    "HistoryTamperedError",
    "HookEvent",
    "HookMoment",
    "HookRef",
    "Hooks",
    "Installment",
    "InstallmentStatus",
    "InterchangeError",
    "InvalidValueError",
    "InvoiceBalance",
    "InvoiceNotFoundError",
    "InvoiceRecord",
    "InvoiceSummary",
    "InvoiceTerms",
    "Label",
    "Mission",
    "MissionAccount",
    "MissionNotFoundError",
    "MissionSummary",
    "MissionflowError",
    "Money",
    "NotFoundError",
    "OldestMission",
    "OverdueItem",
    "PathReport",
    "PathStep",
    "Payment",
    "PaymentPlan",
    "PipelineReport",
    "PipelineStage",
    "ReminderRecord",
    "ReminderResult",
    "RevisionRounds",
    "Settings",
    "Specification",
    "StateDef",
    "StateKind",
    "StatusReport",
    "StatusStep",
    "StorageError",
    "Store",
    "TransitionBlockedError",
    "TransitionDef",
    "TransitionError",
    "TransitionNotAllowedError",
    "TransitionRecord",
    "TriggerOption",
    "VerifyFailure",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
    "WorkflowNotFoundError",
    "__version__",
    "build_clients_report",
    "build_pipeline_report",
    "build_status_report",
    "clients_report",
    "compile_workflow",
    "default_database_url",
    "definition_to_yaml",
    "describe_settings",
    "editable_settings",
    "export_workflow",
    "fire",
    "generate_workflow_diagrams",
    "get_guard",
    "guard_names",
    "hook_names",
    "import_workflow",
    "import_workflow_file",
    "load_workflow",
    "load_workflow_file",
    "mission_diagram",
    "open_store",
    "parse_decimal",
    "parse_specification",
    "parse_workflow",
    "path_to",
    "pipeline_report",
    "register_guard",
    "register_workflow",
    "render_clients_report",
    "render_diagram",
    "render_invoice",
    "render_pipeline_report",
    "render_status_report",
    "set_from_text",
    "shipped_workflow_dir",
    "status_report",
    "triggers",
    "workflow_diagram",
    "workflow_for",
    "workflow_names",
    "write_diagram",
]
