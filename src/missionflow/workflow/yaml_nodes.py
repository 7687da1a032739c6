"""Safe YAML parsing that keeps line numbers and reads YAML 1.1 words (on/no/yes) as text; shared by
workflow files and the trade's specification files."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from missionflow.errors import DefinitionProblem

MAX_BYTES = 1_000_000
MAX_VALUES = 100_000
"""How many values a file may expand to: aliases (``*a``) can multiply a small file without end."""

_BOOL_TAG = "tag:yaml.org,2002:bool"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false: `on`, `no`, `yes` stay strings."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


if yaml.__with_libyaml__:

    class _StrictComposer(yaml.CSafeLoader):
        """The same rules with libyaml's parser: composing a workflow file is 10x faster."""

    _StrictComposer.yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers
    _COMPOSER: type[yaml.CSafeLoader] | type[_StrictLoader] = _StrictComposer
else:  # pragma: no cover - PyYAML's wheels ship libyaml
    _COMPOSER = _StrictLoader


@dataclass(frozen=True)
class Node:
    """A parsed YAML value and the line (1-based) it starts on."""

    value: dict[str, Node] | list[Node] | str | int | float | bool | None
    line: int


class _TooManyValues(Exception):
    """Stops the conversion once a file expands past MAX_VALUES."""


class YamlProblems(Exception):
    """Raised inside the loader with the problems found while parsing."""

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def parse(text: str, source: str) -> Node:
    """Parse ``text`` into a Node tree, or raise YamlProblems with a located message."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise YamlProblems([DefinitionProblem(source, 1, f"file is larger than {MAX_BYTES:,} bytes")])
    if not text.strip():
        raise YamlProblems(
            [
                DefinitionProblem(
                    source, 1, "file is empty: a workflow needs name, version, states and transitions"
                )
            ]
        )
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = f"YAML syntax error: {exc.problem or exc.context}"
        # The problem is often found lines after its cause (an unclosed bracket): name both.
        if exc.problem and exc.context and exc.context_mark is not None:
            message += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        raise YamlProblems([DefinitionProblem(source, line, message)]) from None
    except yaml.YAMLError as exc:
        raise YamlProblems([DefinitionProblem(source, 1, f"YAML error: {exc}")]) from None
    except (ValueError, RecursionError) as exc:
        raise YamlProblems([DefinitionProblem(source, 1, f"unreadable YAML: {exc}")]) from None
    if root is None:
        raise YamlProblems(
            [
                DefinitionProblem(
                    source, 1, "file is empty: a workflow needs name, version, states and transitions"
                )
            ]
        )
    problems: list[DefinitionProblem] = []
    loader = _StrictLoader("")
    try:
        node = _convert(root, loader, source, problems, depth=0, budget=[MAX_VALUES])
    except _TooManyValues:
        raise YamlProblems(
            [
                DefinitionProblem(
                    source,
                    root.start_mark.line + 1,
                    f"file expands to more than {MAX_VALUES:,} values (aliases that repeat themselves?)",
                )
            ]
        ) from None
    finally:
        loader.dispose()
    if problems:
        raise YamlProblems(problems)
    return node


def _convert(
    node: yaml.Node,
    loader: _StrictLoader,
    source: str,
    problems: list[DefinitionProblem],
    depth: int,
    budget: list[int],
) -> Node:
    # An alias is the same node object seen again: `a: &x [*x, *x]` is a tiny file that expands
    # without end, so every converted value is counted against a budget shared by the whole file.
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooManyValues
    line = node.start_mark.line + 1
    if depth > 50:
        problems.append(DefinitionProblem(source, line, "nesting is too deep"))
        return Node(None, line)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(DefinitionProblem(source, key_line, "a key must be plain text"))
                continue
            key = str(key_node.value)
            if key in mapping:
                problems.append(DefinitionProblem(source, key_line, f"duplicate key {key!r}"))
                continue
            mapping[key] = _convert(value_node, loader, source, problems, depth + 1, budget)
        return Node(mapping, line)
    if isinstance(node, yaml.SequenceNode):
        return Node(
            [_convert(item, loader, source, problems, depth + 1, budget) for item in node.value], line
        )
    tag = node.tag
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", _BOOL_TAG, "tag:yaml.org,2002:null"):
        try:
            value = loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            problems.append(DefinitionProblem(source, line, f"unreadable value: {exc}"))
            return Node(None, line)
        return Node(value, line)
    if tag.startswith("tag:yaml.org,2002:") or tag == "!":
        return Node(str(node.value), line)
    problems.append(DefinitionProblem(source, line, f"unsupported YAML tag {tag}"))
    return Node(None, line)
