"""What makes two definitions of a workflow equivalent, or equal, as plain values to compare."""

from __future__ import annotations

import dataclasses

from missionflow.workflow import WorkflowDefinition


def normal_form(definition: WorkflowDefinition) -> dict[str, object]:
    """Everything a workflow says, without what does not change its meaning: line numbers, the
    file it came from, and how transitions are grouped and ordered across states (each state's
    own transitions keep their order)."""
    return {
        "name": definition.name,
        "version": definition.version,
        "title": definition.title,
        "description": definition.description,
        "language": definition.language,
        "parties": definition.parties,
        "backdating": definition.backdating,
        "initial": definition.initial,
        "states": [
            (s.id, s.label, s.description, s.final, s.kind, s.tags, s.outcome) for s in definition.states
        ],
        "transitions": {
            state: [
                (
                    t.trigger,
                    t.dest,
                    [(g.name, dict(g.params)) for g in t.guards],
                    t.label,
                    t.tags,
                    t.effects,
                    t.party,
                    t.done,
                    t.next,
                    t.from_any,
                    t.after,
                )
                for t in definition.transitions_from(state)
            ]
            for state in definition.state_ids
        },
        "hooks": [(h.name, h.when, h.trigger, h.source, h.dest) for h in definition.hooks],
    }


def without_places(definition: WorkflowDefinition) -> WorkflowDefinition:
    """``definition`` with its file and every line number blanked: two of them are equal when
    they say the same thing in the same order, wherever they were read from."""
    return dataclasses.replace(
        definition,
        source="",
        states=tuple(dataclasses.replace(s, line=0) for s in definition.states),
        transitions=tuple(
            dataclasses.replace(t, line=0, guards=tuple(dataclasses.replace(g, line=0) for g in t.guards))
            for t in definition.transitions
        ),
        hooks=tuple(dataclasses.replace(h, line=0) for h in definition.hooks),
    )
