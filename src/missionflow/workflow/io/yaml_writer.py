"""A definition written back as a workflow file, in the layout of the shipped ones.

PyYAML does the writing (quoting, escapes, YAML 1.1 words such as ``on`` kept as text); this
module only decides the order of the keys, leaves out what the validator fills in by default,
and keeps short lists and labels on one line as the shipped files do.
"""

from __future__ import annotations

from typing import Any

import yaml

from missionflow.definition import GuardRef, HookRef, StateDef, StateKind, TransitionDef, WorkflowDefinition


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key (``states:\\n  - id: ...``), as the shipped files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _Inline(dict[str, Any]):
    """A mapping written on one line: a label, the parameters of a guard."""


class _InlineList(list[Any]):
    """A list written on one line: sources, guards without parameters."""


_Dumper.add_representer(
    _Inline, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)
)
_Dumper.add_representer(
    _InlineList,
    lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True),
)


def definition_to_yaml(definition: WorkflowDefinition) -> str:
    """``definition`` as a workflow file that the validator reads back to an equal definition.

    >>> from missionflow import load_workflow, parse_workflow
    >>> text = definition_to_yaml(load_workflow("retainer"))
    >>> print(text.splitlines()[0])
    name: retainer
    >>> parse_workflow(text).state_ids == load_workflow("retainer").state_ids
    True
    """
    header: dict[str, Any] = {
        "name": definition.name,
        "version": definition.version,
        "title": definition.title,
    }
    if definition.description:
        header["description"] = definition.description
    header["initial"] = definition.initial
    sections = [
        header,
        {"states": [_state(s) for s in definition.states]},
        {"transitions": [_transition(t) for t in definition.transitions]},
    ]
    if definition.hooks:
        sections.append({"hooks": [_hook(h) for h in definition.hooks]})
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


def _state(state: StateDef) -> dict[str, Any]:
    fields: dict[str, Any] = {"id": state.id, "label": _Inline(en=state.label.en, fr=state.label.fr)}
    if state.description:
        fields["description"] = state.description
    if state.final:
        fields["final"] = True
    if state.kind is not StateKind.ACTIVE:
        fields["kind"] = state.kind.value
    return fields


def _transition(transition: TransitionDef) -> dict[str, Any]:
    sources = transition.sources
    fields: dict[str, Any] = {
        "trigger": transition.trigger,
        "source": sources[0] if len(sources) == 1 else _InlineList(sources),
    }
    if transition.dest is not None:
        fields["dest"] = transition.dest
    if transition.guards:
        guards = [_guard(g) for g in transition.guards]
        plain = all(isinstance(g, str) for g in guards)
        fields["guards"] = _InlineList(guards) if plain else guards
    if transition.label is not None:
        fields["label"] = _Inline(en=transition.label.en, fr=transition.label.fr)
    return fields


def _guard(guard: GuardRef) -> str | dict[str, Any]:
    return {guard.name: _Inline(guard.params)} if guard.params else guard.name


def _hook(hook: HookRef) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": hook.name, "when": hook.when.value}
    for key in ("trigger", "source", "dest"):
        value = getattr(hook, key)
        if value is not None:
            fields[key] = value
    return fields
