"""Rendering a diagram to bytes and files: dot and mermaid as text, svg/png/pdf through Graphviz.

``graphviz`` is imported inside :func:`render_diagram` only, so the library (and the text
formats) work on a machine without Graphviz.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from missionflow.diagrams.dot import to_dot
from missionflow.diagrams.extract import workflow_diagram
from missionflow.diagrams.mermaid import to_mermaid
from missionflow.diagrams.model import Diagram
from missionflow.errors import DiagramRenderError, InvalidValueError
from missionflow.workflow import WorkflowDefinition, latest_workflows

DIAGRAM_FORMATS = ("dot", "mermaid", "svg", "png", "pdf")
"""Every format :func:`render_diagram` knows; the last three need Graphviz's ``dot`` program."""

GRAPHVIZ_FORMATS = ("svg", "png", "pdf")

SUFFIX_FORMATS = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
}
"""The format :func:`write_diagram` picks for each file suffix."""

MISSING_DOT = (
    "Graphviz's dot program was not found, and {fmt} needs it; "
    "install Graphviz: apt-get install graphviz / brew install graphviz "
    "(--format dot and --format mermaid work without it)"
)


def render_diagram(diagram: Diagram, fmt: str) -> bytes:
    """The diagram in ``fmt`` (one of :data:`DIAGRAM_FORMATS`); text formats are UTF-8.

    Raises InvalidValueError for an unknown format and DiagramRenderError when Graphviz
    is missing or fails.

    >>> from missionflow import load_workflow
    >>> from missionflow.diagrams import workflow_diagram
    >>> render_diagram(workflow_diagram(load_workflow("retainer")), "mermaid").splitlines()[3]
    b'stateDiagram-v2'
    """
    if fmt == "dot":
        return to_dot(diagram).encode("utf-8")
    if fmt == "mermaid":
        return to_mermaid(diagram).encode("utf-8")
    if fmt not in GRAPHVIZ_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(DIAGRAM_FORMATS)}")
    import graphviz

    source = graphviz.Source(to_dot(diagram), engine="dot")
    try:
        rendered: bytes = source.pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound:
        raise DiagramRenderError(MISSING_DOT.format(fmt=fmt)) from None
    except graphviz.CalledProcessError as exc:
        detail = (
            exc.stderr.decode("utf-8", "replace").strip() if exc.stderr else f"exit status {exc.returncode}"
        )
        raise DiagramRenderError(f"Graphviz could not render {fmt}: {detail}") from exc
    return rendered


def diagram_format(path: str | Path, fmt: str | None = None) -> str:
    """The format to write ``path`` in: ``fmt`` when given, else what its suffix says (.svg .png
    .pdf, .dot or .gv, .mmd or .mermaid); InvalidValueError when the suffix says nothing.

    >>> diagram_format("lifecycle.SVG"), diagram_format("x.txt", "dot")
    ('svg', 'dot')
    """
    if fmt is not None:
        return fmt
    found = SUFFIX_FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise InvalidValueError(
            "format",
            f"cannot tell the format of {Path(path).name!r} from its suffix; "
            f"use one of {' '.join(SUFFIX_FORMATS)} or give the format",
        )
    return found


def write_diagram(diagram: Diagram, path: str | Path, fmt: str | None = None) -> Path:
    """Render the diagram into ``path`` (folders created) and return the path.

    Without ``fmt`` the suffix decides (see diagram_format). Nothing is written when rendering fails.
    """
    path = Path(path)
    content = render_diagram(diagram, diagram_format(path, fmt))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def generate_workflow_diagrams(
    out_dir: Path, definitions: Iterable[WorkflowDefinition] | None = None
) -> list[Path]:
    """Write ``<name>.svg``, ``<name>.mmd`` and ``<name>.dot`` (English) for each workflow.

    By default every known workflow at its latest version. Everything is rendered before
    anything is written, so a missing Graphviz leaves the folder as it was.
    """
    chosen = list(definitions) if definitions is not None else latest_workflows()
    out_dir = Path(out_dir)
    files: list[tuple[Path, bytes]] = []
    for definition in chosen:
        diagram = workflow_diagram(definition)
        for suffix, fmt in ((".svg", "svg"), (".mmd", "mermaid"), (".dot", "dot")):
            files.append((out_dir / f"{definition.name}{suffix}", render_diagram(diagram, fmt)))
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, content in files:
        path.write_bytes(content)
    return [path for path, _ in files]
