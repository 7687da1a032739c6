"""The generic workflow engine: definitions read from YAML, validated, compiled once, and fired on
any subject. It knows nothing of any trade: a domain plugs its guards, effects and hooks into it.
Definitions also travel to other engines (XState, SCXML) and back: see :mod:`missionflow.workflow.io`.

>>> from missionflow.workflow import load_workflow, Moves
>>> "paid" in Moves.of(load_workflow("freelance-mission")).reachable_from("lead")
True
"""

from __future__ import annotations

from missionflow.errors import GuardResult
from missionflow.workflow.answers import PathReport, PathStep, TriggerOption
from missionflow.workflow.calendar import WorkingCalendar, aware
from missionflow.workflow.definition import (
    GuardParam,
    GuardRef,
    HookMoment,
    HookRef,
    Label,
    StateDef,
    StateKind,
    TransitionDef,
    WorkflowDefinition,
    wildcard_sources,
)
from missionflow.workflow.effects import EffectSpec, declare_effect, effect_names, get_effect
from missionflow.workflow.engine import (
    Workflow,
    compile_workflow,
    fire,
    path_to,
    triggers,
    workflow_for,
)
from missionflow.workflow.graph import HasGraph, Moves, Step
from missionflow.workflow.guards import (
    Explain,
    GuardContext,
    GuardFunc,
    GuardSpec,
    get_guard,
    guard_names,
    register_guard,
)
from missionflow.workflow.hooks import (
    AfterHook,
    BeforeHook,
    HookEvent,
    HookFunc,
    Hooks,
    TransactionConnection,
    hook_names,
)
from missionflow.workflow.io import (
    INTERCHANGE_FORMATS,
    InterchangeError,
    InterchangeFormat,
    definition_to_yaml,
    export_workflow,
    format_for_path,
    get_format,
    import_workflow,
    import_workflow_file,
    register_format,
)
from missionflow.workflow.records import DELIVERY_GUARD, TransitionRecord, check_moving_forward
from missionflow.workflow.registry import (
    WorkflowRegistry,
    copy_workflow,
    latest_workflows,
    load_workflow,
    load_workflow_file,
    parse_workflow,
    register_workflow,
    shipped_workflow_dir,
    workflow_names,
)
from missionflow.workflow.sandbox import isolated_registries
from missionflow.workflow.serialize import definition_as_json, definition_to_data
from missionflow.workflow.subject import Subject
from missionflow.workflow.userflows import user_workflow_dir, user_workflow_files

__all__ = [
    "DELIVERY_GUARD",
    "INTERCHANGE_FORMATS",
    "AfterHook",
    "BeforeHook",
    "EffectSpec",
    "Explain",
    "GuardContext",
    "GuardFunc",
    "GuardParam",
    "GuardRef",
    "GuardResult",
    "GuardSpec",
    "HasGraph",
    "HookEvent",
    "HookFunc",
    "HookMoment",
    "HookRef",
    "Hooks",
    "InterchangeError",
    "InterchangeFormat",
    "Label",
    "Moves",
    "PathReport",
    "PathStep",
    "StateDef",
    "StateKind",
    "Step",
    "Subject",
    "TransactionConnection",
    "TransitionDef",
    "TransitionRecord",
    "TriggerOption",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowRegistry",
    "WorkingCalendar",
    "aware",
    "check_moving_forward",
    "compile_workflow",
    "copy_workflow",
    "declare_effect",
    "definition_as_json",
    "definition_to_data",
    "definition_to_yaml",
    "effect_names",
    "export_workflow",
    "fire",
    "format_for_path",
    "get_effect",
    "get_format",
    "get_guard",
    "guard_names",
    "hook_names",
    "import_workflow",
    "import_workflow_file",
    "isolated_registries",
    "latest_workflows",
    "load_workflow",
    "load_workflow_file",
    "parse_workflow",
    "path_to",
    "register_format",
    "register_guard",
    "register_workflow",
    "shipped_workflow_dir",
    "triggers",
    "user_workflow_dir",
    "user_workflow_files",
    "wildcard_sources",
    "workflow_for",
    "workflow_names",
]
