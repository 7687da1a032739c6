"""Workflows that travel: written as XState or SCXML for other engines, and read back.

A small registry of formats, as in python-statemachine's ``statemachine.io``: each format has a
writer (definition to text), a reader (text to a definition checked by the validator) and the
file suffixes that stand for it. ``xstate``, ``scxml`` and ``yaml`` are built in;
docs/INTERCHANGE.md explains the mappings and what an application supplies.

>>> from missionflow.workflow import export_workflow, import_workflow, load_workflow
>>> coaching = load_workflow("coaching")
>>> machine = export_workflow(coaching, "xstate")
>>> import_workflow(machine, "xstate").state_ids == coaching.state_ids
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from missionflow.errors import DefinitionProblem, InterchangeError, InvalidValueError
from missionflow.workflow.definition import WorkflowDefinition
from missionflow.workflow.io.scxml import read_scxml, write_scxml
from missionflow.workflow.io.xstate import read_xstate, write_xstate
from missionflow.workflow.io.yaml_writer import definition_to_yaml
from missionflow.workflow.registry import parse_workflow

__all__ = [
    "INTERCHANGE_FORMATS",
    "InterchangeError",
    "InterchangeFormat",
    "definition_to_yaml",
    "export_workflow",
    "format_for_path",
    "get_format",
    "import_workflow",
    "import_workflow_file",
    "register_format",
]


@dataclass(frozen=True)
class InterchangeFormat:
    """A format workflows are written in and read from; ``read(text, source)`` validates."""

    name: str
    title: str
    suffixes: tuple[str, ...]
    write: Callable[[WorkflowDefinition], str]
    read: Callable[[str, str], WorkflowDefinition]


_FORMATS: dict[str, InterchangeFormat] = {}


def register_format(fmt: InterchangeFormat, *, replace: bool = False) -> InterchangeFormat:
    """Make ``fmt`` available by its name; another format under a known name is refused unless
    ``replace=True`` (a built-in format is never replaced by accident)."""
    existing = _FORMATS.get(fmt.name)
    if existing is not None and existing != fmt and not replace:
        raise InvalidValueError(
            "format", f"a format named {fmt.name!r} is already registered; say replace=True to replace it"
        )
    _FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> InterchangeFormat:
    """The format registered as ``name`` (InvalidValueError naming the known ones otherwise)."""
    found = _FORMATS.get(name)
    if found is None:
        raise InvalidValueError("format", f"{name!r} is not a known format; formats: {', '.join(_FORMATS)}")
    return found


def format_for_path(path: str | Path, explicit: str | None = None) -> InterchangeFormat:
    """The format ``explicit`` names, or the one whose suffix ``path`` has."""
    if explicit is not None:
        return get_format(explicit)
    suffix = Path(path).suffix.lower()
    for fmt in _FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt
    raise InvalidValueError(
        "format", f"cannot tell the format of {path} from its suffix; name one of: {', '.join(_FORMATS)}"
    )


def export_workflow(definition: WorkflowDefinition, format: str) -> str:
    """``definition`` written in ``format`` ("xstate", "scxml" or "yaml").

    Raise InterchangeError when the workflow says something the format cannot.

    >>> from missionflow.workflow import load_workflow
    >>> print(export_workflow(load_workflow("retainer"), "xstate").splitlines()[1])
      "id": "retainer",
    """
    return get_format(format).write(definition)


def import_workflow(text: str, format: str, source: str = "<string>") -> WorkflowDefinition:
    """The workflow ``text`` describes in ``format``, checked like a workflow file.

    Raise InterchangeError when the text is not a document of that format that a workflow can
    express, WorkflowDefinitionError when it is not a valid workflow; both list every problem
    with ``source`` and its line.
    """
    return get_format(format).read(text, source)


def import_workflow_file(path: str | Path, format: str | None = None) -> WorkflowDefinition:
    """The workflow in the file ``path``, in ``format`` or the one its suffix names."""
    fmt = format_for_path(path, format)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = DefinitionProblem(str(path), 1, f"not UTF-8 text (byte {exc.start})")
    except OSError as exc:
        problem = DefinitionProblem(str(path), 0, f"cannot read: {exc.strerror or exc}")
    else:
        return fmt.read(text, str(path))
    raise InterchangeError(f"{fmt.title} file", [problem])


register_format(InterchangeFormat("xstate", "XState document", (".json",), write_xstate, read_xstate))
register_format(InterchangeFormat("scxml", "SCXML document", (".scxml", ".xml"), write_scxml, read_scxml))
register_format(
    InterchangeFormat("yaml", "workflow file", (".yaml", ".yml"), definition_to_yaml, parse_workflow)
)

INTERCHANGE_FORMATS = tuple(_FORMATS)
"""The names of the built-in formats."""
