"""Row 7: drawing the default workflow as SVG through missionflow, against Graphviz alone
(``dot -Tsvg`` in a subprocess) on the very DOT text missionflow produces.
"""

from __future__ import annotations

import subprocess

from missionflow.diagrams import render_diagram, workflow_diagram
from rows import Config, Row
from rows._measure import Contender, Line, Target, Timed, time_contenders, unavailable
from rows._optional import executable
from rows._workload import DEFINITION

NAME = "render the default workflow to SVG"
OURS = "missionflow"
DOT = "dot -Tsvg"


def _is_svg(output: object, who: str) -> None:
    if not isinstance(output, bytes) or b"<svg" not in output:
        raise RuntimeError(f"{who} did not produce an SVG document")


def measure(config: Config) -> list[Line]:
    """Milliseconds per drawing, in process for missionflow and as a process for dot."""
    dot = executable("dot")
    if dot is None:
        return [unavailable(7, NAME, "Graphviz's dot program is not installed (make system-deps)")]
    source = render_diagram(workflow_diagram(DEFINITION), "dot")
    if not isinstance(source, bytes):
        return [
            unavailable(7, NAME, f"render_diagram(..., 'dot') returned {type(source).__name__}, not bytes")
        ]
    drawings = config.size(full=20, quick=5)

    def ours() -> Timed:
        outputs: list[object] = []

        def run() -> object:
            for _ in range(drawings):
                outputs.append(render_diagram(workflow_diagram(DEFINITION), "svg"))
            return outputs

        return Timed(run, lambda: _is_svg(outputs[-1], OURS))

    def graphviz_alone() -> Timed:
        outputs: list[bytes] = []

        def run() -> object:
            for _ in range(drawings):
                outputs.append(
                    subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, check=True).stdout
                )
            return outputs

        return Timed(run, lambda: _is_svg(outputs[-1], DOT))

    series = time_contenders(
        [Contender(OURS, ours), Contender(DOT, graphviz_alone)],
        runs=config.runs,
        operations=drawings,
        scale=1e-6,
    )
    return [
        Line(
            row=7,
            name=NAME,
            unit="ms/op",
            ours=series[0],
            baselines=(series[1],),
            targets=(Target("≤ 1.1× dot alone", 1.1, baseline=DOT),),
            note=(
                f"{drawings} drawings per run; ours builds the diagram model and the DOT text, then runs dot; "
                "the baseline pipes the same DOT text to dot"
            ),
        )
    ]


ROW = Row(7, "diagram", "Diagram rendering", measure)
