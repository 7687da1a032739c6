"""The strict validator: turns a parsed workflow file into a definition, or lists every problem."""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Callable, Mapping

from missionflow._yaml import Node
from missionflow.definition import (
    GuardParam,
    GuardRef,
    HookMoment,
    HookRef,
    Label,
    StateDef,
    StateKind,
    TransitionDef,
    WorkflowDefinition,
)
from missionflow.errors import DefinitionProblem, WorkflowDefinitionError
from missionflow.guards import get_guard
from missionflow.hooks import load_named_hook
from missionflow.mission import Mission

WILDCARD = "*"
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")

TOP_KEYS = {"name", "version", "title", "description", "initial", "states", "transitions", "hooks"}
STATE_KEYS = {"id", "label", "description", "final", "kind"}
TRANSITION_KEYS = {"trigger", "source", "dest", "guards", "label"}
LABEL_KEYS = {"en", "fr"}
HOOK_KEYS = {"name", "when", "trigger", "source", "dest"}

RESERVED_TRIGGERS = frozenset(
    {f.name for f in dataclasses.fields(Mission)}
    | {name for name in dir(Mission) if not name.startswith("__")}
    | {"fire", "trigger", "triggers", "may", "to", "path_to"}
)
"""Trigger names that would clash with what a mission object already has."""


class _Checker:
    """Collects problems while reading one file, so that all of them are reported at once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[DefinitionProblem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(DefinitionProblem(self.source, line, message))

    def mapping(self, node: Node, what: str, allowed: set[str]) -> dict[str, Node] | None:
        if not isinstance(node.value, dict):
            self.problem(node.line, f"{what} must be a mapping of keys to values, got {_kind(node)}")
            return None
        for key, child in node.value.items():
            if key not in allowed:
                self.problem(
                    child.line,
                    f"unknown key {key!r} in {what}; allowed keys: {', '.join(sorted(allowed))}",
                )
        return node.value

    def text(
        self,
        parent: dict[str, Node],
        key: str,
        what: str,
        *,
        required: bool,
        pattern: re.Pattern[str] | None = None,
        default: str = "",
    ) -> str | None:
        node = parent.get(key)
        if node is None:
            if required:
                line = min((c.line for c in parent.values()), default=1)
                self.problem(line, f"{what} has no {key!r}: add `{key}: ...`")
                return None
            return default
        if not isinstance(node.value, str) or isinstance(node.value, bool):
            self.problem(node.line, f"{key!r} of {what} must be text, got {_kind(node)}")
            return None
        if pattern is not None and not pattern.match(node.value):
            self.problem(
                node.line,
                f"{key!r} of {what} is {node.value!r}: use lower-case letters, digits and "
                f"{'-' if pattern is _NAME else '_'}, starting with a letter",
            )
            return None
        return node.value

    def label(self, node: Node | None, what: str, fallback: str) -> Label:
        if node is None:
            text = fallback.replace("_", " ").capitalize()
            return Label(text, text)
        mapping = self.mapping(node, f"the label of {what}", LABEL_KEYS)
        if mapping is None:
            return Label(fallback, fallback)
        texts = {}
        for lang in ("en", "fr"):
            child = mapping.get(lang)
            if child is None:
                self.problem(node.line, f"the label of {what} has no {lang!r} text: add `{lang}: ...`")
                texts[lang] = fallback
            elif not isinstance(child.value, str):
                self.problem(child.line, f"the {lang!r} label of {what} must be text, got {_kind(child)}")
                texts[lang] = fallback
            else:
                texts[lang] = child.value
        return Label(texts["en"], texts["fr"])


def _kind(node: Node) -> str:
    value = node.value
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    return f"text ({value!r})"


def build_definition(root: Node, source: str) -> WorkflowDefinition:
    """Check a parsed file and build its definition; raise WorkflowDefinitionError listing every problem."""
    check = _Checker(source)
    top = check.mapping(root, "the workflow", TOP_KEYS)
    if top is None:
        raise WorkflowDefinitionError(check.problems)
    name = check.text(top, "name", "the workflow", required=True, pattern=_NAME)
    version = _version(check, top)
    title = check.text(top, "title", "the workflow", required=False, default=name or "") or ""
    description = check.text(top, "description", "the workflow", required=False) or ""
    initial_node = top.get("initial")
    initial = check.text(top, "initial", "the workflow", required=True)

    states = _states(check, top.get("states"), root.line)
    state_ids = {s.id for s in states}
    active = tuple(s.id for s in states if not s.final and s.kind is StateKind.ACTIVE)
    transitions = _transitions(check, top.get("transitions"), root.line, state_ids, active)
    hooks = _hooks(check, top.get("hooks"), state_ids, transitions)

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
    )


def _version(check: _Checker, top: dict[str, Node]) -> int | None:
    node = top.get("version")
    if node is None:
        check.problem(
            1, "the workflow has no 'version': add `version: 1` and raise it on every change of rules"
        )
        return None
    if not isinstance(node.value, int) or isinstance(node.value, bool) or node.value < 1:
        check.problem(node.line, f"'version' must be a whole number from 1, got {_kind(node)}")
        return None
    return node.value


def _states(check: _Checker, node: Node | None, top_line: int) -> list[StateDef]:
    if node is None:
        check.problem(
            top_line, "the workflow has no 'states': list them as `states: [{id: ..., label: ...}]`"
        )
        return []
    if not isinstance(node.value, list) or not node.value:
        check.problem(
            node.line,
            f"'states' must be a non-empty list, got {_kind(node) if node.value != [] else 'an empty list'}",
        )
        return []
    states: list[StateDef] = []
    seen: set[str] = set()
    for item in node.value:
        mapping = check.mapping(item, "a state", STATE_KEYS)
        if mapping is None:
            continue
        state_id = check.text(mapping, "id", "a state", required=True, pattern=_IDENT)
        if state_id is None:
            continue
        if state_id in seen:
            check.problem(item.line, f"state {state_id!r} is declared twice")
            continue
        seen.add(state_id)
        what = f"state {state_id!r}"
        final = _flag(check, mapping, "final", what)
        kind = _state_kind(check, mapping, what)
        states.append(
            StateDef(
                id=state_id,
                label=check.label(mapping.get("label"), what, state_id),
                description=check.text(mapping, "description", what, required=False) or "",
                final=final,
                kind=kind,
                line=item.line,
            )
        )
    return states


def _flag(check: _Checker, mapping: dict[str, Node], key: str, what: str) -> bool:
    node = mapping.get(key)
    if node is None:
        return False
    if not isinstance(node.value, bool):
        check.problem(node.line, f"{key!r} of {what} must be true or false, got {_kind(node)}")
        return False
    return node.value


def _state_kind(check: _Checker, mapping: dict[str, Node], what: str) -> StateKind:
    node = mapping.get("kind")
    if node is None:
        return StateKind.ACTIVE
    kinds = [k.value for k in StateKind]
    if node.value not in kinds:
        check.problem(node.line, f"'kind' of {what} must be one of {', '.join(kinds)}, got {_kind(node)}")
        return StateKind.ACTIVE
    return StateKind(node.value)


def _transitions(
    check: _Checker,
    node: Node | None,
    top_line: int,
    state_ids: set[str],
    active: tuple[str, ...],
) -> list[TransitionDef]:
    if node is None:
        check.problem(
            top_line,
            "the workflow has no 'transitions': list them as `transitions: [{trigger: ..., source: ..., dest: ...}]`",
        )
        return []
    if not isinstance(node.value, list):
        check.problem(node.line, f"'transitions' must be a list, got {_kind(node)}")
        return []
    transitions: list[TransitionDef] = []
    pairs: dict[tuple[str, str], int] = {}
    for item in node.value:
        mapping = check.mapping(item, "a transition", TRANSITION_KEYS)
        if mapping is None:
            continue
        trigger = check.text(mapping, "trigger", "a transition", required=True, pattern=_IDENT)
        if trigger is None:
            continue
        what = f"transition {trigger!r}"
        if trigger in RESERVED_TRIGGERS:
            check.problem(
                mapping["trigger"].line,
                f"trigger {trigger!r} clashes with an attribute of a mission; choose another verb",
            )
        sources = _sources(check, mapping.get("source"), item.line, what, state_ids, active)
        dest = _dest(check, mapping, what, state_ids)
        guards = _guards(check, mapping.get("guards"), what)
        for source in sources:
            earlier = pairs.get((trigger, source))
            if earlier is not None:
                check.problem(
                    item.line,
                    f"trigger {trigger!r} from state {source!r} is already defined on line {earlier}; "
                    "a trigger leaves a state one way only (merge the guards)",
                )
            else:
                pairs[(trigger, source)] = item.line
        label_node = mapping.get("label")
        transitions.append(
            TransitionDef(
                trigger=trigger,
                sources=tuple(sources),
                dest=dest,
                guards=tuple(guards),
                label=check.label(label_node, what, trigger) if label_node is not None else None,
                line=item.line,
            )
        )
    return transitions


def _sources(
    check: _Checker, node: Node | None, line: int, what: str, state_ids: set[str], active: tuple[str, ...]
) -> list[str]:
    if node is None:
        check.problem(
            line, f"{what} has no 'source': name a state, a list of states, or '*' for every active state"
        )
        return []
    items = node.value if isinstance(node.value, list) else [node]
    sources: list[str] = []
    for item in items:
        if not isinstance(item.value, str):
            check.problem(item.line, f"a source of {what} must be a state id, got {_kind(item)}")
        elif item.value == WILDCARD:
            sources.extend(s for s in active if s not in sources)
        elif item.value not in state_ids:
            check.problem(
                item.line, f"{what} leaves from unknown state {item.value!r}; declare it under 'states'"
            )
        elif item.value not in sources:
            sources.append(item.value)
    return sources


def _dest(check: _Checker, mapping: dict[str, Node], what: str, state_ids: set[str]) -> str | None:
    node = mapping.get("dest")
    if node is None or node.value is None:
        return None
    if not isinstance(node.value, str):
        check.problem(node.line, f"'dest' of {what} must be a state id, got {_kind(node)}")
        return None
    if node.value not in state_ids:
        check.problem(node.line, f"{what} goes to unknown state {node.value!r}; declare it under 'states'")
        return None
    return node.value


def _guards(check: _Checker, node: Node | None, what: str) -> list[GuardRef]:
    if node is None:
        return []
    if not isinstance(node.value, list):
        check.problem(node.line, f"'guards' of {what} must be a list, got {_kind(node)}")
        return []
    guards = []
    for item in node.value:
        params: dict[str, GuardParam] = {}
        if isinstance(item.value, str):
            name = item.value
        elif isinstance(item.value, dict) and len(item.value) == 1:
            name, params_node = next(iter(item.value.items()))
            params = _guard_params(check, params_node, name)
        else:
            check.problem(
                item.line, f"a guard of {what} must be a name or `name: {{param: value}}`, got {_kind(item)}"
            )
            continue
        spec = get_guard(name)
        if spec is None:
            check.problem(item.line, f"unknown guard {name!r} in {what}; register it or use a built-in guard")
            continue
        for key, value in params.items():
            expected = spec.params.get(key)
            if expected is None:
                allowed = ", ".join(sorted(spec.params)) or "none"
                check.problem(item.line, f"guard {name!r} has no parameter {key!r} (parameters: {allowed})")
            elif not _fits(value, expected):
                check.problem(
                    item.line,
                    f"parameter {key!r} of guard {name!r} must be {expected.__name__}, got {value!r}",
                )
        guards.append(GuardRef(name, params, item.line))
    return guards


def _guard_params(check: _Checker, node: Node, guard: str) -> dict[str, GuardParam]:
    if node.value is None:
        return {}
    if not isinstance(node.value, dict):
        check.problem(node.line, f"the parameters of guard {guard!r} must be a mapping, got {_kind(node)}")
        return {}
    params: dict[str, GuardParam] = {}
    for key, child in node.value.items():
        if isinstance(child.value, (dict, list, float)):
            check.problem(
                child.line, f"parameter {key!r} of guard {guard!r} must be text, a whole number or true/false"
            )
        else:
            params[key] = child.value
    return params


def _hooks(
    check: _Checker, node: Node | None, state_ids: set[str], transitions: list[TransitionDef]
) -> list[HookRef]:
    """``hooks:``: each entry names an installed hook, when it runs and, optionally, what it listens to."""
    if node is None:
        return []
    if not isinstance(node.value, list):
        check.problem(node.line, f"'hooks' must be a list, got {_kind(node)}")
        return []
    triggers = {t.trigger: t for t in transitions}
    moments = [m.value for m in HookMoment]
    hooks = []
    for item in node.value:
        mapping = check.mapping(item, "a hook", HOOK_KEYS)
        if mapping is None:
            continue
        name = check.text(mapping, "name", "a hook", required=True)
        what = f"hook {name!r}" if name else "a hook"
        when = check.text(mapping, "when", what, required=True)
        if when is not None and when not in moments:
            check.problem(
                mapping["when"].line, f"'when' of {what} must be one of {', '.join(moments)}, got {when!r}"
            )
            when = None
        trigger = _hook_filter(check, mapping, "trigger", what, set(triggers), "trigger of the workflow")
        source = _hook_filter(check, mapping, "source", what, state_ids, "declared state")
        dest = _hook_filter(check, mapping, "dest", what, state_ids, "declared state")
        transition = triggers.get(trigger) if trigger is not None else None
        if transition is not None and source is not None and source not in transition.sources:
            check.problem(
                mapping["source"].line,
                f"{what} would never run: trigger {trigger!r} does not leave state {source!r}",
            )
        if transition is not None and dest is not None and dest not in _dests(transition):
            check.problem(
                mapping["dest"].line,
                f"{what} would never run: trigger {trigger!r} does not lead to state {dest!r}",
            )
        if name is not None and not _hook_installed(check, mapping["name"].line, name):
            continue
        if name is not None and when is not None:
            hooks.append(HookRef(name, HookMoment(when), trigger, source, dest, item.line))
    return hooks


def _hook_filter(
    check: _Checker, mapping: dict[str, Node], key: str, what: str, known: set[str], kind: str
) -> str | None:
    if key not in mapping:
        return None
    value = check.text(mapping, key, what, required=False)
    if value is not None and value not in known:
        check.problem(mapping[key].line, f"{key!r} of {what} is {value!r}, which is not a {kind}")
        return None
    return value


def _dests(transition: TransitionDef) -> set[str]:
    return {transition.dest_from(source) for source in transition.sources}


def _hook_installed(check: _Checker, line: int, name: str) -> bool:
    try:
        found = load_named_hook(name)
    except Exception as error:  # a broken plugin is reported like any other problem of the file
        check.problem(line, f"hook {name!r} cannot be loaded: {type(error).__name__}: {error}")
        return False
    if found is None:
        check.problem(
            line,
            f"unknown hook {name!r}: no installed package declares it in the entry-point group "
            "'missionflow.hooks'",
        )
        return False
    return True


def _fits(value: GuardParam, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _check_graph(
    check: _Checker, initial: str, states: list[StateDef], transitions: list[TransitionDef]
) -> None:
    edges: dict[str, set[str]] = {s.id: set() for s in states}
    for t in transitions:
        for source in t.sources:
            if t.dest is not None and t.dest != source:
                edges[source].add(t.dest)
    by_id = {s.id: s for s in states}
    reachable = _reach(initial, edges.__getitem__)
    for state in states:
        if state.id not in reachable:
            check.problem(
                state.line,
                f"state {state.id!r} cannot be reached from the initial state {initial!r}; add a transition to it or remove it",
            )
    for state in states:
        if state.final and edges[state.id]:
            check.problem(
                state.line, f"final state {state.id!r} has transitions out of it; a final state is never left"
            )
        if not state.final and not edges[state.id]:
            check.problem(
                state.line,
                f"state {state.id!r} is not final and has no way out; add a transition from it or mark it `final: true`",
            )
    finals = {s.id for s in states if s.final}
    if not finals:
        check.problem(by_id[initial].line, "no state is final: mark the end states with `final: true`")
    elif not reachable & finals:
        check.problem(
            by_id[initial].line, f"no path leads from the initial state {initial!r} to a final state"
        )
    else:
        # A loop with no exit (a <-> b) gives every state a way out and still traps a mission.
        into: dict[str, set[str]] = {s.id: set() for s in states}
        for source, dests in edges.items():
            for dest in dests:
                into[dest].add(source)
        can_finish = set().union(*(_reach(final, into.__getitem__) for final in finals))
        for state in states:
            if state.id in reachable and edges[state.id] and state.id not in can_finish:
                check.problem(
                    state.line,
                    f"no final state can be reached from state {state.id!r}: a mission there could never end",
                )


def _reach(start: str, neighbours: Callable[[str], set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in neighbours(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def shortest_path(
    start: str, target: str, transitions: Mapping[str, list[TransitionDef]]
) -> list[tuple[TransitionDef, str, str]] | None:
    """The fewest (transition, source, dest) steps from ``start`` to ``target``, None if unreachable."""
    previous: dict[str, tuple[TransitionDef, str]] = {}
    seen = {start}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state == target:
            break
        for t in transitions.get(state, []):
            dest = t.dest_from(state)
            if dest not in seen:
                seen.add(dest)
                previous[dest] = (t, state)
                queue.append(dest)
    if target not in seen:
        return None
    steps: list[tuple[TransitionDef, str, str]] = []
    node = target
    while node != start:
        t, source = previous[node]
        steps.append((t, source, node))
        node = source
    return list(reversed(steps))
