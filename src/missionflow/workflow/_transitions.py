"""The validator's readers for the ``transitions:`` and ``hooks:`` of a workflow file."""

from __future__ import annotations

from missionflow.workflow._checker import IDENT, Checker, describe
from missionflow.workflow._timers import TriggerName, check_trigger_names, read_after
from missionflow.workflow.definition import GuardParam, GuardRef, HookMoment, HookRef, Label, TransitionDef
from missionflow.workflow.effects import get_effect
from missionflow.workflow.guards import get_guard
from missionflow.workflow.hooks import load_named_hook
from missionflow.workflow.yaml_nodes import Node

WILDCARD = "*"
TRANSITION_KEYS = {
    "trigger",
    "source",
    "dest",
    "guards",
    "label",
    "tags",
    "effects",
    "party",
    "done",
    "next",
    "after",
}
HOOK_KEYS = {"name", "when", "trigger", "source", "dest"}
MAX_TRANSITIONS = 20_000
"""More transitions than any lifecycle needs; a file over it is refused before it is expanded."""

RESERVED_TRIGGERS = frozenset(
    {"ref", "state", "history", "workflow", "workflow_version", "fire", "trigger", "triggers", "may", "to"}
    | {"path_to", "migrate"}
)
"""Trigger names that would clash with what every subject has, or with the engine's own verbs
(``migrate`` is the history entry of a move to another version of the workflow)."""


def read_transitions(
    check: Checker,
    node: Node | None,
    top_line: int,
    state_ids: set[str],
    active: tuple[str, ...],
    parties: tuple[str, ...],
) -> list[TransitionDef]:
    """Every transition of the file, wildcards expanded (to one shared tuple of states)."""
    if node is None:
        check.problem(
            top_line,
            "the workflow has no 'transitions': list them as `transitions: [{trigger: ..., source: ..., dest: ...}]`",
        )
        return []
    if not isinstance(node.value, list):
        check.problem(node.line, f"'transitions' must be a list, got {describe(node)}")
        return []
    if len(node.value) > MAX_TRANSITIONS:
        check.problem(
            node.line, f"{len(node.value)} transitions is more than the {MAX_TRANSITIONS} a workflow may have"
        )
        return []
    transitions: list[TransitionDef] = []
    seen = _Pairs(check, frozenset(active))
    named: list[TriggerName] = []
    for item in node.value:
        mapping = check.mapping(item, "a transition", TRANSITION_KEYS)
        if mapping is None:
            continue
        trigger = check.text(mapping, "trigger", "a transition", required=True, pattern=IDENT)
        if trigger is None:
            continue
        what = f"transition {trigger!r}"
        if trigger in RESERVED_TRIGGERS:
            check.problem(
                mapping["trigger"].line,
                f"trigger {trigger!r} clashes with an attribute of every subject; choose another verb",
            )
        sources, from_any = _sources(check, mapping.get("source"), item.line, what, state_ids, active)
        seen.add(trigger, sources, from_any, item.line)
        transitions.append(
            TransitionDef(
                trigger=trigger,
                sources=sources,
                dest=_dest(check, mapping, what, state_ids),
                guards=tuple(_guards(check, mapping.get("guards"), what)),
                label=_optional_label(check, mapping, "label", what, trigger),
                tags=frozenset(tag for tag, _ in check.names(mapping.get("tags"), f"the tags of {what}")),
                effects=tuple(_effects(check, mapping.get("effects"), what)),
                party=_party(check, mapping.get("party"), what, parties),
                done=_optional_label(check, mapping, "done", what, trigger),
                next=_optional_label(check, mapping, "next", what, trigger),
                from_any=from_any,
                after=read_after(check, mapping.get("after"), what, named),
                line=item.line,
            )
        )
    check_trigger_names(check, named, {t.trigger for t in transitions})
    return transitions


class _Pairs:
    """Refuses a trigger that leaves one state twice; linear even with wildcard sources."""

    def __init__(self, check: Checker, active: frozenset[str]) -> None:
        self.check = check
        self.active = active
        self.lines: dict[tuple[str, str], int] = {}
        self.wildcard_line: dict[str, int] = {}
        self.active_line: dict[str, int] = {}
        """The first line where a trigger leaves an active state by name (what a '*' clashes with)."""

    def add(self, trigger: str, sources: tuple[str, ...], from_any: bool, line: int) -> None:
        if from_any:
            clash = self.wildcard_line.get(trigger) or self.active_line.get(trigger)
            if clash is not None:
                self._refuse(trigger, "every active state ('*')", clash, line)
            else:
                self.wildcard_line[trigger] = line
            # '*' stands for every active state: only the sources named besides it are left to check
            has_others = len(sources) > len(self.active)
            sources = tuple(s for s in sources if s not in self.active) if has_others else ()
        for source in sources:
            earlier = self.lines.get((trigger, source))
            if earlier is None and source in self.active:
                earlier = self.wildcard_line.get(trigger)
            if earlier is not None:
                self._refuse(trigger, f"state {source!r}", earlier, line)
            else:
                self.lines[(trigger, source)] = line
                if source in self.active:
                    self.active_line.setdefault(trigger, line)

    def _refuse(self, trigger: str, where: str, earlier: int, line: int) -> None:
        self.check.problem(
            line,
            f"trigger {trigger!r} from {where} is already defined on line {earlier}; "
            "a trigger leaves a state one way only (merge the guards)",
        )


def _optional_label(
    check: Checker, mapping: dict[str, Node], key: str, what: str, fallback: str
) -> Label | None:
    node = mapping.get(key)
    if node is None:
        return None
    return check.label(node, what if key == "label" else f"{key!r} of {what}", fallback)


def _sources(
    check: Checker, node: Node | None, line: int, what: str, state_ids: set[str], active: tuple[str, ...]
) -> tuple[tuple[str, ...], bool]:
    if node is None:
        check.problem(
            line, f"{what} has no 'source': name a state, a list of states, or '*' for every active state"
        )
        return (), False
    items = node.value if isinstance(node.value, list) else [node]
    if len(items) == 1 and items[0].value == WILDCARD:
        return active, True  # shared by every wildcard transition: no copy per transition
    sources: dict[str, None] = {}
    from_any = False
    for item in items:
        if not isinstance(item.value, str):
            check.problem(item.line, f"a source of {what} must be a state id, got {describe(item)}")
        elif item.value == WILDCARD:
            from_any = True
            sources.update(dict.fromkeys(active))
        elif item.value not in state_ids:
            check.problem(
                item.line, f"{what} leaves from unknown state {item.value!r}; declare it under 'states'"
            )
        else:
            sources[item.value] = None
    return tuple(sources), from_any


def _dest(check: Checker, mapping: dict[str, Node], what: str, state_ids: set[str]) -> str | None:
    node = mapping.get("dest")
    if node is None or node.value is None:
        return None
    if not isinstance(node.value, str):
        check.problem(node.line, f"'dest' of {what} must be a state id, got {describe(node)}")
        return None
    if node.value not in state_ids:
        check.problem(node.line, f"{what} goes to unknown state {node.value!r}; declare it under 'states'")
        return None
    return node.value


def _effects(check: Checker, node: Node | None, what: str) -> list[str]:
    effects = []
    for name, line in check.names(node, f"the effects of {what}"):
        if get_effect(name) is None:
            check.problem(line, f"unknown effect {name!r} in {what}; declare it or use a known effect")
        else:
            effects.append(name)
    return effects


def _party(check: Checker, node: Node | None, what: str, parties: tuple[str, ...]) -> str | None:
    if node is None:
        return None
    party = check.name(node, f"'party' of {what}", IDENT)
    if party is not None and party not in parties:
        known = ", ".join(parties) if parties else "none: declare them with `parties: [...]`"
        check.problem(node.line, f"party {party!r} of {what} is not a party of the workflow ({known})")
        return None
    return party


def _guards(check: Checker, node: Node | None, what: str) -> list[GuardRef]:
    if node is None:
        return []
    if not isinstance(node.value, list):
        check.problem(node.line, f"'guards' of {what} must be a list, got {describe(node)}")
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
                item.line,
                f"a guard of {what} must be a name or `name: {{param: value}}`, got {describe(item)}",
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


def _guard_params(check: Checker, node: Node, guard: str) -> dict[str, GuardParam]:
    if node.value is None:
        return {}
    if not isinstance(node.value, dict):
        check.problem(node.line, f"the parameters of guard {guard!r} must be a mapping, got {describe(node)}")
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


def _fits(value: GuardParam, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def read_hooks(
    check: Checker, node: Node | None, state_ids: set[str], transitions: list[TransitionDef]
) -> list[HookRef]:
    """``hooks:``: each entry names an installed hook, when it runs and, optionally, what it listens to."""
    if node is None:
        return []
    if not isinstance(node.value, list):
        check.problem(node.line, f"'hooks' must be a list, got {describe(node)}")
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
    check: Checker, mapping: dict[str, Node], key: str, what: str, known: set[str], kind: str
) -> str | None:
    if key not in mapping:
        return None
    value = check.text(mapping, key, what, required=False)
    if value is not None and value not in known:
        check.problem(mapping[key].line, f"{key!r} of {what} is {value!r}, which is not a {kind}")
        return None
    return value


def _dests(transition: TransitionDef) -> set[str]:
    if transition.dest is not None:
        return {transition.dest}
    return set(transition.sources)


def _hook_installed(check: Checker, line: int, name: str) -> bool:
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
