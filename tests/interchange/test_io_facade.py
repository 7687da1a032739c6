"""The format registry and the file reader of missionflow.workflow.io."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import missionflow.workflow.io as interchange
from missionflow.errors import InterchangeError, InvalidValueError
from missionflow.workflow import (
    INTERCHANGE_FORMATS,
    WorkflowDefinition,
    export_workflow,
    import_workflow_file,
    load_workflow,
)


@pytest.fixture
def registry() -> Iterator[None]:
    """Formats registered by a test are gone after it."""
    saved = dict(interchange._FORMATS)
    yield
    interchange._FORMATS.clear()
    interchange._FORMATS.update(saved)


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


def test_an_application_registers_its_own_format(registry: None, tmp_path: Path) -> None:
    """A registered format is used by export_workflow and by its suffix on import."""

    def write(definition: WorkflowDefinition) -> str:
        return definition.name

    def read(text: str, source: str) -> WorkflowDefinition:
        return load_workflow(text.strip())

    interchange.register_format(interchange.InterchangeFormat("names", "name file", (".name",), write, read))
    assert export_workflow(load_workflow("coaching"), "names") == "coaching"
    path = tmp_path / "m.name"
    path.write_text("retainer\n", encoding="utf-8")
    assert import_workflow_file(path).name == "retainer"


def test_a_file_that_cannot_be_read_is_an_interchange_error(tmp_path: Path) -> None:
    """A missing file and bytes that are not UTF-8 are problems of that file."""
    with pytest.raises(InterchangeError, match=r"m\.json:0: cannot read: No such file"):
        import_workflow_file(tmp_path / "m.json")
    latin = tmp_path / "l.scxml"
    latin.write_bytes("<scxml name='é'/>".encode("latin-1"))
    with pytest.raises(InterchangeError, match=r"l\.scxml:1: not UTF-8 text \(byte 13\)"):
        import_workflow_file(latin)
