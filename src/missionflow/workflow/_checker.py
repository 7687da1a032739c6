"""Reading a parsed workflow file value by value, collecting every problem instead of stopping at
the first: the validator's typed readers (mappings, texts, labels, flags, lists of names)."""

from __future__ import annotations

import re

from missionflow.errors import DefinitionProblem
from missionflow.workflow.definition import Label
from missionflow.workflow.yaml_nodes import Node

NAME = re.compile(r"^[a-z][a-z0-9-]*$")
"""A workflow name: lower-case words joined by hyphens."""
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
"""A state, trigger, tag, effect or party name: lower-case words joined by underscores."""
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
"""A language code such as en, fr or pt-BR."""


def describe(node: Node) -> str:
    """What a value is, for a message ("a list", "text ('x')")."""
    value = node.value
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    return f"text ({value!r})"


class Checker:
    """Collects problems while reading one file, so that all of them are reported at once."""

    def __init__(self, source: str, language: str = "en") -> None:
        self.source = source
        self.language = language
        self.problems: list[DefinitionProblem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(DefinitionProblem(self.source, line, message))

    def mapping(self, node: Node, what: str, allowed: set[str]) -> dict[str, Node] | None:
        if not isinstance(node.value, dict):
            self.problem(node.line, f"{what} must be a mapping of keys to values, got {describe(node)}")
            return None
        for key, child in node.value.items():
            if key not in allowed:
                self.problem(
                    child.line,
                    f"unknown key {key!r} in {what}; allowed keys: {', '.join(sorted(allowed))}",
                )
        return node.value

    def text(
        self,
        parent: dict[str, Node],
        key: str,
        what: str,
        *,
        required: bool,
        pattern: re.Pattern[str] | None = None,
        default: str = "",
    ) -> str | None:
        node = parent.get(key)
        if node is None:
            if required:
                line = min((c.line for c in parent.values()), default=1)
                self.problem(line, f"{what} has no {key!r}: add `{key}: ...`")
                return None
            return default
        return self.name(node, f"{key!r} of {what}", pattern)

    def name(self, node: Node, what: str, pattern: re.Pattern[str] | None = None) -> str | None:
        """A text value, checked against ``pattern`` when given."""
        if not isinstance(node.value, str) or isinstance(node.value, bool):
            self.problem(node.line, f"{what} must be text, got {describe(node)}")
            return None
        if pattern is not None and not pattern.match(node.value):
            joiner = "-" if pattern is NAME else "_"
            self.problem(
                node.line,
                f"{what} is {node.value!r}: use lower-case letters, digits and {joiner}, starting with a letter",
            )
            return None
        return node.value

    def names(self, node: Node | None, what: str) -> list[tuple[str, int]]:
        """A list of identifiers (tags, effects) with their lines; one name alone is a list of one."""
        if node is None:
            return []
        items = node.value if isinstance(node.value, list) else [node]
        found: list[tuple[str, int]] = []
        for item in items:
            name = self.name(item, f"an item of {what}", IDENT)
            if name is not None and name not in (n for n, _ in found):
                found.append((name, item.line))
        return found

    def label(self, node: Node | None, what: str, fallback: str) -> Label:
        """A label in any languages: the workflow's own language is required, the others optional."""
        if node is None:
            return Label.plain(fallback.replace("_", " ").capitalize(), self.language)
        if isinstance(node.value, str):
            return Label.plain(node.value, self.language)
        if not isinstance(node.value, dict):
            self.problem(node.line, f"the label of {what} must be a text or a mapping of languages to texts")
            return Label.plain(fallback, self.language)
        texts: list[tuple[str, str]] = []
        for lang, child in node.value.items():
            if not LANG.match(lang):
                self.problem(
                    child.line, f"{lang!r} in the label of {what} is not a language code like en or fr"
                )
            elif not isinstance(child.value, str):
                self.problem(child.line, f"the {lang!r} label of {what} must be text, got {describe(child)}")
            else:
                texts.append((lang, child.value))
        if self.language not in (lang for lang, _ in texts):
            self.problem(
                node.line,
                f"the label of {what} has no {self.language!r} text, the workflow's language: "
                f"add `{self.language}: ...`",
            )
        texts.sort(key=lambda pair: pair[0] != self.language)  # the workflow's language first
        return Label(tuple(texts)) if texts else Label.plain(fallback, self.language)

    def flag(self, mapping: dict[str, Node], key: str, what: str) -> bool:
        node = mapping.get(key)
        if node is None:
            return False
        if not isinstance(node.value, bool):
            self.problem(node.line, f"{key!r} of {what} must be true or false, got {describe(node)}")
            return False
        return node.value
