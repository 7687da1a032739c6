"""The format registry and the file reader of missionflow.workflow.io."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import missionflow.workflow.io as interchange
from missionflow.errors import InterchangeError, InvalidValueError
from missionflow.workflow import (
    INTERCHANGE_FORMATS,
    WorkflowDefinition,
    export_workflow,
    import_workflow_file,
    isolated_registries,
    load_workflow,
)


def test_the_built_in_formats() -> None:
    """xstate, scxml and yaml are known, and every public name of the package exists."""
    assert INTERCHANGE_FORMATS == ("xstate", "scxml", "yaml")
    assert [name for name in interchange.__all__ if not hasattr(interchange, name)] == []


@pytest.mark.parametrize(
    ("path", "name"),
    [("m.json", "xstate"), ("M.SCXML", "scxml"), ("m.xml", "scxml"), ("m.yml", "yaml"), ("m.yaml", "yaml")],
)
def test_the_suffix_of_a_file_names_its_format(path: str, name: str) -> None:
    """A file's suffix, in any case, picks its format."""
    assert interchange.format_for_path(path).name == name


def test_an_unknown_format_or_suffix_names_the_known_formats() -> None:
    """An unknown name or suffix is an InvalidValueError listing xstate, scxml and yaml."""
    with pytest.raises(InvalidValueError, match="'dot' is not a known format; formats: xstate, scxml, yaml"):
        export_workflow(load_workflow("coaching"), "dot")
    with pytest.raises(InvalidValueError, match=r"cannot tell the format of m\.txt from its suffix"):
        interchange.format_for_path("m.txt")


def _write_name(definition: WorkflowDefinition) -> str:
    """A writer of the test's format: the workflow's name."""
    return definition.name


def _read_name(text: str, source: str) -> WorkflowDefinition:
    """A reader of the test's format: the known workflow the text names."""
    return load_workflow(text.strip())


NAMES = interchange.InterchangeFormat("names", "name file", (".name",), _write_name, _read_name)


def test_an_application_registers_its_own_format(tmp_path: Path) -> None:
    """A registered format is used by export_workflow and by its suffix on import (and is gone
    after the test: the conftest's isolated registries put the formats back)."""
    interchange.register_format(NAMES)
    assert export_workflow(load_workflow("coaching"), "names") == "coaching"
    path = tmp_path / "m.name"
    path.write_text("retainer\n", encoding="utf-8")
    assert import_workflow_file(path).name == "retainer"


def test_a_format_is_replaced_only_when_asked() -> None:
    """Registering the same format again is harmless; another one under a known name is refused
    unless replace=True."""
    interchange.register_format(NAMES)
    assert interchange.register_format(NAMES) is NAMES
    other = interchange.InterchangeFormat("xstate", "my XState", (".json",), _write_name, _read_name)
    with pytest.raises(InvalidValueError, match="a format named 'xstate' is already registered"):
        interchange.register_format(other)
    assert interchange.register_format(other, replace=True) is other
    assert export_workflow(load_workflow("coaching"), "xstate") == "coaching"


def test_isolated_registries_put_the_formats_back() -> None:
    """A format registered or replaced inside the block is gone after it."""
    with isolated_registries():
        interchange.register_format(NAMES)
        interchange.register_format(dataclasses.replace(NAMES, name="yaml"), replace=True)
    assert interchange.get_format("yaml").title == "workflow file"
    with pytest.raises(InvalidValueError, match="'names' is not a known format"):
        interchange.get_format("names")


def test_a_file_that_cannot_be_read_is_an_interchange_error(tmp_path: Path) -> None:
    """A missing file and bytes that are not UTF-8 are problems of that file."""
    with pytest.raises(InterchangeError, match=r"m\.json:0: cannot read: No such file"):
        import_workflow_file(tmp_path / "m.json")
    latin = tmp_path / "l.scxml"
    latin.write_bytes("<scxml name='é'/>".encode("latin-1"))
    with pytest.raises(InterchangeError, match=r"l\.scxml:1: not UTF-8 text \(byte 13\)"):
        import_workflow_file(latin)
