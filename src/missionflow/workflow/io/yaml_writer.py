"""A definition written back as a workflow file, in the layout of the shipped ones.

:func:`~missionflow.workflow.serialize.definition_to_data` decides what the file says; PyYAML
does the writing (quoting, escapes, YAML 1.1 words such as ``on`` kept as text). This module only
lays it out: it leaves out what the validator fills in by default and keeps labels, timers and
short lists on one line, as the shipped files do.
"""

from __future__ import annotations

from typing import Any

import yaml

from missionflow.workflow.definition import StateKind, WorkflowDefinition
from missionflow.workflow.serialize import definition_to_data


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key (``states:\\n  - id: ...``), as the shipped files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _Inline(dict[str, Any]):
    """A mapping written on one line: a label, the parameters of a guard."""


class _InlineList(list[Any]):
    """A list written on one line: sources, tags, effects, parties, guards without parameters."""


_Dumper.add_representer(
    _Inline, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)
)
_Dumper.add_representer(
    _InlineList,
    lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True),
)

_LABELS = ("label", "outcome", "done", "next", "after")
_NAMES = ("parties", "tags", "effects")


def definition_to_yaml(definition: WorkflowDefinition) -> str:
    """``definition`` as a workflow file that the validator reads back to an equal definition.

    >>> from missionflow.workflow import load_workflow, parse_workflow
    >>> text = definition_to_yaml(load_workflow("retainer"))
    >>> print(text.splitlines()[0])
    name: retainer
    >>> parse_workflow(text).state_ids == load_workflow("retainer").state_ids
    True
    """
    data = definition_to_data(definition)
    states = data.pop("states")
    transitions = data.pop("transitions")
    hooks = data.pop("hooks", None)
    if not data.get("description"):
        data.pop("description", None)
    assert isinstance(states, list)
    assert isinstance(transitions, list)
    sections = [
        _laid_out(data),
        {"states": [_laid_out(state) for state in states]},
        {"transitions": [_transition(transition) for transition in transitions]},
    ]
    if hooks:
        sections.append({"hooks": hooks})
    return "\n".join(_dump(section) for section in sections)


def _dump(section: dict[str, Any]) -> str:
    return yaml.dump(
        section,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _laid_out(fields: dict[str, Any]) -> dict[str, Any]:
    """Labels and lists of names on one line; a state's kind only when it is not the default."""
    laid: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "kind" and value == StateKind.ACTIVE.value:
            continue
        if key in _LABELS:
            value = _Inline(value)
        elif key in _NAMES:
            value = _InlineList(value)
        laid[key] = value
    return laid


def _transition(fields: dict[str, Any]) -> dict[str, Any]:
    laid = _laid_out(fields)
    source = laid["source"]
    if isinstance(source, list):
        laid["source"] = source[0] if len(source) == 1 else _InlineList(source)
    guards = laid.get("guards")
    if guards is not None:
        plain = all(isinstance(guard, str) for guard in guards)
        laid["guards"] = (
            _InlineList(guards)
            if plain
            else [
                guard if isinstance(guard, str) else {k: _Inline(v) for k, v in guard.items()}
                for guard in guards
            ]
        )
    return laid
