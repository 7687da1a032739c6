"""A transition's guards as an SCXML ``cond`` that python-statemachine evaluates, and back.

``cond="missionflow_all[[{'name': ..., 'params': {...}}, ...]]"`` subscripts a name the
application supplies at run time with the list of the transition's guards. A subscript, not a
call, so that python-statemachine's restricted evaluator (its default, ``trusted=False``)
accepts it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from missionflow.workflow.definition import GuardRef
from missionflow.workflow.io._document import Problems, guard_item, guard_objects, to_node
from missionflow.workflow.yaml_nodes import Node

GUARD_NAME = "missionflow_all"
"""The name a ``cond`` subscripts with the list of a transition's guards."""


def guards_cond(guards: Iterable[GuardRef]) -> str:
    """The ``cond`` of a transition with these guards."""
    return f"{GUARD_NAME}[{python_literal(guard_objects(guards))}]"


def python_literal(value: object) -> str:
    """``value`` (lists, dicts, text, whole numbers, booleans, None) as a Python literal that
    reads back the same after python-statemachine's clean-up of JavaScript-style conditions
    (it rewrites ``true``, ``null``, ``&&``... even inside quotes, and decodes ``&lt;``).

    >>> python_literal({"name": "a && true", "params": {"n": 3, "on": True}})
    "{'name': 'a \\\\x26\\\\x26 \\\\x74rue', 'params': {'n': 3, 'on': True}}"
    """
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, str):
        text = repr(value)
        for word in ("true", "false", "null", "&", "|", "=", "!"):
            text = text.replace(word, f"\\x{ord(word[0]):02x}{word[1:]}")
        return text
    return repr(value)


def read_cond(problems: Problems, cond: str, line: int, what: str) -> Node | None:
    """The guards a ``cond`` names: ``missionflow_all[[{name, params}...]]``, or guard names
    joined by ``and`` (each one a guard without parameters)."""
    try:
        expression = ast.parse(cond.strip(), mode="eval").body
    except SyntaxError:
        expression = None
    if isinstance(expression, ast.Subscript) and _is_name(expression.value, GUARD_NAME):
        try:
            listed = ast.literal_eval(expression.slice)
        except (ValueError, TypeError, SyntaxError, RecursionError):
            listed = None
        if isinstance(listed, list | tuple):
            items = [guard_item(problems, to_node(item, line), what) for item in listed]
            return Node([item for item in items if item is not None], line)
    names = _and_names(expression)
    if names:
        return Node([Node(name, line) for name in names], line)
    problems.add(
        line,
        f"cond {cond!r} of {what} is not a missionflow guard expression: write "
        f"{GUARD_NAME}[[{{'name': ..., 'params': {{...}}}}]], or guard names joined by 'and'",
    )
    return None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _and_names(expression: ast.expr | None) -> list[str]:
    if isinstance(expression, ast.Name):
        return [expression.id]
    if isinstance(expression, ast.BoolOp) and isinstance(expression.op, ast.And):
        parts = [_and_names(value) for value in expression.values]
        return [name for part in parts for name in part] if all(parts) else []
    return []
