"""A definition written back out as data: what a store keeps of a workflow version, and the
neutral form the exporters start from. :func:`parse_workflow` reads it back to an equal definition."""

from __future__ import annotations

import json

from missionflow.workflow.definition import (
    Label,
    StateDef,
    TimerDef,
    TransitionDef,
    WorkflowDefinition,
    wildcard_sources,
)


def definition_to_data(definition: WorkflowDefinition) -> dict[str, object]:
    """The definition as plain JSON values, in the shape of a workflow file."""
    document: dict[str, object] = {
        "name": definition.name,
        "version": definition.version,
        "title": definition.title,
        "description": definition.description,
        "language": definition.language,
    }
    if definition.parties:
        document["parties"] = list(definition.parties)
    if definition.backdating:
        document["backdating"] = True
    document["initial"] = definition.initial
    document["states"] = [_state(state) for state in definition.states]
    document["transitions"] = [_transition(transition, definition) for transition in definition.transitions]
    if definition.hooks:
        document["hooks"] = [
            {
                "name": hook.name,
                "when": hook.when.value,
                **{
                    key: value
                    for key, value in (
                        ("trigger", hook.trigger),
                        ("source", hook.source),
                        ("dest", hook.dest),
                    )
                    if value is not None
                },
            }
            for hook in definition.hooks
        ]
    return document


def definition_as_json(definition: WorkflowDefinition) -> str:
    """A workflow definition written out as a JSON document that :func:`parse_workflow` reads back."""
    return json.dumps(definition_to_data(definition), indent=2, ensure_ascii=False) + "\n"


def _label(label: Label) -> dict[str, str]:
    return label.as_dict()


def _state(state: StateDef) -> dict[str, object]:
    item: dict[str, object] = {"id": state.id, "label": _label(state.label)}
    if state.description:
        item["description"] = state.description
    if state.final:
        item["final"] = True
    item["kind"] = state.kind.value
    if state.tags:
        item["tags"] = sorted(state.tags)
    if state.outcome is not None:
        item["outcome"] = _label(state.outcome)
    return item


def _transition(transition: TransitionDef, definition: WorkflowDefinition) -> dict[str, object]:
    entry: dict[str, object] = {"trigger": transition.trigger, "source": _source(transition, definition)}
    if transition.dest is not None:
        entry["dest"] = transition.dest
    if transition.guards:
        entry["guards"] = [g.name if not g.params else {g.name: dict(g.params)} for g in transition.guards]
    for key, label in (("label", transition.label), ("done", transition.done), ("next", transition.next)):
        if label is not None:
            entry[key] = _label(label)
    if transition.tags:
        entry["tags"] = sorted(transition.tags)
    if transition.effects:
        entry["effects"] = list(transition.effects)
    if transition.party is not None:
        entry["party"] = transition.party
    if transition.after is not None:
        entry["after"] = timer_to_data(transition.after)
    return entry


def timer_to_data(timer: TimerDef) -> dict[str, object]:
    """A transition's ``after:`` as the file says it (``{days: 7, since_last: [deliver]}``)."""
    data: dict[str, object] = {timer.unit.value: timer.amount if timer.fact is None else {"fact": timer.fact}}
    if timer.since_last:
        data["since_last"] = list(timer.since_last)
    if timer.since_fact is not None:
        data["since_fact"] = timer.since_fact
    if timer.unless_fired_since:
        data["unless_fired_since"] = list(timer.unless_fired_since)
    return data


def _source(transition: TransitionDef, definition: WorkflowDefinition) -> str | list[str]:
    """The sources as the file said them: ``'*'`` standing for the active states it adds.

    The validator reads ``[x, '*', y]`` as x, then every active state not listed yet (in file
    order), then y; so the sources that end with a run of active states in file order, followed
    by states that are not active, are written with ``'*'`` in place of that run.
    """
    sources = list(transition.sources)
    every = wildcard_sources(definition.states)
    if not transition.from_any or not every <= set(sources):
        return sources
    order = {state.id: number for number, state in enumerate(definition.states)}
    end = len(sources)
    while end and sources[end - 1] not in every:
        end -= 1
    start = end
    while (
        start
        and sources[start - 1] in every
        and (start == end or order[sources[start - 1]] < order[sources[start]])
    ):
        start -= 1
    said = [*sources[:start], "*", *sources[end:]]
    return "*" if said == ["*"] else said
