"""definition_to_data writes a definition in the shape of its file, so that it reads back equal."""

from __future__ import annotations

import dataclasses

import pytest

from missionflow.workflow import WorkflowDefinition, definition_as_json, definition_to_data, parse_workflow

WORKFLOW = """
name: wildcards
version: 1
initial: a
states:
  - {id: a}
  - {id: b}
  - {id: paused, kind: exit}
  - {id: done, final: true}
transitions:
  - {trigger: go, source: a, dest: b}
  - {trigger: pause, source: [a, b], dest: paused}
  - {trigger: resume, source: paused, dest: a}
  - {trigger: finish, source: SOURCE, dest: done}
"""


def _without_lines(definition: WorkflowDefinition) -> WorkflowDefinition:
    """The definition without its file and line numbers."""
    return dataclasses.replace(
        definition,
        source="",
        states=tuple(dataclasses.replace(s, line=0) for s in definition.states),
        transitions=tuple(dataclasses.replace(t, line=0) for t in definition.transitions),
    )


@pytest.mark.parametrize(
    ("source", "written"),
    [
        ("'*'", "*"),
        ("['*', paused]", ["*", "paused"]),
        ("[paused, '*']", ["paused", "*"]),
        ("[b, '*']", ["b", "*"]),
        ("[b, paused, '*']", ["b", "paused", "*"]),
        ("[a, b, paused]", ["a", "b", "paused"]),
    ],
)
def test_a_wildcard_among_other_sources_is_written_as_the_file_said_it(source: str, written: object) -> None:
    """'*' alone, before or after other states, is written back with '*' (and reads back from '*'
    with the same sources in the same order); the same states listed one by one stay a list."""
    definition = parse_workflow(WORKFLOW.replace("SOURCE", source))
    finish = definition_to_data(definition)["transitions"][-1]  # type: ignore[index]
    assert finish["source"] == written
    again = parse_workflow(definition_as_json(definition))
    assert _without_lines(again) == _without_lines(definition)
