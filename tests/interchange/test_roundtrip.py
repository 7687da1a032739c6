"""Export then import gives back an equivalent workflow, through the library and through the CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner
from missionflow_cli.main import cli

from missionflow.workflow import (
    INTERCHANGE_FORMATS,
    Label,
    WorkflowDefinition,
    export_workflow,
    import_workflow,
    load_workflow,
    load_workflow_file,
)
from tests.interchange.normal_form import normal_form, without_places
from tests.shipped import SHIPPED, shipped

HERE = Path(__file__).parent
SAMPLES = [
    HERE / "machines" / "tricky.yaml",
    HERE / "machines" / "languages.yaml",
    *sorted((HERE.parent / "machines" / "valid").glob("*.yaml")),
]


def _definitions() -> list[WorkflowDefinition]:
    return [shipped(stem) for stem in SHIPPED] + [load_workflow_file(path) for path in SAMPLES]


def _ids(definition: WorkflowDefinition) -> str:
    return definition.key


@pytest.mark.parametrize("fmt", INTERCHANGE_FORMATS)
@pytest.mark.parametrize("definition", _definitions(), ids=_ids)
def test_export_then_import_gives_an_equivalent_workflow(definition: WorkflowDefinition, fmt: str) -> None:
    """States, transitions with their guards and parameters, labels in every language, kinds,
    tags, outcomes, effects, parties, done and next texts, '*' sources and hooks all come back."""
    text = export_workflow(definition, fmt)
    assert normal_form(import_workflow(text, fmt, source=f"exported.{fmt}")) == normal_form(definition)


@pytest.mark.parametrize("fmt", INTERCHANGE_FORMATS)
@pytest.mark.parametrize("name", [*SHIPPED, "languages"])
def test_export_then_import_gives_an_equal_definition(name: str, fmt: str) -> None:
    """For the shipped workflows, every version (and a sample in French with labels in four more
    languages), the import equals the original field for field, transitions and timers in file
    order; only the file and the line numbers differ."""
    definition = shipped(name) if name in SHIPPED else load_workflow_file(HERE / "machines" / f"{name}.yaml")
    back = import_workflow(export_workflow(definition, fmt), fmt)
    assert without_places(back) == without_places(definition)


@pytest.mark.parametrize("fmt", INTERCHANGE_FORMATS)
@pytest.mark.parametrize("definition", _definitions(), ids=_ids)
def test_exporting_an_imported_workflow_gives_the_same_text(definition: WorkflowDefinition, fmt: str) -> None:
    """A second export is identical to the first: nothing drifts on the way back."""
    text = export_workflow(definition, fmt)
    assert export_workflow(import_workflow(text, fmt), fmt) == text


def test_the_shipped_transitions_come_back_grouped_as_written() -> None:
    """A transition from several states comes back as one transition, not one per state."""
    definition = load_workflow("freelance-mission")
    back = import_workflow(export_workflow(definition, "xstate"), "xstate")
    assert len(back.transitions) == len(definition.transitions)
    decline = next(t for t in back.transitions if t.trigger == "decline")
    assert decline.sources == ("lead", "criteria_check", "specification")


def test_the_normal_form_tells_different_workflows_apart() -> None:
    """A changed label, guard parameter or order of a state's transitions changes the normal form."""
    definition = load_workflow_file(SAMPLES[0])
    book = definition.transitions[0]
    relabelled = dataclasses.replace(book, label=Label.of(en="Book", fr="Réserver"))
    guard = dataclasses.replace(book.guards[1], params={"minimum_days": 4})
    reparametrised = dataclasses.replace(book, guards=(book.guards[0], guard, book.guards[2]))
    for changed in (relabelled, reparametrised):
        other = dataclasses.replace(definition, transitions=(changed, *definition.transitions[1:]))
        assert normal_form(other) != normal_form(definition)
    swapped = (definition.transitions[2], definition.transitions[1], *definition.transitions[3:])
    reordered = dataclasses.replace(definition, transitions=(book, *swapped))
    assert normal_form(reordered) != normal_form(definition)


@pytest.mark.parametrize("fmt", ["xstate", "scxml"])
@pytest.mark.parametrize("name", SHIPPED)
def test_the_cli_exports_and_imports_back_an_equivalent_workflow(name: str, fmt: str, tmp_path: Path) -> None:
    """`workflow export -o` then `workflow import -o` writes a YAML file that validates to the same
    workflow, for every published version of each shipped workflow."""
    runner = CliRunner()
    definition = shipped(name)
    exported = tmp_path / f"{name}.{'json' if fmt == 'xstate' else 'scxml'}"
    version = str(definition.version)
    written = runner.invoke(
        cli,
        ["workflow", "export", definition.name, "--version", version, "--format", fmt, "-o", str(exported)],
    )
    assert written.exit_code == 0, written.output
    assert f"wrote {exported}" in written.stderr
    yaml_file = tmp_path / f"{name}.yaml"
    imported = runner.invoke(cli, ["workflow", "import", str(exported), "-o", str(yaml_file)])
    assert imported.exit_code == 0, imported.output
    validated = runner.invoke(cli, ["workflow", "validate", str(yaml_file)])
    assert validated.exit_code == 0, validated.output
    assert normal_form(load_workflow_file(yaml_file)) == normal_form(definition)
