"""The generic workflow engine: definitions read from YAML, validated, compiled once, and fired on
any subject. It knows nothing of any trade: a domain plugs its guards, effects and hooks into it.
Definitions also travel to other engines (XState, SCXML) and back: see :mod:`missionflow.workflow.io`.
Timed transitions (``after: {days: 7}``) fall due as :mod:`missionflow.workflow.timers` computes.

>>> from missionflow.workflow import load_workflow, Moves
>>> "paid" in Moves.of(load_workflow("freelance-mission")).reachable_from("lead")
True
"""

from __future__ import annotations

from missionflow.errors import GuardResult
from missionflow.workflow.answers import PathReport, PathStep, TriggerOption
from missionflow.workflow.calendar import WeekdayCalendar, WorkingCalendar, add_days, aware
from missionflow.workflow.definition import (
    DelayUnit,
    GuardParam,
    GuardRef,
    HookMoment,
    HookRef,
    Label,
    StateDef,
    StateKind,
    TimerDef,
    TransitionDef,
    WorkflowDefinition,
    wildcard_sources,
)
from missionflow.workflow.effects import EffectSpec, declare_effect, effect_names, get_effect
from missionflow.workflow.engine import Workflow, compile_workflow, workflow_for
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
from missionflow.workflow.migration import MIGRATE_TRIGGER, check_mapping, entry_refusals, landing_state
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
from missionflow.workflow.shortcuts import fire, path_to, triggers
from missionflow.workflow.subject import Subject
from missionflow.workflow.timer_facts import (
    FactKind,
    TimerFactSpec,
    get_timer_fact,
    register_timer_fact,
    timer_fact_names,
)
from missionflow.workflow.timers import TIMER_ACTOR, DueTimer, describe_timer, due_timers, entered_at
from missionflow.workflow.userflows import user_workflow_dir, user_workflow_files

__all__ = [
    "DELIVERY_GUARD",
    "INTERCHANGE_FORMATS",
    "MIGRATE_TRIGGER",
    "TIMER_ACTOR",
    "AfterHook",
    "BeforeHook",
    "DelayUnit",
    "DueTimer",
    "EffectSpec",
    "Explain",
    "FactKind",
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
    "TimerDef",
    "TimerFactSpec",
    "TransactionConnection",
    "TransitionDef",
    "TransitionRecord",
    "TriggerOption",
    "WeekdayCalendar",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowRegistry",
    "WorkingCalendar",
    "add_days",
    "aware",
    "check_mapping",
    "check_moving_forward",
    "compile_workflow",
    "copy_workflow",
    "declare_effect",
    "definition_as_json",
    "definition_to_data",
    "definition_to_yaml",
    "describe_timer",
    "due_timers",
    "effect_names",
    "entered_at",
    "entry_refusals",
    "export_workflow",
    "fire",
    "format_for_path",
    "get_effect",
    "get_format",
    "get_guard",
    "get_timer_fact",
    "guard_names",
    "hook_names",
    "import_workflow",
    "import_workflow_file",
    "isolated_registries",
    "landing_state",
    "latest_workflows",
    "load_workflow",
    "load_workflow_file",
    "parse_workflow",
    "path_to",
    "register_format",
    "register_guard",
    "register_timer_fact",
    "register_workflow",
    "shipped_workflow_dir",
    "timer_fact_names",
    "triggers",
    "user_workflow_dir",
    "user_workflow_files",
    "wildcard_sources",
    "workflow_for",
    "workflow_names",
]
