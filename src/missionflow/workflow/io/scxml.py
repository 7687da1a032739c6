"""W3C SCXML documents: a workflow written as ``<scxml>`` (python-statemachine loads it) and read back.

The mapping, for a transition from state ``s`` (see docs/INTERCHANGE.md):

- ``dest: d`` is ``<transition event="t" target="d">``; a self-loop targets ``s`` itself, which
  SCXML leaves and enters again (an external transition), as ``transitions`` does;
- an internal transition (no ``dest``) has no ``target``: taken, nothing left or entered;
- its guards are ``cond="missionflow_all[[{'name': ..., 'params': {...}}, ...]]"``: the
  application supplies ``missionflow_all`` at run time (with each event, or as an attribute of
  the model), an object whose ``[guards]`` is True when every guard allows the transition. The
  expression is a subscript, not a call, so python-statemachine's restricted evaluator (its
  default, ``trusted=False``) accepts it;
- labels, descriptions, kinds, version, title and hooks are attributes and elements of the
  ``mf:`` namespace (``urn:missionflow:scxml``), which SCXML processors ignore.

A trigger that would hide a method of python-statemachine's ``StateChart`` (``send``...) is
refused: that library makes each event an attribute of the class it loads.
"""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET

from missionflow._yaml import Node
from missionflow.definition import Label, StateDef, StateKind, TransitionDef, WorkflowDefinition
from missionflow.errors import DefinitionProblem
from missionflow.workflow.io._document import (
    Edge,
    InterchangeError,
    Problems,
    build_from_edges,
    guard_item,
    guard_objects,
    to_node,
    unexportable,
)
from missionflow.workflow.io._xml import Element, parse_xml

SCXML_NS = "http://www.w3.org/2005/07/scxml"
MF_NS = "urn:missionflow:scxml"
GUARD_NAME = "missionflow_all"
"""The name a ``cond`` subscripts with the list of a transition's guards."""

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
_LABEL = {"en": f"{{{MF_NS}}}label-en", "fr": f"{{{MF_NS}}}label-fr"}
_DESCRIPTION = f"{{{MF_NS}}}description"
_KIND = f"{{{MF_NS}}}kind"
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

ET.register_namespace("mf", MF_NS)


def write_scxml(definition: WorkflowDefinition) -> str:
    """``definition`` as an SCXML document that python-statemachine 3.2 loads with ``statemachine.io.load``.

    >>> from missionflow import load_workflow
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
        },
    )
    root.set(_mf("version"), str(definition.version))
    root.set(_mf("title"), definition.title)
    if definition.description:
        root.set(_DESCRIPTION, definition.description)
    root.append(ET.Comment(_HINT))
    for hook in definition.hooks:
        fields = {"name": hook.name, "when": hook.when.value, "trigger": hook.trigger}
        fields |= {"source": hook.source, "dest": hook.dest}
        ET.SubElement(root, _mf("hook"), {k: v for k, v in fields.items() if v is not None})
    for state in definition.states:
        element = ET.SubElement(root, "final" if state.final else "state", _state_attributes(state))
        for transition in definition.transitions_from(state.id):
            ET.SubElement(element, "transition", _transition_attributes(transition))
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


def _labelled(label: Label | None) -> dict[str, str]:
    return {} if label is None else {_LABEL["en"]: label.en, _LABEL["fr"]: label.fr}


def _state_attributes(state: StateDef) -> dict[str, str]:
    attributes = {"id": state.id, **_labelled(state.label)}
    if state.description:
        attributes[_DESCRIPTION] = state.description
    if state.kind is not StateKind.ACTIVE:
        attributes[_KIND] = state.kind.value
    return attributes


def _transition_attributes(transition: TransitionDef) -> dict[str, str]:
    attributes = {"event": transition.trigger}
    if transition.dest is not None:
        attributes["target"] = transition.dest
    if transition.guards:
        attributes["cond"] = f"{GUARD_NAME}[{python_literal(guard_objects(transition.guards))}]"
    return attributes | _labelled(transition.label)


def python_literal(value: object) -> str:
    """``value`` (lists, dicts, text, whole numbers, booleans, None) as a Python literal that
    reads back the same after python-statemachine's clean-up of JavaScript-style conditions
    (it rewrites ``true``, ``null``, ``&&``... even inside quotes, and decodes ``&lt;``).

    >>> python_literal({"name": "a && true", "params": {"n": 3, "on": True}})
    "{'name': 'a \\\\x26\\\\x26 \\\\x74rue', 'params': {'n': 3, 'on': True}}"
    """
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, str):
        text = repr(value)
        for word in ("true", "false", "null", "&", "|", "=", "!"):
            text = text.replace(word, f"\\x{ord(word[0]):02x}{word[1:]}")
        return text
    return repr(value)


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
    known = {"name", "initial", "version", "datamodel", _mf("version"), _mf("title"), _DESCRIPTION}
    found = _attributes(problems, root, "<scxml>", known)
    top = {
        key: Node(found[a], root.line) for key, a in (("name", "name"), ("title", _mf("title"))) if a in found
    }
    if _DESCRIPTION in found:
        top["description"] = Node(found[_DESCRIPTION], root.line)
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
    return build_from_edges(source, top, states, edges, root.line)


def _attributes(problems: Problems, element: Element, what: str, known: set[str]) -> dict[str, str]:
    for name in element.attributes:
        if name not in known:
            shown = name.replace(f"{{{MF_NS}}}", "mf:")
            problems.add(element.line, f"unknown attribute {shown!r} of {what}")
    if element.has_text:
        problems.add(element.line, f"text inside {what} has no meaning in a workflow")
    return {name: value for name, value in element.attributes.items() if name in known}


def _refuse(problems: Problems, element: Element, parent: str) -> None:
    reason = _REFUSED.get(element.name) if element.namespace in (SCXML_NS, "") else None
    problems.add(element.line, f"<{element.name}> in {parent}: {reason or 'not a part of a workflow'}")


def _read_state(problems: Problems, element: Element, edges: list[Edge]) -> Node:
    what = f"<{element.name}>"
    found = _attributes(problems, element, what, {"id", _LABEL["en"], _LABEL["fr"], _DESCRIPTION, _KIND})
    state_id = found.get("id", "")
    state: dict[str, Node] = {"id": Node(state_id, element.line)} if state_id else {}
    state |= _label(found, element.line)
    for key, attribute in (("description", _DESCRIPTION), ("kind", _KIND)):
        if attribute in found:
            state[key] = Node(found[attribute], element.line)
    if element.name == "final":
        state["final"] = Node(True, element.line)
    for child in element.children:
        if element.name == "state" and child.namespace == element.namespace and child.name == "transition":
            edges.extend(_read_transition(problems, state_id, child))
        else:
            _refuse(problems, child, f"{what} {state_id!r}")
    return Node(state, element.line)


def _label(found: dict[str, str], line: int) -> dict[str, Node]:
    texts = {lang: Node(found[a], line) for lang, a in _LABEL.items() if a in found}
    return {"label": Node(texts, line)} if texts else {}


def _read_transition(problems: Problems, source: str, element: Element) -> list[Edge]:
    what = f"a transition of state {source!r}"
    known = {"event", "target", "cond", "type", _LABEL["en"], _LABEL["fr"]}
    found = _attributes(problems, element, what, known)
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
        guards = _read_cond(problems, found["cond"], element.line, what)
        if guards is not None:
            fields["guards"] = guards
    fields |= _label(found, element.line)
    edges = []
    for event in events:
        if "*" in event:
            problems.add(element.line, f"{what} matches events by wildcard ({event!r}): name the trigger")
        edges.append(Edge(source, {"trigger": Node(event, element.line), **fields}, element.line))
    return edges


def _read_cond(problems: Problems, cond: str, line: int, what: str) -> Node | None:
    """The guards a ``cond`` names: ``missionflow_all[[{name, params}...]]``, or guard names
    joined by ``and`` (each one a guard without parameters)."""
    try:
        expression = ast.parse(cond.strip(), mode="eval").body
    except SyntaxError:
        expression = None
    if isinstance(expression, ast.Subscript) and _is_name(expression.value, GUARD_NAME):
        try:
            listed = ast.literal_eval(expression.slice)
        except (ValueError, TypeError, SyntaxError, RecursionError):
            listed = None
        if isinstance(listed, list | tuple):
            items = [guard_item(problems, to_node(item, line), what) for item in listed]
            return Node([item for item in items if item is not None], line)
    names = _and_names(expression)
    if names:
        return Node([Node(name, line) for name in names], line)
    problems.add(
        line,
        f"cond {cond!r} of {what} is not a missionflow guard expression: write "
        f"{GUARD_NAME}[[{{'name': ..., 'params': {{...}}}}]], or guard names joined by 'and'",
    )
    return None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _and_names(expression: ast.expr | None) -> list[str]:
    if isinstance(expression, ast.Name):
        return [expression.id]
    if isinstance(expression, ast.BoolOp) and isinstance(expression.op, ast.And):
        parts = [_and_names(value) for value in expression.values]
        return [name for part in parts for name in part] if all(parts) else []
    return []
