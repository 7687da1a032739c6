"""JSON read with line numbers, so that a problem of an imported machine names its line.

The standard library's decoder does all the parsing: ``json.loads`` first decides whether the
text is JSON at all (with its own located message), then a walk over the braces, brackets,
commas and colons hands every key and scalar to ``JSONDecoder.raw_decode`` and notes where each
value starts. The walk itself never has to deal with malformed text.
"""

from __future__ import annotations

import bisect
import json
import re

from missionflow.workflow.io._document import Problems
from missionflow.workflow.yaml_nodes import MAX_BYTES, Node

MAX_DEPTH = 50
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def parse_json(text: str, problems: Problems) -> Node:
    """The JSON document ``text`` as a Node tree; raise InterchangeError when it is not JSON."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise problems.fail(1, f"file is larger than {MAX_BYTES:,} bytes")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise problems.fail(exc.lineno, f"not JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise problems.fail(1, "nesting is too deep") from None
    walker = _Walker(text, problems)
    node, _ = walker.value(walker.skip(0), depth=0)
    problems.raise_if_any()
    return node


class _Walker:
    """Walks valid JSON text and builds Nodes that know their line."""

    def __init__(self, text: str, problems: Problems) -> None:
        self.text = text
        self.problems = problems
        self.newlines = [i for i, char in enumerate(text) if char == "\n"]

    def line(self, index: int) -> int:
        return bisect.bisect_left(self.newlines, index) + 1

    def skip(self, index: int) -> int:
        found = _SPACE.match(self.text, index)
        assert found is not None  # the pattern matches the empty string
        return found.end()

    def value(self, index: int, depth: int) -> tuple[Node, int]:
        line = self.line(index)
        opening = self.text[index]
        if opening not in "{[":
            scalar, end = _DECODER.raw_decode(self.text, index)
            return Node(scalar, line), end
        if depth >= MAX_DEPTH:
            raise self.problems.fail(line, "nesting is too deep")
        if opening == "[":
            return self._array(index, line, depth)
        return self._object(index, line, depth)

    def _array(self, index: int, line: int, depth: int) -> tuple[Node, int]:
        items: list[Node] = []
        index = self.skip(index + 1)
        while self.text[index] != "]":
            item, index = self.value(index, depth + 1)
            items.append(item)
            index = self._after_item(index)
        return Node(items, line), index + 1

    def _object(self, index: int, line: int, depth: int) -> tuple[Node, int]:
        members: dict[str, Node] = {}
        index = self.skip(index + 1)
        while self.text[index] != "}":
            key_line = self.line(index)
            key, index = _DECODER.raw_decode(self.text, index)
            index = self.skip(self.skip(index) + 1)  # the colon
            member, index = self.value(index, depth + 1)
            if key in members:
                self.problems.add(key_line, f"duplicate key {key!r}")
            else:
                members[key] = member
            index = self._after_item(index)
        return Node(members, line), index + 1

    def _after_item(self, index: int) -> int:
        index = self.skip(index)
        return self.skip(index + 1) if self.text[index] == "," else index
