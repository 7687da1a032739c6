"""missionflow: a guarded workflow engine for the lifecycle of a freelancer's mission.

>>> from missionflow import Client, Mission, fire
>>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
>>> fire(m, "qualify", actor="me").dest
'criteria_check'
"""

from __future__ import annotations

from missionflow.definition import (
    GuardRef,
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
from missionflow.settings import Criterion, Settings

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_WORKFLOW",
    "Client",
    "ClientNotFoundError",
    "ConcurrentUpdateError",
    "Contract",
    "Criterion",
    "CriterionAnswer",
    "DefinitionProblem",
    "Deliverable",
    "DiagramRenderError",
    "GuardContext",
    "GuardFunc",
    "GuardRef",
    "GuardResult",
    "GuardSpec",
    "HistoryTamperedError",
    "InvalidValueError",
    "InvoiceNotFoundError",
    "InvoiceSummary",
    "Label",
    "Mission",
    "MissionNotFoundError",
    "MissionflowError",
    "Money",
    "NotFoundError",
    "PathReport",
    "PathStep",
    "Payment",
    "Settings",
    "Specification",
    "StateDef",
    "StateKind",
    "StorageError",
    "TransitionBlockedError",
    "TransitionDef",
    "TransitionError",
    "TransitionNotAllowedError",
    "TransitionRecord",
    "TriggerOption",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
    "WorkflowNotFoundError",
    "__version__",
    "compile_workflow",
    "fire",
    "get_guard",
    "guard_names",
    "load_workflow",
    "load_workflow_file",
    "parse_decimal",
    "parse_workflow",
    "path_to",
    "register_guard",
    "register_workflow",
    "shipped_workflow_dir",
    "triggers",
    "workflow_for",
    "workflow_names",
]
