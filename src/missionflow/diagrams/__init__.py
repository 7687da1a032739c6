"""Lifecycle diagrams of a workflow or of one subject: extract a model, then render it.

``extract`` builds a :class:`Diagram` (semantic flags, no drawing syntax); ``dot`` and
``mermaid`` turn it into text; ``render`` writes files and calls Graphviz for svg/png/pdf.
"""

from __future__ import annotations

from missionflow.diagrams.extract import subject_diagram, workflow_diagram
from missionflow.diagrams.model import Diagram, DiagramEdge, DiagramNode, DiagramStep
from missionflow.diagrams.render import (
    DIAGRAM_FORMATS,
    diagram_format,
    generate_workflow_diagrams,
    render_diagram,
    write_diagram,
)

__all__ = [
    "DIAGRAM_FORMATS",
    "Diagram",
    "DiagramEdge",
    "DiagramNode",
    "DiagramStep",
    "diagram_format",
    "generate_workflow_diagrams",
    "render_diagram",
    "subject_diagram",
    "workflow_diagram",
    "write_diagram",
]
