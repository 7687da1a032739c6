"""XML read with line numbers through the standard library's expat, with no DTD at all.

ElementTree forgets where an element was; expat knows, so the reader builds a small tree of its
own with each element's line. A ``<!DOCTYPE>`` is refused outright: entity definitions (the
basis of expansion bombs) need one, and a state chart never does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from missionflow.workflow.io._document import Problems
from missionflow.workflow.yaml_nodes import MAX_BYTES

MAX_ELEMENTS = 100_000


@dataclass
class Element:
    """One XML element: its namespace and local name, attributes (``{namespace}name`` keys for a
    namespaced attribute, ``name`` otherwise), children and the line it starts on."""

    namespace: str
    name: str
    attributes: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)
    has_text: bool = False


class _Refused(Exception):
    """Stops expat on something the reader will not accept, with the reason."""


def parse_xml(text: str, problems: Problems) -> Element:
    """The root element of ``text``; raise InterchangeError when it is not well-formed XML."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise problems.fail(1, f"file is larger than {MAX_BYTES:,} bytes")
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Element] = []
    roots: list[Element] = []
    budget = [MAX_ELEMENTS]

    def start(tag: str, attributes: dict[str, str]) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise _Refused(f"more than {MAX_ELEMENTS:,} elements")
        namespace, _, name = tag.rpartition(" ")
        element = Element(
            namespace, name, {_qualified(k): v for k, v in attributes.items()}, parser.CurrentLineNumber
        )
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def characters(data: str) -> None:
        if stack and data.strip():
            stack[-1].has_text = True

    def doctype(*args: object) -> None:
        raise _Refused("a <!DOCTYPE> is not accepted (no DTD, no entities)")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        message = expat.errors.messages[exc.code]
        raise problems.fail(exc.lineno, f"not well-formed XML: {message} (column {exc.offset + 1})") from None
    except _Refused as exc:
        raise problems.fail(parser.CurrentLineNumber, str(exc)) from None
    return roots[0]


def _qualified(attribute: str) -> str:
    namespace, _, name = attribute.rpartition(" ")
    return f"{{{namespace}}}{name}" if namespace else name
