"""Graphviz DOT text from the diagram model: one statement per line, node ids are state ids.

Semantic flags become a ``class`` attribute (kept by Graphviz in SVG output, for CSS) and
colours and line styles: exits in red, the current state in yellow, the path taken in blue,
transitions possible now in green (solid) or, when blocked, in orange (dashed); a timed
transition is dotted, with its delay under its name.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from missionflow.diagrams.model import WORDS, Diagram, DiagramEdge, DiagramNode

START = "__start__"
"""The id of the point that marks the initial state (state ids cannot start with ``_``)."""

_FONT = "Helvetica"
_INK = "#37474f"
_EXIT = "#b03a2e"
_EXIT_FILL = "#fbeaea"
_VISITED_FILL = "#e3eefa"
_CURRENT_FILL = "#ffd54f"
_CURRENT_INK = "#8a6d00"
_TAKEN = "#1f5fa8"
_ALLOWED = "#2e7d32"
_BLOCKED = "#d9822b"
_FADED = "#b0b7bb"
_WRAP = 44
_INDENT = "\u00a0\u00a0\u00a0"

_PLAIN_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_NEWLINE = "\x00"
_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})


def to_dot(diagram: Diagram) -> str:
    """The diagram as DOT text, byte-identical for the same diagram.

    >>> from missionflow import load_workflow
    >>> from missionflow.diagrams import workflow_diagram
    >>> print(to_dot(workflow_diagram(load_workflow("coaching"))).splitlines()[0])
    digraph coaching {
    """
    return "\n".join(_lines(diagram)) + "\n"


def _lines(diagram: Diagram) -> Iterator[str]:
    title = _attrs(
        label=_text(diagram.title, diagram.subtitle),
        labelloc="t",
        fontname=_FONT,
        fontsize="16",
        rankdir="TB",
        nodesep="0.45",
        ranksep="0.45",
    )
    nodes = _attrs(
        shape="box",
        style="rounded,filled",
        fillcolor="#ffffff",
        color=_INK,
        fontcolor="#263238",
        fontname=_FONT,
        fontsize="12",
        margin="0.15,0.06",
    )
    edges = _attrs(color=_INK, fontcolor=_INK, fontname=_FONT, fontsize="9", arrowsize="0.7")
    start = _attrs(shape="point", width="0.18", label="", color=_INK, fillcolor=_INK, **{"class": "start"})
    yield f"digraph {_id(diagram.name)} {{"
    yield f"  graph {title};"
    yield f"  node {nodes};"
    yield f"  edge {edges};"
    yield f"  {START} {start};"
    for node in diagram.nodes:
        yield f"  {_id(node.id)} {_node_attrs(node)};"
    yield f"  {START} -> {_id(diagram.initial)};"
    for edge in diagram.edges:
        yield f"  {_id(edge.source)} -> {_id(edge.dest)} {_edge_attrs(edge, diagram)};"
    yield "}"


def _node_attrs(node: DiagramNode) -> str:
    classes = ["state"] + [
        flag
        for flag, on in (
            ("initial", node.initial),
            ("final", node.final),
            ("exit", node.exit),
            ("visited", node.visited),
            ("current", node.current),
        )
        if on
    ]
    attrs = {"id": f"state-{node.id}", "label": _text(node.label), "class": " ".join(classes)}
    if node.description:
        attrs["tooltip"] = _text(node.description)
    if node.final:
        attrs["peripheries"] = "2"
    if node.exit:
        attrs.update(color=_EXIT, fontcolor=_EXIT, fillcolor=_EXIT_FILL)
    if node.visited:
        attrs["fillcolor"] = _VISITED_FILL
    if node.current:
        attrs.update(fillcolor=_CURRENT_FILL, color=_CURRENT_INK, penwidth="3", fontname=f"{_FONT}-Bold")
    return _attrs(**attrs)


def _edge_attrs(edge: DiagramEdge, diagram: Diagram) -> str:
    words = WORDS[diagram.lang]
    head = f"{edge.label} ({edge.trigger})" if edge.label != edge.trigger else edge.trigger
    lines = [head]
    if diagram.plain:
        # Set off from the edge: a printed font a little wider than dot's measure still clears it.
        lines = [
            f"{_INDENT}{wrapped}" for line in edge.label.split("\n") for wrapped in textwrap.wrap(line, _WRAP)
        ]
    else:
        if edge.timer is not None:
            lines.extend(textwrap.wrap(f"{words.timer}: {edge.timer}", _WRAP))
        if edge.guards:
            lines.extend(textwrap.wrap("[" + ", ".join(edge.guards) + "]", _WRAP))
        lines.extend(step.text for step in edge.steps)
    if edge.blocked and not diagram.plain:
        lines.extend(
            textwrap.wrap(f"{words.blocked} — {edge.reason}" if edge.reason else words.blocked, _WRAP)
        )
    classes = ["transition"] + [
        flag
        for flag, on in (
            ("internal", edge.internal),
            ("timed", edge.timed),
            ("exit", edge.exit),
            ("taken", edge.taken),
            ("possible", edge.possible),
            ("allowed", edge.possible and not edge.blocked),
            ("blocked", edge.blocked),
        )
        if on
    ]
    attrs = {"id": edge.key, "label": _text(*lines), "class": " ".join(classes)}
    if edge.timed:
        attrs["style"] = "dotted"
    if edge.exit:
        # Exits do not pull on the layout, so the main path stays straight.
        attrs.update(color=_EXIT, fontcolor=_EXIT, weight="0")
    if diagram.mission is not None and not (edge.taken or edge.possible):
        attrs.update(color=_FADED, fontcolor=_FADED)
    if edge.taken:
        attrs.update(color=_TAKEN, fontcolor=_TAKEN, penwidth="2.5")
    if edge.possible:
        colour = _BLOCKED if edge.blocked else _ALLOWED
        attrs.update(color=colour, fontcolor=colour, penwidth="2")
        attrs["style"] = "dashed" if edge.blocked else "solid"
    return _attrs(**attrs)


def _attrs(**attrs: str) -> str:
    return "[" + ", ".join(f"{name}={_value(value)}" for name, value in attrs.items()) + "]"


def _id(text: str) -> str:
    if _PLAIN_ID.fullmatch(text) and text.lower() not in _KEYWORDS:
        return text
    return _quote(text)


def _value(text: str) -> str:
    return text if _NUMBER.fullmatch(text) else _quote(text)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace(_NEWLINE, "\\n") + '"'


def _text(*lines: str) -> str:
    """Lines of a label, joined by a marker that quoting turns into Graphviz's ``\\n``."""
    return _NEWLINE.join(line.replace("\n", " ") for line in lines if line)
