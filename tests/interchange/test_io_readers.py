"""The JSON and XML readers: located problems, and limits on what a document may ask for."""

from __future__ import annotations

import json

import pytest

from missionflow.errors import InterchangeError
from missionflow.workflow.io._document import Problems
from missionflow.workflow.io._json import MAX_DEPTH, parse_json
from missionflow.workflow.io._xml import parse_xml


def _problems() -> Problems:
    return Problems("doc", "test document")


def test_json_values_know_their_line() -> None:
    """Objects, lists and scalars carry the line they start on, with tabs and CRLF line ends."""
    node = parse_json(
        '{\r\n\t"a": [\r\n\t\t1,\r\n\t\t"\\ud83d\\ude00"\r\n\t],\r\n\t"b": {"c": null}\r\n}', _problems()
    )
    assert isinstance(node.value, dict)
    items = node.value["a"].value
    assert isinstance(items, list)
    assert [(node.line, node.value["a"].line, items[0].line, items[1].value)] == [(1, 2, 3, "😀")]
    assert node.value["b"].line == 6


def test_a_duplicate_json_key_is_a_problem_on_its_line() -> None:
    """JSON keeps the last of two equal keys silently; the reader refuses them."""
    with pytest.raises(InterchangeError) as caught:
        parse_json('{"a": 1,\n "a": 2}', _problems())
    assert [(p.line, p.message) for p in caught.value.problems] == [(2, "duplicate key 'a'")]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"a":\n  1,}', 2, "not JSON: Expecting property name enclosed in double quotes"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), 1, "nesting is too deep"),
        ("[" * 100_000 + "]" * 100_000, 1, "nesting is too deep"),
        (json.dumps("x" * 1_000_001), 1, "file is larger than 1,000,000 bytes"),
    ],
)
def test_json_that_cannot_be_read_is_a_located_problem(text: str, line: int, message: str) -> None:
    """Syntax errors, deep nesting and oversized files each give one problem with its line."""
    with pytest.raises(InterchangeError) as caught:
        parse_json(text, _problems())
    assert [p.line for p in caught.value.problems] == [line]
    assert message in caught.value.problems[0].message


def test_xml_elements_know_their_line_and_namespace() -> None:
    """Each element has its namespace, local name, qualified attributes and line."""
    root = parse_xml('<a xmlns="urn:x" xmlns:m="urn:m">\n  <b m:c="1" d="2"/>\n</a>', _problems())
    (child,) = root.children
    assert (root.namespace, root.name, root.line) == ("urn:x", "a", 1)
    assert (child.name, child.line, child.attributes) == ("b", 2, {"{urn:m}c": "1", "d": "2"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<a>" + "<b/>" * 100_001 + "</a>", "more than 100,000 elements"),
        ("<a>" + "x" * 1_000_001 + "</a>", "file is larger than 1,000,000 bytes"),
        ('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>', "a <!DOCTYPE> is not accepted"),
    ],
)
def test_xml_that_asks_too_much_is_refused(text: str, message: str) -> None:
    """Too many elements, too many bytes and any DTD are refused before anything is built from them."""
    with pytest.raises(InterchangeError, match=message):
        parse_xml(text, _problems())
