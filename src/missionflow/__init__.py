"""missionflow: a guarded workflow engine, and the lifecycle of a freelancer's mission built on it.

The root holds the core: the engine and the subject it moves, guards and hooks, definitions,
the store entry point, the error tree and ``Money``. The rest is in public subpackages, each with
its own ``__all__``: :mod:`missionflow.workflow` (the whole engine), :mod:`missionflow.freelance`
(the trade), :mod:`missionflow.store`, :mod:`missionflow.reports`, :mod:`missionflow.diagrams`
and :mod:`missionflow.testing`.

>>> from missionflow import fire
>>> from missionflow.freelance import Client, Mission
>>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
>>> fire(m, "qualify", actor="me").dest
'criteria_check'
"""

from __future__ import annotations

import importlib
import typing

from missionflow.errors import (
    ConcurrentUpdateError,
    ConflictError,
    DiagramRenderError,
    GuardResult,
    HistoryTamperedError,
    InvalidValueError,
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
from missionflow.money import Money
from missionflow.workflow import (
    GuardContext,
    GuardParam,
    HookEvent,
    Hooks,
    PathReport,
    Subject,
    TransitionRecord,
    TriggerOption,
    Workflow,
    WorkflowDefinition,
    fire,
    load_workflow,
    parse_workflow,
    path_to,
    register_guard,
    register_workflow,
    triggers,
)

__version__ = "0.1.0"

# The store loads on first use: `import missionflow` does not import SQLAlchemy.
_LAZY = {"Store": "missionflow.store", "open_store": "missionflow.store"}

if typing.TYPE_CHECKING:
    from missionflow.store import Store, open_store


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
    "ConcurrentUpdateError",
    "ConflictError",
    "DiagramRenderError",
    "GuardContext",
    "GuardParam",
    "GuardResult",
    "HistoryTamperedError",
    "HookEvent",
    "Hooks",
    "InvalidValueError",
    "MissionNotFoundError",
    "MissionflowError",
    "Money",
    "NotFoundError",
    "PathReport",
    "StorageError",
    "Store",
    "Subject",
    "TransitionBlockedError",
    "TransitionError",
    "TransitionNotAllowedError",
    "TransitionRecord",
    "TriggerOption",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
    "WorkflowNotFoundError",
    "__version__",
    "fire",
    "load_workflow",
    "open_store",
    "parse_workflow",
    "path_to",
    "register_guard",
    "register_workflow",
    "triggers",
]
