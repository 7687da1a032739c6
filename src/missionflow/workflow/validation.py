"""The strict validator: turns a parsed workflow file into a definition, or lists every problem.

Every check runs in time linear in the size of the file: a transition from ``'*'`` is checked
once, not once per state it leaves (see :mod:`missionflow.workflow.graph`).
"""

from __future__ import annotations

from missionflow.errors import WorkflowDefinitionError
from missionflow.workflow._checker import IDENT, LANG, NAME, Checker, describe
from missionflow.workflow._transitions import read_hooks, read_transitions
from missionflow.workflow.definition import (
    StateDef,
    StateKind,
    TransitionDef,
    WorkflowDefinition,
    wildcard_sources,
)
from missionflow.workflow.graph import Moves
from missionflow.workflow.yaml_nodes import Node

TOP_KEYS = {
    "name",
    "version",
    "title",
    "description",
    "language",
    "parties",
    "initial",
    "states",
    "transitions",
    "hooks",
    "backdating",
}
STATE_KEYS = {"id", "label", "description", "final", "kind", "tags", "outcome"}
MAX_STATES = 5_000
"""More states than any lifecycle needs; a file over it is refused before its graph is walked."""


def build_definition(root: Node, source: str) -> WorkflowDefinition:
    """Check a parsed file and build its definition; raise WorkflowDefinitionError listing every problem."""
    check = Checker(source)
    top = check.mapping(root, "the workflow", TOP_KEYS)
    if top is None:
        raise WorkflowDefinitionError(check.problems)
    check.language = _language(check, top)
    name = check.text(top, "name", "the workflow", required=True, pattern=NAME)
    version = _version(check, top)
    title = check.text(top, "title", "the workflow", required=False, default=name or "") or ""
    description = check.text(top, "description", "the workflow", required=False) or ""
    parties = tuple(party for party, _ in check.names(top.get("parties"), "'parties'"))
    initial_node = top.get("initial")
    initial = check.text(top, "initial", "the workflow", required=True)

    states = _states(check, top.get("states"), root.line)
    state_ids = {s.id for s in states}
    wildcard = wildcard_sources(states)
    active = tuple(s.id for s in states if s.id in wildcard)
    transitions = read_transitions(check, top.get("transitions"), root.line, state_ids, active, parties)
    hooks = read_hooks(check, top.get("hooks"), state_ids, transitions)

    if initial is not None and initial_node is not None and initial not in state_ids and states:
        check.problem(initial_node.line, f"initial state {initial!r} is not a declared state")
    if initial is not None and initial in state_ids:
        _check_graph(check, initial, states, transitions)
    if check.problems or name is None or version is None or initial is None:
        raise WorkflowDefinitionError(check.problems)
    return WorkflowDefinition(
        name=name,
        version=version,
        title=title,
        description=description,
        initial=initial,
        states=tuple(states),
        transitions=tuple(transitions),
        source=source,
        hooks=tuple(hooks),
        language=check.language,
        parties=parties,
        backdating=check.flag(top, "backdating", "the workflow"),
    )


def _language(check: Checker, top: dict[str, Node]) -> str:
    node = top.get("language")
    if node is None:
        return "en"
    value = check.name(node, "'language' of the workflow", LANG)
    return value if value is not None else "en"


def _version(check: Checker, top: dict[str, Node]) -> int | None:
    node = top.get("version")
    if node is None:
        check.problem(
            1, "the workflow has no 'version': add `version: 1` and raise it on every change of rules"
        )
        return None
    if not isinstance(node.value, int) or isinstance(node.value, bool) or node.value < 1:
        check.problem(node.line, f"'version' must be a whole number from 1, got {describe(node)}")
        return None
    return node.value


def _states(check: Checker, node: Node | None, top_line: int) -> list[StateDef]:
    if node is None:
        check.problem(
            top_line, "the workflow has no 'states': list them as `states: [{id: ..., label: ...}]`"
        )
        return []
    if not isinstance(node.value, list) or not node.value:
        check.problem(
            node.line,
            f"'states' must be a non-empty list, got {describe(node) if node.value != [] else 'an empty list'}",
        )
        return []
    if len(node.value) > MAX_STATES:
        check.problem(
            node.line, f"{len(node.value)} states is more than the {MAX_STATES} a workflow may have"
        )
        return []
    states: list[StateDef] = []
    seen: set[str] = set()
    for item in node.value:
        mapping = check.mapping(item, "a state", STATE_KEYS)
        if mapping is None:
            continue
        state_id = check.text(mapping, "id", "a state", required=True, pattern=IDENT)
        if state_id is None:
            continue
        if state_id in seen:
            check.problem(item.line, f"state {state_id!r} is declared twice")
            continue
        seen.add(state_id)
        what = f"state {state_id!r}"
        outcome = mapping.get("outcome")
        states.append(
            StateDef(
                id=state_id,
                label=check.label(mapping.get("label"), what, state_id),
                description=check.text(mapping, "description", what, required=False) or "",
                final=check.flag(mapping, "final", what),
                kind=_state_kind(check, mapping, what),
                tags=frozenset(tag for tag, _ in check.names(mapping.get("tags"), f"the tags of {what}")),
                outcome=check.label(outcome, f"the outcome of {what}", state_id) if outcome else None,
                line=item.line,
            )
        )
    return states


def _state_kind(check: Checker, mapping: dict[str, Node], what: str) -> StateKind:
    node = mapping.get("kind")
    if node is None:
        return StateKind.ACTIVE
    kinds = [k.value for k in StateKind]
    if node.value not in kinds:
        check.problem(node.line, f"'kind' of {what} must be one of {', '.join(kinds)}, got {describe(node)}")
        return StateKind.ACTIVE
    return StateKind(node.value)


def _check_graph(
    check: Checker, initial: str, states: list[StateDef], transitions: list[TransitionDef]
) -> None:
    """Every state reachable, final states never left, no dead end, and a way to a final state
    from every state a subject can be in."""
    moves = Moves(states, transitions)
    by_id = {s.id: s for s in states}
    reachable = moves.reachable_from(initial)
    for state in states:
        if state.id not in reachable:
            check.problem(
                state.line,
                f"state {state.id!r} cannot be reached from the initial state {initial!r}; add a transition to it or remove it",
            )
    for state in states:
        way_out = moves.has_way_out(state.id)
        if state.final and way_out:
            check.problem(
                state.line, f"final state {state.id!r} has transitions out of it; a final state is never left"
            )
        if not state.final and not way_out:
            check.problem(
                state.line,
                f"state {state.id!r} is not final and has no way out; add a transition from it or mark it `final: true`",
            )
    finals = [s.id for s in states if s.final]
    if not finals:
        check.problem(by_id[initial].line, "no state is final: mark the end states with `final: true`")
    elif not reachable.intersection(finals):
        check.problem(
            by_id[initial].line, f"no path leads from the initial state {initial!r} to a final state"
        )
    else:
        # A loop with no exit (a <-> b) gives every state a way out and still traps a subject.
        can_finish = moves.distances_to(finals)
        for state in states:
            if state.id in reachable and moves.has_way_out(state.id) and state.id not in can_finish:
                check.problem(
                    state.line,
                    f"no final state can be reached from state {state.id!r}: a subject there could never end",
                )
