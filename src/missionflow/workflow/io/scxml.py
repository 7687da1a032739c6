"""W3C SCXML documents: a workflow written as ``<scxml>`` (python-statemachine loads it) and read back.

The mapping, for a transition from state ``s`` (see docs/INTERCHANGE.md):

- ``dest: d`` is ``<transition event="t" target="d">``; a self-loop targets ``s`` itself, which
  SCXML leaves and enters again (an external transition), as ``transitions`` does;
- an internal transition (no ``dest``) has no ``target``: taken, nothing left or entered;
- its guards are ``cond="missionflow_all[[{'name': ..., 'params': {...}}, ...]]"`` (see
  :mod:`missionflow.workflow.io._cond`): the application supplies ``missionflow_all`` at run
  time, with each event or as an attribute of the model;
- a timed transition (``after: {days: 7}``) listens to the event ``mf-after.<trigger>``, which
  the application's scheduler sends when the timer falls due (no trigger can have that name, so
  sending the trigger itself does nothing); its timer is in ``mf:after="7 days"`` (or
  ``"acceptance_days days"`` for a delay fact), ``mf:since-last``, ``mf:since-fact`` and
  ``mf:unless-fired-since``. It is not a delayed ``<send>``: python-statemachine keeps those in
  memory and its synchronous engine waits for them, where a workflow's timers last for days;
- everything else a workflow declares is in the ``mf:`` namespace (``urn:missionflow:scxml``),
  which SCXML processors ignore: texts in any language as ``mf:label-en``, ``mf:outcome-fr``,
  ``mf:done-de``...; tags, effects and parties as space-separated names (``mf:tags="work"``);
  ``mf:kind``, ``mf:party``, ``mf:description``, ``mf:version``, ``mf:title``,
  ``mf:language``; ``mf:source="*"`` on each transition the file wrote from every active
  state, ``mf:order`` its place in the file; hooks as ``<mf:hook>`` elements.

A trigger that would hide a method of python-statemachine's ``StateChart`` (``send``...) is
refused: that library makes each event an attribute of the class it loads.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from missionflow.errors import DefinitionProblem, InterchangeError
from missionflow.workflow.definition import (
    Label,
    StateDef,
    StateKind,
    TransitionDef,
    WorkflowDefinition,
)
from missionflow.workflow.io._cond import GUARD_NAME, guards_cond, read_cond
from missionflow.workflow.io._document import (
    WILDCARD,
    Edge,
    Problems,
    build_from_edges,
    numbered,
    read_order,
    to_node,
    unexportable,
)
from missionflow.workflow.io._scxml_timers import TIMER_EVENT, read_timer, timer_attributes
from missionflow.workflow.io._xml import Element, parse_xml
from missionflow.workflow.yaml_nodes import Node

SCXML_NS = "http://www.w3.org/2005/07/scxml"
MF_NS = "urn:missionflow:scxml"

PYTHON_STATEMACHINE_NAMES = frozenset(
    {
        "activate_initial_state",
        "active_listeners",
        "add_listener",
        "allow_event_without_transition",
        "allowed_events",
        "atomic_configuration_update",
        "bind_events_to",
        "cancel_event",
        "catch_errors_as_events",
        "configuration",
        "configuration_values",
        "current_state",
        "current_state_value",
        "enable_self_transition_entries",
        "enabled_events",
        "events",
        "id",
        "is_terminated",
        "model",
        "name",
        "prepare",
        "raise_",
        "send",
        "start_configuration_values",
        "states",
        "states_map",
        GUARD_NAME,
    }
)
"""Attributes of python-statemachine's StateChart (3.2) that an event of the same name would hide."""

_HINT = (
    " missionflow guards: cond subscripts missionflow_all with the list of guards; supply it with"
    " each event or as an attribute of the model (see docs/INTERCHANGE.md). "
)
_ACTIONS = "actions are the application's code; a workflow has none (subscribe hooks instead)"
_NESTED = "nested states cannot be expressed: a workflow's states are flat"
_REFUSED = {
    "onentry": _ACTIONS,
    "onexit": _ACTIONS,
    "invoke": "invoked machines cannot be expressed in a workflow",
    "state": _NESTED,
    "final": _NESTED,
    "parallel": "parallel states cannot be expressed: a mission is in one state at a time",
    "history": _NESTED,
    "initial": _NESTED,
    "datamodel": "a workflow keeps no data model: its guards read the mission",
    "script": _ACTIONS,
    "donedata": "a final state of a workflow returns no data",
}


class _Fields:
    """What the ``mf:`` attributes of one element say: texts by language under a prefix
    (``mf:label-fr``), lists of names, and plain values, each under its workflow-file key."""

    def __init__(
        self, texts: Iterable[str] = (), words: Iterable[str] = (), values: Iterable[str] = ()
    ) -> None:
        self.texts = tuple(texts)
        self.words = tuple(words)
        self.values = tuple(values)

    def accepts(self, attribute: str) -> bool:
        """True when ``attribute`` is one of these fields."""
        if not attribute.startswith(f"{{{MF_NS}}}"):
            return False
        name = attribute[len(MF_NS) + 2 :]
        prefix, _, lang = name.partition("-")
        return name in self.words or name in self.values or (prefix in self.texts and bool(lang))

    def write(self, **fields: Label | Iterable[str] | str | None) -> dict[str, str]:
        """The attributes for these fields (a field that is None or empty is left out)."""
        attributes: dict[str, str] = {}
        for key, value in fields.items():
            if isinstance(value, Label):
                attributes |= {_mf(f"{key}-{lang}"): text for lang, text in value.texts}
            elif isinstance(value, str):
                attributes[_mf(key)] = value
            elif value:
                attributes[_mf(key)] = " ".join(value)
        return attributes

    def read(self, found: dict[str, str], line: int) -> dict[str, Node]:
        """The workflow-file keys these attributes give."""
        fields: dict[str, Node] = {}
        for attribute, value in found.items():
            if not self.accepts(attribute):
                continue
            name = attribute[len(MF_NS) + 2 :]
            if name in self.values:
                fields[name] = Node(value, line)
            elif name in self.words:
                fields[name] = Node([Node(word, line) for word in value.split()], line)
            else:
                prefix, _, lang = name.partition("-")
                texts = fields.setdefault(prefix, Node({}, line)).value
                assert isinstance(texts, dict)
                texts[lang] = Node(value, line)
        return fields


_ROOT = _Fields(words=("parties",), values=("title", "description", "language", "backdating"))
_STATE = _Fields(texts=("label", "outcome"), words=("tags",), values=("description", "kind"))
_TRANSITION = _Fields(
    texts=("label", "done", "next"),
    words=("tags", "effects", "since-last", "unless-fired-since"),
    values=("party", "source", "order", "after", "since-fact"),
)


ET.register_namespace("mf", MF_NS)


def write_scxml(definition: WorkflowDefinition) -> str:
    """``definition`` as an SCXML document that python-statemachine 3.2 loads with ``statemachine.io.load``.

    >>> from missionflow.workflow import load_workflow
    >>> text = write_scxml(load_workflow("coaching"))
    >>> '<transition event="hold_session" cond="missionflow_all' in text
    True
    """
    problems = unexportable(definition, "SCXML") + _hidden_methods(definition)
    if problems:
        raise InterchangeError("workflow for SCXML", problems)
    # SCXML elements and attributes are written unqualified under a literal default namespace:
    # ElementTree's default_namespace option refuses unqualified attributes such as id.
    root = ET.Element(
        "scxml",
        {
            "xmlns": SCXML_NS,
            "version": "1.0",
            "datamodel": "python",
            "name": definition.name,
            "initial": definition.initial,
            _mf("version"): str(definition.version),
            **_ROOT.write(
                title=definition.title,
                description=definition.description or None,
                language=definition.language,
                parties=definition.parties,
                backdating="true" if definition.backdating else None,
            ),
        },
    )
    root.append(ET.Comment(_HINT))
    for hook in definition.hooks:
        fields = {"name": hook.name, "when": hook.when.value, "trigger": hook.trigger}
        fields |= {"source": hook.source, "dest": hook.dest}
        ET.SubElement(root, _mf("hook"), {k: v for k, v in fields.items() if v is not None})
    leaving = numbered(definition)
    for state in definition.states:
        element = ET.SubElement(root, "final" if state.final else "state", _state_attributes(state))
        for order, transition in leaving[state.id]:
            ET.SubElement(element, "transition", _transition_attributes(transition, order))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _hidden_methods(definition: WorkflowDefinition) -> list[DefinitionProblem]:
    return [
        DefinitionProblem(
            definition.source,
            transition.line,
            f"trigger {transition.trigger!r} would hide StateChart.{transition.trigger} when "
            "python-statemachine loads the SCXML (each event becomes an attribute of the class): "
            "rename the trigger",
        )
        for transition in definition.transitions
        if transition.trigger in PYTHON_STATEMACHINE_NAMES
    ]


def _mf(name: str) -> str:
    return f"{{{MF_NS}}}{name}"


def _state_attributes(state: StateDef) -> dict[str, str]:
    return {"id": state.id} | _STATE.write(
        label=state.label,
        description=state.description or None,
        kind=state.kind.value if state.kind is not StateKind.ACTIVE else None,
        tags=sorted(state.tags),
        outcome=state.outcome,
    )


def _transition_attributes(transition: TransitionDef, order: int) -> dict[str, str]:
    timer = transition.after
    attributes = {"event": transition.trigger if timer is None else TIMER_EVENT + transition.trigger}
    if transition.dest is not None:
        attributes["target"] = transition.dest
    if transition.guards:
        attributes["cond"] = guards_cond(transition.guards)
    return attributes | _TRANSITION.write(
        label=transition.label,
        done=transition.done,
        next=transition.next,
        tags=sorted(transition.tags),
        effects=transition.effects,
        party=transition.party,
        source=WILDCARD if transition.from_any else None,
        order=str(order),
        **timer_attributes(timer),
    )


def read_scxml(text: str, source: str = "<string>") -> WorkflowDefinition:
    """The workflow an SCXML document describes, checked by the validator.

    Raise InterchangeError when the text is not an SCXML document a workflow can express,
    WorkflowDefinitionError when it is not a valid workflow (both list every problem with its line).
    """
    problems = Problems(source, "SCXML document")
    root = parse_xml(text, problems)
    if root.name != "scxml" or root.namespace not in (SCXML_NS, ""):
        raise problems.fail(root.line, f"the document is a <{root.name}>, not an SCXML <scxml>")
    ns = root.namespace
    found = _attributes(
        problems, root, "<scxml>", {"name", "initial", "version", "datamodel", _mf("version")}, _ROOT
    )
    top = _ROOT.read(found, root.line)
    if "backdating" in top:
        # An attribute is text; the workflow file's flag is a boolean (anything else is refused there).
        flag = top["backdating"].value
        top["backdating"] = Node({"true": True, "false": False}.get(str(flag), flag), root.line)
    if "name" in found:
        top["name"] = Node(found["name"], root.line)
    if _mf("version") in found:
        version = found[_mf("version")]
        top["version"] = Node(int(version) if version.isascii() and version.isdigit() else version, root.line)
    states: list[Node] = []
    edges: list[Edge] = []
    hooks: list[Node] = []
    for child in root.children:
        if child.namespace == ns and child.name in ("state", "final"):
            states.append(_read_state(problems, child, edges))
        elif child.namespace == MF_NS and child.name == "hook":
            hook = _attributes(problems, child, "<mf:hook>", {"name", "when", "trigger", "source", "dest"})
            hooks.append(to_node(hook, child.line))
        else:
            _refuse(problems, child, "<scxml>")
    first = states[0].value if states else None
    if "initial" in found:
        top["initial"] = Node(found["initial"], root.line)
    elif isinstance(first, dict) and "id" in first:
        top["initial"] = first["id"]  # SCXML starts in the first state when none is named
    if hooks:
        top["hooks"] = Node(hooks, root.line)
    problems.raise_if_any()
    return build_from_edges(problems, top, states, edges, root.line)


def _attributes(
    problems: Problems, element: Element, what: str, known: set[str], fields: _Fields | None = None
) -> dict[str, str]:
    accepted = {name for name in element.attributes if name in known or (fields and fields.accepts(name))}
    for name in element.attributes:
        if name not in accepted:
            shown = name.replace(f"{{{MF_NS}}}", "mf:")
            problems.add(element.line, f"unknown attribute {shown!r} of {what}")
    if element.has_text:
        problems.add(element.line, f"text inside {what} has no meaning in a workflow")
    return {name: value for name, value in element.attributes.items() if name in accepted}


def _refuse(problems: Problems, element: Element, parent: str) -> None:
    reason = _REFUSED.get(element.name) if element.namespace in (SCXML_NS, "") else None
    problems.add(element.line, f"<{element.name}> in {parent}: {reason or 'not a part of a workflow'}")


def _read_state(problems: Problems, element: Element, edges: list[Edge]) -> Node:
    what = f"<{element.name}>"
    found = _attributes(problems, element, what, {"id"}, _STATE)
    state_id = found.get("id", "")
    state: dict[str, Node] = {"id": Node(state_id, element.line)} if state_id else {}
    state |= _STATE.read(found, element.line)
    if element.name == "final":
        state["final"] = Node(True, element.line)
    for child in element.children:
        if element.name == "state" and child.namespace == element.namespace and child.name == "transition":
            edges.extend(_read_transition(problems, state_id, child))
        else:
            _refuse(problems, child, f"{what} {state_id!r}")
    return Node(state, element.line)


def _read_transition(problems: Problems, source: str, element: Element) -> list[Edge]:
    what = f"a transition of state {source!r}"
    found = _attributes(problems, element, what, {"event", "target", "cond", "type"}, _TRANSITION)
    for child in element.children:
        problems.add(child.line, f"<{child.name}> in {what}: {_ACTIONS}")
    events = found.get("event", "").split()
    if not events:
        problems.add(element.line, f"{what} has no event: eventless transitions cannot be expressed")
    targets = found.get("target", "").split()
    if len(targets) > 1:
        problems.add(element.line, f"{what} has several targets: a mission is in one state at a time")
    if found.get("type", "external") not in ("external", "internal"):
        problems.add(element.line, f"'type' of {what} must be external or internal")
    fields = {"dest": Node(targets[0], element.line)} if targets else {}
    if "cond" in found:
        guards = read_cond(problems, found["cond"], element.line, what)
        if guards is not None:
            fields["guards"] = guards
    fields |= _TRANSITION.read(found, element.line)
    order = read_order(problems, fields.pop("order", None), what)
    wildcard = fields.pop("source", None)
    if wildcard is not None and wildcard.value != WILDCARD:
        problems.add(element.line, f"mf:source of {what} can only be {WILDCARD!r}, got {wildcard.value!r}")
    edges = []
    for event in events:
        if "*" in event:
            problems.add(element.line, f"{what} matches events by wildcard ({event!r}): name the trigger")
        timed = dict(fields)
        read_timer(problems, timed, event, element.line, what)
        trigger = event.removeprefix(TIMER_EVENT)
        edges.append(
            Edge(
                source,
                {"trigger": Node(trigger, element.line), **timed},
                element.line,
                from_any=wildcard is not None and wildcard.value == WILDCARD,
                order=order,
            )
        )
    return edges
