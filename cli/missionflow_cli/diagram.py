"""``missionflow diagram``: lifecycle diagrams of a workflow or of one mission."""

from __future__ import annotations

from pathlib import Path

import click

from missionflow_cli.app import db_option, echo, shown, store_for
from missionflow_cli.complete import complete_mission
from missionflow_cli.files import write_output

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")


@click.command()
@click.argument("workflow_name", metavar="[WORKFLOW]", required=False)
@click.option(
    "--mission", "mission_ref", default=None, shell_complete=complete_mission, help="Draw this mission."
)
@click.option(
    "-o", "--output", default=None, metavar="FILE", help="Write to this file (the suffix picks the format)."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Output format.")
@click.option(
    "--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True, help="Label language."
)
@click.option(
    "--all", "all_workflows", is_flag=True, help="Every known workflow into the folder given by -o."
)
@db_option
def diagram(
    workflow_name: str | None,
    mission_ref: str | None,
    output: str | None,
    fmt: str | None,
    lang: str,
    all_workflows: bool,
    db: str | None,
) -> None:
    """Draw a workflow, or a mission with its current state and the path it took.

    dot and mermaid need no other program; svg, png and pdf need Graphviz (apt-get install graphviz).
    Without -o, text formats are printed (dot by default).

    Example:

    \b
        missionflow diagram freelance-mission -o lifecycle.svg --lang fr
        missionflow diagram --mission M-1 --format mermaid
    """
    from missionflow import load_workflow
    from missionflow.diagrams import (
        diagram_format,
        generate_workflow_diagrams,
        render_diagram,
        workflow_diagram,
    )
    from missionflow.reports import view_diagram
    from missionflow.workflow import load_workflow_file, shipped_workflow_dir

    if all_workflows:
        out_dir = Path(output or "diagrams")
        # name.yaml is the newest version of each (name@1.yaml... keep the earlier ones)
        files = sorted(p for p in shipped_workflow_dir().glob("*.yaml") if "@" not in p.stem)
        shipped = [load_workflow_file(p) for p in files]
        try:
            # the folder itself may be made, not its parents (a typo should not make folders)
            if not out_dir.parent.is_dir() or (out_dir.exists() and not out_dir.is_dir()):
                raise click.BadParameter(f"{shown(str(out_dir))} cannot be a folder here", param_hint="'-o'")
            written = generate_workflow_diagrams(out_dir, shipped)
        except OSError as error:
            raise click.BadParameter(
                f"cannot write in {shown(str(out_dir))}: {error.strerror}", param_hint="'-o'"
            ) from None
        for path in written:
            echo(str(path))
        return
    if (workflow_name is None) == (mission_ref is None):
        raise click.UsageError("give either a WORKFLOW or --mission M")
    if mission_ref is not None:
        with store_for(db) as store:
            drawing = view_diagram(store.view(mission_ref), lang=lang)
    else:
        assert workflow_name is not None
        drawing = workflow_diagram(load_workflow(workflow_name), lang=lang)
    if output is not None:
        content = render_diagram(drawing, diagram_format(output, fmt))
        # a mission's drawing shows its client's name and its history: private like the database
        echo(str(write_output(output, content, private=mission_ref is not None, db=db)))
        return
    chosen = fmt or "dot"
    if chosen not in ("dot", "mermaid"):
        raise click.UsageError(f"{chosen} is binary: write it to a file with -o FILE")
    echo(render_diagram(drawing, chosen).decode("utf-8"), nl=False)
