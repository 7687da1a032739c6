"""Where a mission stands: the triggers that move it forward, what blocks them, who acts next
(the client or the freelancer) and the states still to come. The status and pipeline reports share it.

A trigger moves a mission *forward* when it brings it closer to a successful end (a final state
that is not an exit): ``decline`` and ``terminate`` never do, nor internal triggers like ``deliver``.
Distances count only the transitions open to the mission: one blocked by a guard on the agreed
terms (:data:`TERMS_GUARDS`) is no way forward, since no action lifts it.

Who acts next, the rule: nobody once the mission is in a final state; when a forward trigger is
allowed now, whoever fires it (:data:`TRIGGER_PARTY`: the client approves, the freelancer does
the rest); otherwise whoever can lift the first guard that blocks it (:data:`GUARD_PARTY`). For
the default workflow this gives, state by state:

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

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from missionflow.definition import StateKind, TransitionDef, WorkflowDefinition
from missionflow.engine import TriggerOption, workflow_for
from missionflow.guards import GuardContext, get_guard
from missionflow.mission import Mission
from missionflow.settings import Settings

CLIENT = "client"
FREELANCER = "freelancer"

TRIGGER_PARTY: Mapping[str, str] = {"approve": CLIENT, "sign_contract": CLIENT}
"""Who fires a forward trigger once nothing blocks it; any other trigger is the freelancer's."""

GUARD_PARTY: Mapping[str, str] = {
    "contract_signed": CLIENT,
    "deposit_satisfied": CLIENT,
    "fully_paid": CLIENT,
    "lead_time_respected": CLIENT,
}
"""Who must act to lift a blocking guard; any other guard waits on the freelancer."""

TERMS_GUARDS = frozenset({"no_deposit_agreed"})
"""Guards that test the terms agreed rather than the progress made: a transition they block is
not a way forward for the mission (starting work right after the signature is only for missions
agreed without a deposit)."""


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
    (through the ``usable`` transitions only, when given)."""
    exits = {s.id for s in definition.states if s.kind is StateKind.EXIT}
    towards: dict[str, set[str]] = {}
    for transition in definition.transitions:
        if transition.dest is None or transition.dest in exits:
            continue
        if usable is not None and not usable(transition):
            continue
        for source in transition.sources:
            towards.setdefault(transition.dest, set()).add(source)
    distance = dict.fromkeys(success_states(definition), 0)
    queue = deque(distance)
    while queue:
        state = queue.popleft()
        for source in sorted(towards.get(state, ())):
            if source not in distance:
                distance[source] = distance[state] + 1
                queue.append(source)
    return distance


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


def assess_progress(
    mission: Mission, *, at: datetime | None = None, settings: Settings | None = None
) -> Progress:
    """Where ``mission`` stands at ``at`` (now when None), with its guards evaluated under ``settings``."""
    moment = at or datetime.now(UTC)
    workflow = workflow_for(mission)
    definition = workflow.definition
    state = definition.state(mission.state)
    ctx = GuardContext(moment, settings or Settings())

    def usable(transition: TransitionDef) -> bool:
        for ref in transition.guards:
            spec = get_guard(ref.name) if ref.name in TERMS_GUARDS else None
            if spec is not None and spec.func(mission, ctx, ref.params) is not None:
                return False
        return True

    distance = distances_to_success(definition, usable)
    here = distance.get(mission.state)
    forward: tuple[TriggerOption, ...] = ()
    if here is not None and not state.final:
        forward = tuple(
            option
            for option in workflow.triggers(mission, at=moment, settings=settings)
            if option.dest != option.source
            and distance.get(option.dest, here) < here
            and not any(not r.ok and r.guard in TERMS_GUARDS for r in option.results)
        )
    return Progress(
        state=mission.state,
        final=state.final,
        forward=forward,
        waiting_on=None if state.final else _waiting_on(forward),
        remaining=_remaining(definition, mission.state, distance, usable) if here is not None else (),
    )


def _waiting_on(forward: tuple[TriggerOption, ...]) -> str:
    allowed = [o for o in forward if o.allowed]
    if allowed:
        return TRIGGER_PARTY.get(allowed[0].trigger, FREELANCER)
    for option in forward:
        for result in option.results:
            if not result.ok:
                return GUARD_PARTY.get(result.guard, FREELANCER)
    return FREELANCER
