"""Mermaid ``stateDiagram-v2`` text from the diagram model, for Markdown pages that render it.

Mermaid cannot style one transition of a state diagram, so what dot shows with colours and
dashes is written in the transition's text: a timer's delay (⏱), the dated steps, "possible
now", "blocked — why".
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from missionflow.diagrams.model import WORDS, Diagram, DiagramEdge

# Only the classes a diagram uses are declared; applied in this order so that "current" wins.
_CLASSES = (
    ("exit", "fill:#fbeaea,stroke:#b03a2e,color:#b03a2e"),
    ("visited", "fill:#e3eefa,stroke:#1f5fa8"),
    ("current", "fill:#ffd54f,stroke:#8a6d00,stroke-width:3px,font-weight:bold"),
)

# Mermaid's grammar ends a transition text at ":" ";" "#" and a state name at '"'; its entity
# codes (#58; ...) are decoded after parsing, so the text is shown as written.
_ENTITIES = {"#": "#35;", ":": "#58;", ";": "#59;", '"': "#quot;"}


def to_mermaid(diagram: Diagram) -> str:
    """The diagram as Mermaid text, byte-identical for the same diagram.

    >>> from missionflow import load_workflow
    >>> from missionflow.diagrams import workflow_diagram
    >>> text = to_mermaid(workflow_diagram(load_workflow("coaching")))
    >>> "    lead --> criteria_check : qualify [client not blocked]" in text.splitlines()
    True
    """
    return "\n".join(_lines(diagram)) + "\n"


def _lines(diagram: Diagram) -> Iterator[str]:
    title = f"{diagram.title} · {diagram.subtitle}" if diagram.subtitle else diagram.title
    yield "---"
    yield f"title: {json.dumps(title, ensure_ascii=False)}"
    yield "---"
    yield "stateDiagram-v2"
    yield "    direction TB"
    for node in diagram.nodes:
        yield f'    state "{escape(node.label)}" as {node.id}'
    yield f"    [*] --> {diagram.initial}"
    for edge in diagram.edges:
        yield f"    {edge.source} --> {edge.dest} : {escape(_edge_text(edge, diagram))}"
    for node in diagram.nodes:
        if node.final:
            yield f"    {node.id} --> [*]"
    for name, style in _CLASSES:
        members = [node.id for node in diagram.nodes if getattr(node, name)]
        if members:
            yield f"    classDef {name} {style}"
            yield f"    class {','.join(members)} {name}"


def _edge_text(edge: DiagramEdge, diagram: Diagram) -> str:
    words = WORDS[diagram.lang]
    if diagram.plain:
        return " — ".join(line for line in edge.label.split("\n") if line)
    parts = [f"{edge.label} ({edge.trigger})" if edge.label != edge.trigger else edge.trigger]
    if edge.timer is not None:
        parts.append(f"⏱ {edge.timer}")
    if edge.guards:
        parts.append("[" + ", ".join(edge.guards) + "]")
    if edge.steps:
        parts.append("— " + ", ".join(step.text for step in edge.steps))
    if edge.blocked:
        parts.append(f"({words.blocked} — {edge.reason})" if edge.reason else f"({words.blocked})")
    elif edge.possible:
        parts.append(f"({words.possible})")
    return " ".join(parts)


def escape(text: str) -> str:
    """``text`` on one line, with the characters Mermaid would misread as entity codes."""
    return "".join(_ENTITIES.get(char, char) for char in " ".join(text.split()))
