"""``missionflow workflow ...``: the shipped and installed workflow definitions."""

from __future__ import annotations

import click

from missionflow_cli.app import emit_json, json_option, table


@click.group()
def workflow() -> None:
    """List, show, copy and validate workflow definitions.

    Your own workflows live in the workflows folder of your configuration directory (see
    `missionflow workflow copy`) or in the files and folders listed in MISSIONFLOW_WORKFLOWS.

    Example:

        missionflow workflow validate my-workflow.yaml
    """


@workflow.command("list")
@json_option
def workflow_list(as_json: bool) -> None:
    """List every known workflow (shipped, or installed by a package).

    Example:

        missionflow workflow list
    """
    from missionflow import load_workflow
    from missionflow.workflow import workflow_names

    definitions = [load_workflow(name) for name in workflow_names()]
    if as_json:
        emit_json(
            [
                {"name": d.name, "version": d.version, "title": d.title, "states": len(d.states)}
                for d in definitions
            ]
        )
        return
    table(["NAME", "VERSION", "TITLE"], [[d.name, d.version, d.title] for d in definitions])


@workflow.command("show")
@click.argument("name")
@click.option("--version", "version", type=int, default=None, help="A given version (default: the newest).")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@json_option
def workflow_show(name: str, version: int | None, lang: str, as_json: bool) -> None:
    """Show the states and transitions of a workflow, with their guards.

    Example:

        missionflow workflow show freelance-mission --lang fr
    """
    from missionflow import load_workflow
    from missionflow.workflow import get_guard

    definition = load_workflow(name, version)

    def guard_words(guard_name: str) -> str:
        spec = get_guard(guard_name)
        return spec.describe(lang) if spec else guard_name

    if as_json:
        emit_json(
            {
                "name": definition.name,
                "version": definition.version,
                "title": definition.title,
                "initial": definition.initial,
                "states": [
                    {"id": s.id, "label": s.label.in_lang(lang), "final": s.final, "kind": s.kind.value}
                    for s in definition.states
                ],
                "transitions": [
                    {
                        "trigger": t.trigger,
                        "sources": list(t.sources),
                        "dest": t.dest,
                        "guards": [g.name for g in t.guards],
                    }
                    for t in definition.transitions
                ],
            }
        )
        return
    click.echo(f"{definition.name} v{definition.version}: {definition.title}")
    if definition.description:
        click.echo(f"  {definition.description}")
    click.echo("states:")
    table(
        ["STATE", "LABEL", "KIND"],
        [
            [
                s.id,
                s.label.in_lang(lang),
                ("initial " if s.id == definition.initial else "")
                + (s.kind.value + (" final" if s.final else "")),
            ]
            for s in definition.states
        ],
    )
    click.echo("transitions:")
    table(
        ["TRIGGER", "FROM", "TO", "GUARDS"],
        [
            [
                t.trigger,
                ", ".join(t.sources),
                t.dest or "(stays)",
                ", ".join(guard_words(g.name) for g in t.guards),
            ]
            for t in definition.transitions
        ],
    )


@workflow.command("validate")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
def workflow_validate(path: str) -> None:
    """Check a workflow file and list every problem with its line (exit 7 when invalid).

    Example:

        missionflow workflow validate workflows/freelance-mission.yaml
    """
    from missionflow.workflow import load_workflow_file

    definition = load_workflow_file(path)
    click.echo(
        f"{path}: valid ({definition.name} v{definition.version}, "
        f"{len(definition.states)} states, {len(definition.transitions)} transitions)"
    )


@workflow.command("copy")
@click.argument("source")
@click.argument("name")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Write it in this folder (default: your workflows folder).",
)
@click.option("--force", is_flag=True, help="Replace a file of that name.")
def workflow_copy(source: str, name: str, folder: str | None, force: bool) -> None:
    """Write an editable copy of SOURCE named NAME (version 1) and print its path.

    The copy lands in your workflows folder, where missionflow finds it: edit it, check it with
    `workflow validate`, and run missions under it with `mission new --workflow NAME`.

    Example:

        missionflow workflow copy freelance-mission my-flow
    """
    from pathlib import Path

    from missionflow.workflow import copy_workflow

    written = copy_workflow(source, name, folder=Path(folder) if folder else None, force=force)
    click.echo(str(written))
