"""``missionflow workflow ...``: the shipped and installed workflow definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from missionflow_cli.app import db_option, default_actor, echo, emit_json, json_option, store_for, table
from missionflow_cli.files import write_output

if TYPE_CHECKING:
    from missionflow.store import MigrationPlan


@click.group()
def workflow() -> None:
    """List, show, copy, validate, export and import workflow definitions.

    Your own workflows live in the workflows folder of your configuration directory (see
    `missionflow workflow copy`) or in the files and folders listed in MISSIONFLOW_WORKFLOWS.

    Export them for XState or SCXML applications, and import those back; move missions in
    flight to a new version with migrate.

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
    from missionflow.workflow import describe_timer, get_guard

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
                        "after": describe_timer(t.after, lang) if t.after is not None else None,
                    }
                    for t in definition.transitions
                ],
            }
        )
        return
    echo(f"{definition.name} v{definition.version}: {definition.title}")
    if definition.description:
        echo(f"  {definition.description}")
    echo("states:")
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
    echo("transitions:")
    table(
        ["TRIGGER", "FROM", "TO", "GUARDS", "TIMER"],
        [
            [
                t.trigger,
                ", ".join(t.sources),
                t.dest or "(stays)",
                ", ".join(guard_words(g.name) for g in t.guards),
                describe_timer(t.after, lang) if t.after is not None else "",
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
    echo(
        f"{path}: valid ({definition.name} v{definition.version}, "
        f"{len(definition.states)} states, {len(definition.transitions)} transitions)"
    )


@workflow.command("migrate")
@click.argument("name")
@click.option("--to", "to_version", type=click.IntRange(min=1), required=True, help="The version to move to.")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="OLD=NEW",
    help="Move the missions of state OLD to state NEW (repeat for several states).",
)
@click.option("--dry-run", is_flag=True, help="Only show what would move, and what would be stranded.")
@click.option("--by", "actor", default=None, help="Who moves them (default: your login name).")
@db_option
@json_option
def workflow_migrate(
    name: str,
    to_version: int,
    mappings: tuple[str, ...],
    dry_run: bool,
    actor: str | None,
    db: str | None,
    as_json: bool,
) -> None:
    """Move the missions of a workflow to another of its versions, in flight.

    Lists per state how many missions move and where, and which would be stranded: a state the
    new version does not have (map it with --map OLD=NEW), or a mission the new version's rules
    would not have let into its state. While one is stranded nothing moves (exit 8); otherwise
    every mission moves in one transaction, with a "migrate" entry in its history and the timers
    of the new version.

    Example:

    \b
        missionflow workflow migrate freelance-mission --to 2 --dry-run
        missionflow workflow migrate freelance-mission --to 2 --map briefing=specification
    """
    mapping: dict[str, str] = {}
    for item in mappings:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(
                f"{item!r}: give OLD=NEW, like briefing=specification", param_hint="'--map'"
            )
        mapping[old.strip()] = new.strip()
    with store_for(db) as store:
        plan = store.migrate_missions(
            name, to_version, mapping=mapping, dry_run=dry_run, actor=actor or default_actor()
        )
    if as_json:
        emit_json(_plan_json(plan))
        return
    _print_plan(plan, dry_run)


def _plan_json(plan: MigrationPlan) -> dict[str, object]:
    return {
        "workflow": plan.workflow,
        "to_version": plan.to_version,
        "done": plan.done,
        "moving": plan.moving,
        "already": plan.already,
        "states": [
            {
                "version": move.version,
                "state": move.state,
                "dest": move.dest,
                "missions": list(move.missions),
                "stranded": [{"mission": s.mission, "reasons": list(s.reasons)} for s in move.stranded],
            }
            for move in plan.moves
        ],
    }


def _print_plan(plan: MigrationPlan, dry_run: bool) -> None:
    target = f"{plan.workflow}@{plan.to_version}"
    echo(f"{plan.workflow} to version {plan.to_version}{' (dry run)' if dry_run else ''}:")
    table(
        ["FROM", "STATE", "MISSIONS", "TO", "STRANDED"],
        [
            [
                f"@{move.version}",
                move.state,
                len(move.missions),
                move.dest or "(none)",
                ", ".join(s.mission for s in move.stranded) or "",
            ]
            for move in plan.moves
        ],
    )
    for stranded in plan.stranded:
        echo(f"stranded: {stranded}")
    if plan.already:
        echo(f"{plan.already} already under {target}")
    if plan.done:
        echo(f"moved {plan.moving} mission{'s' if plan.moving != 1 else ''} to {target}")
    elif plan.stranded:
        echo(f"{len(plan.stranded)} stranded: the migration would be refused; nothing moved")
    else:
        echo(f"{plan.moving} mission{'s' if plan.moving != 1 else ''} would move to {target}")


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
    echo(str(written))


INTERCHANGE = ("xstate", "scxml", "yaml")


@workflow.command("export")
@click.argument("name", metavar="NAME|FILE")
@click.option(
    "--format", "fmt", type=click.Choice(INTERCHANGE), required=True, help="xstate (JSON), scxml or yaml."
)
@click.option("--version", "version", type=int, default=None, help="A given version (default: the newest).")
@click.option(
    "-o", "--output", default=None, metavar="FILE", help="Write to this file (its folder must exist)."
)
def workflow_export(name: str, fmt: str, version: int | None, output: str | None) -> None:
    """Write a workflow for another engine: an XState v5 machine (JSON) or W3C SCXML.

    NAME is a known workflow, or a workflow file (.yaml). Guards become one guard object per
    transition that the other application implements (see docs/INTERCHANGE.md).

    Example:

    \b
        missionflow workflow export freelance-mission --format xstate -o mission.json
        missionflow workflow export my-workflow.yaml --format scxml
    """
    from missionflow.workflow import export_workflow, load_workflow, load_workflow_file

    is_file = name.endswith((".yaml", ".yml"))
    if is_file and version is not None:
        raise click.UsageError("--version picks a version of a known workflow, not of a file")
    definition = load_workflow_file(name) if is_file else load_workflow(name, version)
    _emit(export_workflow(definition, fmt), output)


@workflow.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(INTERCHANGE),
    default=None,
    help="The file's format (default: from its suffix, .json xstate, .scxml/.xml scxml).",
)
@click.option(
    "-o", "--output", default=None, metavar="FILE", help="Write the YAML here (its folder must exist)."
)
def workflow_import(path: str, fmt: str | None, output: str | None) -> None:
    """Read an XState machine (JSON) or an SCXML document back as a workflow file (YAML).

    The workflow is checked like any workflow file: exit 7 with every problem and its line when
    it is invalid, exit 2 when the file is not a document of that format.

    Example:

    \b
        missionflow workflow import mission.json -o my-workflow.yaml
    """
    from missionflow.workflow import definition_to_yaml, import_workflow_file

    _emit(definition_to_yaml(import_workflow_file(path, fmt)), output)


def _emit(text: str, output: str | None) -> None:
    """Print ``text``, or write it to ``output`` (a workflow holds no client data) and say so."""
    if output is None:
        echo(text, nl=False)
        return
    echo(f"wrote {write_output(output, text, private=False)}", err=True)
