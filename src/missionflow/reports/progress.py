"""Where a mission stands: the triggers that move it forward, what blocks them, who acts next
(the client or the freelancer) and the states still to come. The status and pipeline reports share it.

A trigger moves a mission *forward* when it brings it closer to a successful end (a final state
that is not an exit): ``decline`` and ``terminate`` never do, nor internal triggers like ``deliver``.
Distances count only the transitions open to the mission: one blocked by a guard on the agreed
terms (:data:`TERMS_GUARDS`) is no way forward, since no action lifts it.

Who acts next, the rule: nobody once the mission is in a final state; when a forward trigger is
allowed now, the party the workflow says fires it (``party:``, else the workflow's first party);
otherwise the party of the first guard that blocks it (declared with the guard), else that same
first party. For the default workflow this gives, state by state:

=================  =======================================================================
lead               freelancer (review the request)
criteria_check     freelancer (check the criteria); the client when the deadline is too close
specification      freelancer while the specification is incomplete, then the client (sign)
contract_signed    client (pay the deposit); the freelancer once it is paid (confirm it) or
                   when none was agreed (start the work)
deposit_received   freelancer (start the work)
in_progress        freelancer while a deliverable is pending, then the client (approve)
revisions          same as in_progress
approved           freelancer (send the final invoice)
invoiced           client (pay); the freelancer once everything is paid (settle)
paid, declined,    nobody
terminated
=================  =======================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from missionflow.freelance import Mission, Settings, context_of
from missionflow.freelance.vocabulary import CLIENT, FREELANCER
from missionflow.workflow import (
    Moves,
    StateKind,
    TransitionDef,
    TriggerOption,
    WorkflowDefinition,
    get_guard,
    workflow_for,
)

__all__ = ["CLIENT", "FREELANCER", "Progress", "assess_progress", "distances_to_success", "success_states"]


@dataclass(frozen=True)
class Progress:
    """A mission's position: what moves it forward now and who must act.

    ``remaining`` lists the states after the current one on the shortest way to a successful end.
    """

    state: str
    final: bool
    forward: tuple[TriggerOption, ...]
    waiting_on: str | None
    remaining: tuple[str, ...]

    @property
    def next_option(self) -> TriggerOption | None:
        """The forward trigger the report talks about: the first allowed one, else the first one."""
        allowed = [o for o in self.forward if o.allowed]
        if allowed:
            return allowed[0]
        return self.forward[0] if self.forward else None


def success_states(definition: WorkflowDefinition) -> tuple[str, ...]:
    """The final states that are not exits: where a mission ends well."""
    return tuple(s.id for s in definition.states if s.final and s.kind is not StateKind.EXIT)


def distances_to_success(
    definition: WorkflowDefinition, usable: Callable[[TransitionDef], bool] | None = None
) -> dict[str, int]:
    """For each state that can still end well, the fewest transitions to a successful end
    (through the ``usable`` transitions only, when given; never through a way out)."""
    exits = {s.id for s in definition.states if s.kind is StateKind.EXIT}

    def forward(transition: TransitionDef) -> bool:
        return transition.dest not in exits and (usable is None or usable(transition))

    return Moves.of(definition, forward).distances_to(success_states(definition))


def _remaining(
    definition: WorkflowDefinition,
    state: str,
    distance: Mapping[str, int],
    usable: Callable[[TransitionDef], bool],
) -> tuple[str, ...]:
    path: list[str] = []
    current = state
    while distance.get(current, 0) > 0:
        closer = [
            t.dest_from(current)
            for t in definition.transitions_from(current)
            if usable(t) and distance.get(t.dest_from(current), distance[current]) < distance[current]
        ]
        current = min(closer, key=lambda s: distance[s])
        path.append(current)
    return tuple(path)


def _is_terms(guard: str) -> bool:
    """True for a guard on terms agreed once: a transition it blocks is no way forward."""
    spec = get_guard(guard)
    return spec is not None and spec.terms


def assess_progress(
    mission: Mission,
    *,
    at: datetime | None = None,
    settings: Settings | None = None,
    facts: Mapping[str, object] | None = None,
) -> Progress:
    """Where ``mission`` stands at ``at`` (now when None), with its guards evaluated under
    ``settings`` and the application's ``facts``."""
    workflow = workflow_for(mission)
    definition = workflow.definition
    state = definition.state(mission.state)
    ctx = context_of(mission, settings, at=at, facts=facts)

    def usable(transition: TransitionDef) -> bool:
        for ref in transition.guards:
            spec = get_guard(ref.name)
            if spec is not None and spec.terms and spec.func(mission, ctx, ref.params) is not None:
                return False
        return True

    distance = distances_to_success(definition, usable)
    here = distance.get(mission.state)
    forward: tuple[TriggerOption, ...] = ()
    if here is not None and not state.final:
        forward = tuple(
            option
            for option in workflow.triggers(mission, ctx)
            if option.dest != option.source
            and distance.get(option.dest, here) < here
            and not any(not r.ok and _is_terms(r.guard) for r in option.results)
        )
    return Progress(
        state=mission.state,
        final=state.final,
        forward=forward,
        waiting_on=None if state.final else _waiting_on(definition, forward),
        remaining=_remaining(definition, mission.state, distance, usable) if here is not None else (),
    )


def _waiting_on(definition: WorkflowDefinition, forward: tuple[TriggerOption, ...]) -> str:
    """Who acts next: the party firing the first allowed forward trigger, else the party of the
    first guard that blocks one (the workflow's first party by default)."""
    default = definition.parties[0] if definition.parties else FREELANCER
    allowed = [o for o in forward if o.allowed]
    if allowed:
        transition = definition.transition(allowed[0].source, allowed[0].trigger)
        return (definition.party_of(transition) if transition is not None else None) or default
    for option in forward:
        for result in option.results:
            if not result.ok:
                spec = get_guard(result.guard)
                return (spec.party if spec is not None else None) or default
    return default
