"""Moving a subject to another version of its workflow: where it lands, and whether the new rules
would have let it in.

A subject in state ``s`` moves to the state of the same id in the new version, or to the one a
mapping names (``--map old=new``). It is stranded when that state does not exist, or when its
guards are not met. **The guards of a state** are those of the transitions that lead into it in
the new version: the subject meets them when one such transition would have let it in, judged as
it entered its state, that is with the history it had before that step, the note, data and actor
of that step, at its time, and the other facts as they are now. The transition it actually came
by (same trigger from the same source) is tried first; a subject that never left the initial
state needs no guard to stay there.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace

from missionflow.errors import InvalidValueError
from missionflow.workflow.definition import TransitionDef, WorkflowDefinition
from missionflow.workflow.guards import GuardContext, get_guard
from missionflow.workflow.records import TransitionRecord
from missionflow.workflow.subject import Subject

MIGRATE_TRIGGER = "migrate"
"""The trigger of the history entry that records a move to another version."""


def landing_state(
    subject_state: str, target: WorkflowDefinition, mapping: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """The state a subject in ``subject_state`` lands in under ``target``, or None with the reason."""
    mapped = mapping.get(subject_state)
    if mapped is not None:
        return mapped, None
    if target.has_state(subject_state):
        return subject_state, None
    return None, (
        f"state {subject_state!r} does not exist in {target.key}: map it with --map {subject_state}=STATE"
    )


def check_mapping(
    mapping: Mapping[str, str], target: WorkflowDefinition, sources: Sequence[WorkflowDefinition]
) -> None:
    """Refuse (InvalidValueError) a mapping from a state no version being left has, or to a state
    the target does not have."""
    known = {state for definition in sources for state in definition.state_ids}
    for old, new in mapping.items():
        if sources and old not in known:
            listed = ", ".join(sorted(known))
            raise InvalidValueError("map", f"{old!r} is not a state of the versions being left ({listed})")
        if not target.has_state(new):
            raise InvalidValueError(
                "map", f"{new!r} is not a state of {target.key}; states: {', '.join(target.state_ids)}"
            )


def entry_refusals(
    target: WorkflowDefinition, subject: Subject, state: str, ctx: GuardContext
) -> tuple[str, ...]:
    """Why ``subject`` could not have entered ``state`` under ``target`` (empty when it could).

    ``ctx`` carries the application's facts and calendar; the moment, note, data and actor are
    those of the step that brought the subject into its current state.
    """
    history = list(subject.history)
    entry = _entry(history)
    if entry is None and state == target.initial:
        return ()
    candidates = [t for t in target.transitions if t.dest == state]
    if not candidates:
        return (f"no transition of {target.key} leads into {state!r}",)
    before = subject
    if entry is not None:
        index, record = entry
        before = copy.copy(subject)
        # The guards judge the step as it was taken: with the history before it.
        setattr(before, "history", history[:index])  # noqa: B010 - Subject declares history read-only
        ctx = replace(ctx, now=record.at, note=record.note, data=dict(record.data), actor=record.actor)
        came_by = target.transition(record.source, record.trigger)
        if came_by is not None and came_by in candidates:
            candidates.remove(came_by)
            candidates.insert(0, came_by)
    first: tuple[str, ...] | None = None
    for transition in candidates:
        refused = _refusals(transition, before, ctx)
        if not refused:
            return ()
        first = first or refused
    assert first is not None
    return first


def _entry(history: Sequence[TransitionRecord]) -> tuple[int, TransitionRecord] | None:
    """The last step that moved the subject into its state (or left and entered it again)."""
    for index in range(len(history) - 1, -1, -1):
        record = history[index]
        if record.source != record.dest:
            return index, record
    return None


def _refusals(transition: TransitionDef, subject: Subject, ctx: GuardContext) -> tuple[str, ...]:
    found = []
    for ref in transition.guards:
        spec = get_guard(ref.name)
        reason = f"unknown guard {ref.name!r}" if spec is None else spec.func(subject, ctx, ref.params)
        if reason is not None:
            found.append(f"{transition.trigger}: {reason}")
    return tuple(found)
