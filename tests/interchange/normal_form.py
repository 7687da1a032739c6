"""What makes two definitions of a workflow equivalent, as a plain value to compare."""

from __future__ import annotations

from missionflow import WorkflowDefinition


def normal_form(definition: WorkflowDefinition) -> dict[str, object]:
    """Everything a workflow says, without what does not change its meaning: line numbers, the
    file it came from, and how transitions are grouped and ordered across states (each state's
    own transitions keep their order)."""
    return {
        "name": definition.name,
        "version": definition.version,
        "title": definition.title,
        "description": definition.description,
        "initial": definition.initial,
        "states": [(s.id, s.label, s.description, s.final, s.kind) for s in definition.states],
        "transitions": {
            state: [
                (t.trigger, t.dest, [(g.name, dict(g.params)) for g in t.guards], t.label)
                for t in definition.transitions_from(state)
            ]
            for state in definition.state_ids
        },
        "hooks": [(h.name, h.when, h.trigger, h.source, h.dest) for h in definition.hooks],
    }
