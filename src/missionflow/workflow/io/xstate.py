"""XState v5 machine configs (JSON): a workflow written for ``createMachine`` and read back.

The mapping, for a transition from state ``s`` (see docs/INTERCHANGE.md):

- ``dest: d`` is ``{"target": "d"}``; a self-loop (``d == s``) adds ``"reenter": true`` so that
  XState leaves and enters the state again, as ``transitions`` does;
- an internal transition (no ``dest``) is a targetless transition: taken, nothing left or entered;
- its guards are one guard object, ``{"type": "missionflow.all", "params": {"guards": [{"name":
  ..., "params": {...}}]}}``, which an application implements with ``machine.provide({guards:
  {"missionflow.all": ({context, event}, {guards}) => ...}})``;
- a timed transition (``after: {days: 7}``) is an entry of its state's ``after``, under a
  delay named after its trigger (``"after": {"remind_deposit": {...}}``), which the application
  provides with ``machine.provide({delays: {remind_deposit: ...}})``; its timer, as the workflow
  file says it, is in ``meta.after`` (XState starts every delay on entering the state:
  ``since_last``, ``since_fact`` and ``unless_fired_since`` are the application's to honour);
- a state's tags are XState's own ``tags`` (``snapshot.hasTag("work")``); descriptions are
  XState's ``description``;
- the rest of what a workflow declares goes in ``meta``: labels in every language (``label``,
  a state's ``outcome``, a transition's ``done`` and ``next``), a state's ``kind``, a
  transition's ``tags``, ``effects`` and ``party``, ``source: "*"`` on each transition the file
  wrote from every active state, and ``order``, the transition's place in the file (so that an
  import lists the transitions as the file did); the name is the machine's ``id``, the version,
  title, language, parties and hooks are in its ``meta``.

Several transitions of one event from one state become an array, in file order (XState takes the
first enabled one). Reading accepts what writing produces plus XState's shorthands (a target as a
string, a guard as a name or ``{type, params}``), and refuses, with the reason, what a workflow
cannot express: nested or parallel states, actions, ``always``, a delay in milliseconds.
"""

from __future__ import annotations

import json

from missionflow.errors import InterchangeError
from missionflow.workflow.definition import StateDef, TransitionDef, WorkflowDefinition
from missionflow.workflow.io._document import (
    GUARD_SET,
    WILDCARD,
    Edge,
    Problems,
    build_from_edges,
    describe,
    guard_item,
    guard_objects,
    numbered,
    read_order,
    reenters,
    unexportable,
)
from missionflow.workflow.io._json import parse_json
from missionflow.workflow.serialize import timer_to_data
from missionflow.workflow.yaml_nodes import Node

_ROOT_KEYS = ("id", "initial", "description", "meta", "states")
_META_KEYS = ("version", "title", "language", "parties", "hooks", "backdating")
_STATE_KEYS = ("type", "description", "tags", "meta", "on", "after")
_STATE_META_KEYS = ("label", "kind", "outcome")
_TRANSITION_KEYS = ("target", "guard", "reenter", "meta")
_TRANSITION_META_KEYS = ("label", "tags", "effects", "party", "done", "next", "source", "order", "after")
_ACTIONS = "actions are the application's code; a workflow has none (subscribe hooks instead)"
_NESTED = "nested states cannot be expressed: a workflow's states are flat"
_REFUSED = {
    "always": "eventless transitions (always) cannot be expressed: a workflow moves on triggers only",
    "entry": _ACTIONS,
    "exit": _ACTIONS,
    "actions": _ACTIONS,
    "states": _NESTED,
    "initial": _NESTED,
    "invoke": "invoked actors cannot be expressed in a workflow",
    "context": "a workflow keeps no context: its guards read the mission",
    "on": "events of the whole machine cannot be expressed: put each transition on its states",
    "description": "a transition has no description in a workflow: give it a meta.label {lang: text}",
}


def to_xstate(definition: WorkflowDefinition) -> dict[str, object]:
    """The XState v5 machine config of ``definition``, as JSON-ready values.

    >>> from missionflow.workflow import load_workflow
    >>> machine = to_xstate(load_workflow("freelance-mission"))
    >>> machine["states"]["revisions"]["on"]["request_revision"]["reenter"]
    True
    """
    problems = unexportable(definition, "XState")
    if problems:
        raise InterchangeError("workflow for XState", problems)
    meta: dict[str, object] = {
        "version": definition.version,
        "title": definition.title,
        "language": definition.language,
    }
    if definition.parties:
        meta["parties"] = list(definition.parties)
    if definition.backdating:
        meta["backdating"] = True
    if definition.hooks:
        meta["hooks"] = [
            {key: value for key, value in fields.items() if value is not None}
            for fields in (
                {
                    "name": h.name,
                    "when": h.when.value,
                    "trigger": h.trigger,
                    "source": h.source,
                    "dest": h.dest,
                }
                for h in definition.hooks
            )
        ]
    machine: dict[str, object] = {"id": definition.name, "initial": definition.initial}
    if definition.description:
        machine["description"] = definition.description
    machine["meta"] = meta
    leaving = numbered(definition)
    machine["states"] = {
        state.id: _state(definition, state, leaving[state.id]) for state in definition.states
    }
    return machine


def write_xstate(definition: WorkflowDefinition) -> str:
    """``definition`` as an XState v5 machine config in JSON text."""
    return json.dumps(to_xstate(definition), indent=2, ensure_ascii=False) + "\n"


def _state(
    definition: WorkflowDefinition, state: StateDef, leaving: list[tuple[int, TransitionDef]]
) -> dict[str, object]:
    config: dict[str, object] = {}
    if state.final:
        config["type"] = "final"
    if state.description:
        config["description"] = state.description
    if state.tags:
        config["tags"] = sorted(state.tags)
    meta: dict[str, object] = {"label": state.label.as_dict(), "kind": state.kind.value}
    if state.outcome is not None:
        meta["outcome"] = state.outcome.as_dict()
    config["meta"] = meta
    on: dict[str, list[dict[str, object]]] = {}
    for order, transition in leaving:
        if transition.after is None:
            on.setdefault(transition.trigger, []).append(_transition(transition, state.id, order))
    if on:
        config["on"] = {trigger: found[0] if len(found) == 1 else found for trigger, found in on.items()}
    config.update(_delayed(state, leaving))
    return config


def _delayed(state: StateDef, leaving: list[tuple[int, TransitionDef]]) -> dict[str, object]:
    """The timed transitions of ``state`` as XState ``after``: one delay per trigger, named after
    it (a trigger leaves a state one way only, so the names never collide)."""
    after = {
        transition.trigger: _transition(transition, state.id, order)
        for order, transition in leaving
        if transition.after is not None
    }
    return {"after": after} if after else {}


def _transition(transition: TransitionDef, source: str, order: int) -> dict[str, object]:
    entry: dict[str, object] = {}
    if transition.dest is not None:
        entry["target"] = transition.dest
        if reenters(transition, source):
            entry["reenter"] = True
    if transition.guards:
        entry["guard"] = {"type": GUARD_SET, "params": {"guards": guard_objects(transition.guards)}}
    entry["meta"] = _transition_meta(transition, order)
    return entry


def _transition_meta(transition: TransitionDef, order: int) -> dict[str, object]:
    meta: dict[str, object] = {}
    for key, label in (("label", transition.label), ("done", transition.done), ("next", transition.next)):
        if label is not None:
            meta[key] = label.as_dict()
    if transition.tags:
        meta["tags"] = sorted(transition.tags)
    if transition.effects:
        meta["effects"] = list(transition.effects)
    if transition.party is not None:
        meta["party"] = transition.party
    if transition.from_any:
        meta["source"] = WILDCARD
    if transition.after is not None:
        meta["after"] = timer_to_data(transition.after)
    meta["order"] = order
    return meta


def read_xstate(text: str, source: str = "<string>") -> WorkflowDefinition:
    """The workflow an XState v5 machine config (JSON) describes, checked by the validator.

    Raise InterchangeError when the text is not such a machine, WorkflowDefinitionError when the
    machine is not a valid workflow (both list every problem with its line).
    """
    problems = Problems(source, "XState document")
    root = parse_json(text, problems)
    machine = problems.mapping(root, "the machine", _ROOT_KEYS, _REFUSED)
    if machine is None:
        problems.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover - a refused mapping was noted
    top = {key: machine[field] for key, field in (("name", "id"), ("initial", "initial")) if field in machine}
    if "description" in machine:
        top["description"] = machine["description"]
    meta = problems.mapping(machine.get("meta", Node({}, root.line)), "the machine's meta", _META_KEYS)
    top.update(meta or {})
    states: list[Node] = []
    edges: list[Edge] = []
    listed = machine.get("states")
    if listed is not None and isinstance(listed.value, dict):
        for state_id, config in listed.value.items():
            states.append(_read_state(problems, state_id, config, edges))
    elif listed is not None:
        problems.add(listed.line, f"'states' must be an object of states by key, got {describe(listed)}")
    problems.raise_if_any()
    return build_from_edges(problems, top, states, edges, root.line)


def _read_state(problems: Problems, state_id: str, config: Node, edges: list[Edge]) -> Node:
    state: dict[str, Node] = {"id": Node(state_id, config.line)}
    fields = problems.mapping(config, f"state {state_id!r}", _STATE_KEYS, _REFUSED) or {}
    kind = fields.get("type")
    if kind is not None and kind.value == "final":
        state["final"] = Node(True, kind.line)
    elif kind is not None and kind.value != "atomic":
        problems.add(
            kind.line,
            f"state {state_id!r} is {describe(kind)}: only atomic and final states exist in a workflow",
        )
    for key in ("description", "tags"):
        if key in fields:
            state[key] = fields[key]
    meta = problems.mapping(
        fields.get("meta", Node({}, config.line)), f"the meta of state {state_id!r}", _STATE_META_KEYS
    )
    state.update(meta or {})
    leaving: list[Edge] = []
    for key, delayed in (("on", False), ("after", True)):
        listed = fields.get(key)
        if listed is not None and isinstance(listed.value, dict):
            for trigger, entries in listed.value.items():
                for entry in entries.value if isinstance(entries.value, list) else [entries]:
                    edge = _read_transition(problems, state_id, trigger, entry, delayed=delayed)
                    if edge is not None:
                        leaving.append(edge)
        elif listed is not None:
            by = "delay" if delayed else "event"
            problems.add(
                listed.line,
                f"{key!r} of state {state_id!r} must be an object of transitions by {by}, got {describe(listed)}",
            )
    # A state's delayed transitions are listed apart from its events: their places in the file
    # (meta.order) put them back among the others.
    edges.extend(sorted(leaving, key=lambda edge: (edge.order is None, edge.order or 0)))
    return Node(state, config.line)


def _read_transition(
    problems: Problems, source: str, trigger: str, entry: Node, *, delayed: bool = False
) -> Edge | None:
    what = f"{'delayed ' if delayed else ''}transition {trigger!r} of state {source!r}"
    if delayed and not (trigger[:1].isalpha() and trigger.isascii()):
        problems.add(
            entry.line,
            f"{what}: a delay in milliseconds cannot be expressed; name the delay after the "
            "trigger and give the timer in meta.after, like {days: 7}",
        )
        return None
    shorthand = isinstance(entry.value, str)
    fields = {"target": entry} if shorthand else problems.mapping(entry, what, _TRANSITION_KEYS, _REFUSED)
    if fields is None:
        return None
    found: dict[str, Node] = {"trigger": Node(trigger, entry.line)}
    target = _target(problems, fields.get("target"), what)
    reenter = fields.get("reenter")
    if reenter is not None and not isinstance(reenter.value, bool):
        problems.add(reenter.line, f"'reenter' of {what} must be true or false, got {describe(reenter)}")
    again = reenter is not None and reenter.value is True
    if target is not None and (target.value != source or again):
        found["dest"] = target
    elif target is None and again:
        problems.add(entry.line, f"{what} re-enters without a target: give the target state")
    # A target equal to the source without reenter stays in the state without leaving it: XState
    # runs no exit or entry, which is what an internal transition of a workflow does.
    if "guard" in fields:
        guards = _read_guards(problems, fields["guard"], what)
        if guards is not None:
            found["guards"] = guards
    meta = dict(
        problems.mapping(
            fields.get("meta", Node({}, entry.line)), f"the meta of {what}", _TRANSITION_META_KEYS
        )
        or {}
    )
    order = read_order(problems, meta.pop("order", None), what)
    timer = meta.pop("after", None)
    if delayed and timer is None:
        problems.add(
            entry.line, f"{what} has no meta.after: give its timer as the workflow says it, like {{days: 7}}"
        )
    elif not delayed and timer is not None:
        problems.add(
            timer.line, f"meta.after of {what}: a timed transition goes under the state's after, not on"
        )
    elif timer is not None:
        found["after"] = timer
    wildcard = meta.pop("source", None)
    if wildcard is not None and wildcard.value != WILDCARD:
        problems.add(
            wildcard.line,
            f"'source' in the meta of {what} can only be {WILDCARD!r}, got {describe(wildcard)}",
        )
    found.update(meta)
    from_any = wildcard is not None and wildcard.value == WILDCARD
    return Edge(source, found, entry.line, from_any=from_any, order=order)


def _target(problems: Problems, node: Node | None, what: str) -> Node | None:
    if node is None:
        return None
    value = node.value
    if isinstance(value, list) and len(value) == 1:
        value = value[0].value
    if not isinstance(value, str):
        problems.add(node.line, f"the target of {what} must be one state's key, got {describe(node)}")
        return None
    if value.startswith(("#", ".")):
        problems.add(node.line, f"the target of {what} is {value!r}: give the key of a sibling state")
        return None
    return Node(value, node.line)


def _read_guards(problems: Problems, guard: Node, what: str) -> Node | None:
    if isinstance(guard.value, str):
        return Node([Node(guard.value, guard.line)], guard.line)
    found = problems.keyed(guard, f"the guard of {what}", ("type", "params"), "type")
    if found is None:
        return None
    fields, kind = found
    if kind != GUARD_SET:
        one = guard_item(problems, Node({"name": fields["type"], **_params(fields)}, guard.line), what)
        return None if one is None else Node([one], guard.line)
    params = problems.mapping(
        fields.get("params", Node({}, guard.line)), f"the params of {GUARD_SET}", ("guards",)
    )
    listed = (params or {}).get("guards")
    if listed is None or not isinstance(listed.value, list):
        problems.add(
            guard.line, f"the {GUARD_SET} guard of {what} needs params.guards, a list of {{name, params}}"
        )
        return None
    items = [guard_item(problems, item, what) for item in listed.value]
    return Node([item for item in items if item is not None], listed.line)


def _params(fields: dict[str, Node]) -> dict[str, Node]:
    return {"params": fields["params"]} if "params" in fields else {}
