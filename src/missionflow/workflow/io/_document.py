"""The bridge every format crosses: its problem list and the way back to a definition.

A reader turns a foreign document into the shape of a workflow file (a tree of ``Node`` values
with the foreign file's line numbers) and hands it to the validator that checks YAML files, so an
imported workflow is held to exactly the rules of a written one and its problems name the foreign
file's lines.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from missionflow.errors import DefinitionProblem, InterchangeError
from missionflow.workflow.definition import (
    GuardRef,
    TransitionDef,
    WorkflowDefinition,
    wildcard_sources,
)
from missionflow.workflow.validation import build_definition
from missionflow.workflow.yaml_nodes import Node

GUARD_SET = "missionflow.all"
"""The one guard type an exported transition carries: every guard of the list must allow it."""
WILDCARD = "*"
"""How a workflow file says "from every active state"; the exports mark such transitions with it."""


class Problems:
    """Collects the problems of one document so that a single error lists all of them."""

    def __init__(self, source: str, what: str) -> None:
        self.source = source
        self.what = what
        self.found: list[DefinitionProblem] = []

    def add(self, line: int, message: str) -> None:
        """Note one problem at ``line``."""
        self.found.append(DefinitionProblem(self.source, line, message))

    def fail(self, line: int, message: str) -> InterchangeError:
        """The error for one problem that stops reading at once."""
        self.add(line, message)
        return InterchangeError(self.what, self.found)

    def raise_if_any(self) -> None:
        """Raise InterchangeError when something was noted."""
        if self.found:
            raise InterchangeError(self.what, self.found)

    def mapping(
        self, node: Node, what: str, allowed: Iterable[str], why: Mapping[str, str] | None = None
    ) -> dict[str, Node] | None:
        """The keys of ``node`` when it is a mapping with known keys only; ``why`` explains some
        refusals (a feature of the format that a workflow cannot express)."""
        if not isinstance(node.value, dict):
            self.add(node.line, f"{what} must be an object, got {describe(node)}")
            return None
        known = set(allowed)
        for key, child in node.value.items():
            if key in known:
                continue
            reason = (why or {}).get(key)
            if reason is not None:
                self.add(child.line, f"{what}: {reason}")
            else:
                self.add(
                    child.line, f"unknown key {key!r} in {what}; allowed keys: {', '.join(sorted(known))}"
                )
        return node.value

    def keyed(
        self, node: Node, what: str, allowed: Iterable[str], key: str
    ) -> tuple[dict[str, Node], str] | None:
        """The keys of the mapping ``node`` and the text under its required ``key``, or None
        (noted) when it is not such a mapping."""
        fields = self.mapping(node, what, allowed)
        if fields is None:
            return None
        if key not in fields:
            self.add(node.line, f"{what} has no {key!r}")
            return None
        text = self.text(fields[key], f"the {key} of {what}")
        return None if text is None else (fields, text)

    def text(self, node: Node, what: str) -> str | None:
        """The text of ``node``, or None (noted) when it is something else."""
        if isinstance(node.value, str):
            return node.value
        self.add(node.line, f"{what} must be text, got {describe(node)}")
        return None


def describe(node: Node) -> str:
    """What a value is, in the words of an error message."""
    value = node.value
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def to_node(value: object, line: int) -> Node:
    """A plain value (from JSON or a Python literal) as a Node tree on ``line``."""
    if isinstance(value, dict):
        return Node({str(k): to_node(v, line) for k, v in value.items()}, line)
    if isinstance(value, list | tuple):
        return Node([to_node(v, line) for v in value], line)
    if value is None or isinstance(value, str | int | float | bool):
        return Node(value, line)
    return Node(repr(value), line)


def plain(node: Node) -> object:
    """The plain value of a Node tree (lines dropped)."""
    if isinstance(node.value, dict):
        return {k: plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [plain(v) for v in node.value]
    return node.value


def guard_objects(guards: Iterable[GuardRef]) -> list[dict[str, object]]:
    """The guards of a transition as ``{"name": ..., "params": {...}}`` objects, in order."""
    return [{"name": guard.name, "params": dict(guard.params)} for guard in guards]


def guard_item(problems: Problems, item: Node, what: str) -> Node | None:
    """One ``{"name": ..., "params": {...}}`` object as a guard of a workflow file
    (``name`` or ``name: {params}``), or None (noted) when it is not one."""
    found = problems.keyed(item, f"a guard of {what}", ("name", "params"), "name")
    if found is None:
        return None
    fields, name = found
    params = fields.get("params")
    if params is None or params.value == {}:
        return Node(name, item.line)
    return Node({name: params}, item.line)


@dataclass(frozen=True)
class Edge:
    """One transition as a foreign format states it: from one source state, with the other keys
    of a workflow file's transition (``trigger``, ``dest`` unless internal, ``guards``, ``label``,
    ``tags``...). ``from_any`` is the format's mark that the file said ``source: '*'``; ``order``
    the transition's place in the file (1 for the first), when the document gives it."""

    source: str
    fields: Mapping[str, Node]
    line: int
    from_any: bool = False
    order: int | None = None


def build_from_edges(
    problems: Problems, top: Mapping[str, Node], states: list[Node], edges: list[Edge], line: int = 1
) -> WorkflowDefinition:
    """Validate what a reader found as a workflow file; raise WorkflowDefinitionError otherwise.

    Foreign formats list transitions per source state; edges that differ only by their source
    become one transition with several sources again (see ``_grouped``). A transition marked as
    from every active state (``source: '*'``) must leave every one of them.
    """
    groups = _grouped(edges)
    items = [
        Node(
            {**first.fields, "source": Node([Node(e.source, e.line) for e in group], first.line)}, first.line
        )
        for group in groups
        for first in group[:1]
    ]
    root = Node({**top, "states": Node(states, line), "transitions": Node(items, line)}, line)
    definition = build_definition(root, problems.source)
    every = wildcard_sources(definition.states)
    ordered = tuple(state.id for state in definition.states if state.id in every)
    transitions = list(definition.transitions)
    for index, group in enumerate(groups):
        if not group[0].from_any:
            continue
        transition = transitions[index]
        missing = [state for state in ordered if state not in transition.sources]
        if missing:
            problems.add(
                group[0].line,
                f"transition {transition.trigger!r} is marked as from every active state ('*') "
                f"but does not leave {', '.join(map(repr, missing))}",
            )
        others = tuple(state for state in transition.sources if state not in every)
        transitions[index] = dataclasses.replace(transition, sources=ordered + others, from_any=True)
    problems.raise_if_any()
    return dataclasses.replace(definition, transitions=tuple(transitions))


def _grouped(edges: list[Edge]) -> list[list[Edge]]:
    """The edges gathered into transitions, ordered so that each state's transitions keep the
    order the document gives them (the engine offers a state's triggers in that order).

    Groups are sorted topologically; among those free to go, the one with the lowest ``order``
    first (the file's order, when an export wrote it), else the earliest in the document. When
    the orders of two states contradict each other the edges stay apart, which keeps every order
    (and a transition from '*' becomes one per state: it still leaves the same states).
    """
    groups: dict[str, list[Edge]] = {}
    for edge in edges:
        fields = {k: plain(v) for k, v in edge.fields.items()}
        key = json.dumps([edge.from_any, edge.order, fields], sort_keys=True)
        groups.setdefault(key, []).append(edge)
    listed = list(groups.values())
    index = {id(edge): number for number, group in enumerate(listed) for edge in group}
    after: dict[int, set[int]] = {number: set() for number in range(len(listed))}
    previous: dict[str, int] = {}
    for edge in edges:
        number = index[id(edge)]
        earlier = previous.get(edge.source)
        if earlier is not None and earlier != number:
            after[earlier].add(number)
        previous[edge.source] = number
    waiting = dict.fromkeys(after, 0)
    for successors in after.values():
        for number in successors:
            waiting[number] += 1
    rank = [(group[0].order is None, group[0].order or 0, number) for number, group in enumerate(listed)]
    ready = [rank[number] for number, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered: list[list[Edge]] = []
    while ready:
        *_, number = heapq.heappop(ready)
        ordered.append(listed[number])
        for successor in after[number]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                heapq.heappush(ready, rank[successor])
    if len(ordered) == len(listed):
        return ordered
    return [[dataclasses.replace(edge, from_any=False)] for edge in edges]


def numbered(definition: WorkflowDefinition) -> dict[str, list[tuple[int, TransitionDef]]]:
    """Each state's transitions in file order, with their place in the file (1 for the first)."""
    leaving: dict[str, list[tuple[int, TransitionDef]]] = {state: [] for state in definition.state_ids}
    for order, transition in enumerate(definition.transitions, 1):
        for source in transition.sources:
            leaving[source].append((order, transition))
    return leaving


def read_order(problems: Problems, node: Node | None, what: str) -> int | None:
    """The place in the file a document gives a transition (a whole number from 1), or None."""
    if node is None:
        return None
    value = node.value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    problems.add(node.line, f"the order of {what} must be a whole number from 1, got {describe(node)}")
    return None


def unexportable(definition: WorkflowDefinition, format_name: str) -> list[DefinitionProblem]:
    """What no state-chart format can say: a final state with transitions (even internal ones)."""
    finals = set(definition.final_states)
    return [
        DefinitionProblem(
            definition.source,
            transition.line,
            f"trigger {transition.trigger!r} stays in final state {state!r}: a final state of "
            f"{format_name} has no transitions",
        )
        for transition in definition.transitions
        for state in transition.sources
        if state in finals
    ]


def reenters(transition: TransitionDef, source: str) -> bool:
    """True for a self-loop: the state is left and entered again (an internal transition is not)."""
    return transition.dest == source
