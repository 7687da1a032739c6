"""The public API (what ``missionflow`` exports) is documented and typed: every class and function
has its own docstring, the main entry points show an example that runs, signatures never say Any."""

from __future__ import annotations

import doctest
import importlib
import inspect
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

import missionflow

PUBLIC_PACKAGES = (
    "missionflow",
    "missionflow.workflow",
    "missionflow.freelance",
    "missionflow.freelance.documents",
    "missionflow.store",
    "missionflow.reports",
    "missionflow.diagrams",
    "missionflow.testing",
)
MAIN_ENTRY_POINTS = (
    ("missionflow", "open_store"),
    ("missionflow", "Store"),
    ("missionflow", "fire"),
    ("missionflow", "triggers"),
    ("missionflow", "Workflow"),
    ("missionflow", "Hooks"),
    ("missionflow", "register_guard"),
    ("missionflow", "load_workflow"),
    ("missionflow.diagrams", "workflow_diagram"),
    ("missionflow.freelance", "fire"),
    ("missionflow.workflow", "isolated_registries"),
    ("missionflow.testing", "working_mission"),
)
"""What an application developer reaches for first: each one shows how to use it."""


def public_objects() -> dict[str, object]:
    """Every class and function the public packages export, by qualified name."""
    found: dict[str, object] = {}
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                found[f"{package}.{name}"] = value
    return found


def own_docstring(value: object) -> str:
    """The docstring written for ``value`` itself: not inherited, not a dataclass's generated signature."""
    doc = value.__dict__.get("__doc__") if inspect.isclass(value) else getattr(value, "__doc__", None)
    if not isinstance(doc, str):
        return ""
    name = getattr(value, "__name__", "")
    if inspect.isclass(value) and doc.startswith(f"{name}("):  # what @dataclass writes when there is none
        return ""
    return doc.strip()


def test_the_helpers_tell_written_docstrings_from_generated_ones() -> None:
    """A dataclass without a docstring and a class inheriting one count as undocumented."""
    import dataclasses

    @dataclasses.dataclass
    class Bare:
        x: int

    class Child(missionflow.Money):
        pass

    assert own_docstring(Bare) == ""
    assert own_docstring(Child) == ""
    assert own_docstring(missionflow.Money).startswith("An exact amount")


def test_every_public_class_and_function_has_a_docstring() -> None:
    """Each class and function the public packages export has a docstring of its own."""
    objects = public_objects()
    assert len(objects) > 50
    assert sorted(name for name, value in objects.items() if not own_docstring(value)) == []


@pytest.mark.parametrize(("package", "name"), MAIN_ENTRY_POINTS)
def test_the_main_entry_points_show_an_example(package: str, name: str) -> None:
    """The docstring of each main entry point holds an example (a doctest or an "Example" section)."""
    doc = own_docstring(getattr(importlib.import_module(package), name))
    assert ">>>" in doc or "Example" in doc


@pytest.mark.parametrize(("package", "name"), MAIN_ENTRY_POINTS)
def test_the_examples_of_the_main_entry_points_run(
    package: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The doctests in the docstrings of the main entry points (methods included) pass."""
    monkeypatch.chdir(tmp_path)
    value = getattr(importlib.import_module(package), name)
    module = inspect.getmodule(value)
    finder = doctest.DocTestFinder(recurse=inspect.isclass(value))
    tests = [t for t in finder.find(value, name, module=module, globs=dict(vars(module))) if t.examples]
    assert tests
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def _mentions_any(hint: object) -> bool:
    if hint is typing.Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(hint))


def _signatures(value: object) -> list[tuple[str, Callable[..., object]]]:
    """The functions whose signatures are public: the object, or a class's own public methods."""
    if inspect.isfunction(value):
        return [(value.__name__, value)]
    found: list[tuple[str, Callable[..., object]]] = []
    assert inspect.isclass(value)
    for attr, member in vars(value).items():
        if attr.startswith("_") and attr != "__init__":
            continue
        func = member.__func__ if isinstance(member, classmethod | staticmethod) else member
        if inspect.isfunction(func) and func.__module__.startswith("missionflow"):
            found.append((f"{value.__name__}.{attr}", func))
    return found


def test_the_any_finder_looks_inside_generic_types() -> None:
    """Any is found at any depth of a type, and only there."""
    assert _mentions_any(typing.Any)
    assert _mentions_any(dict[str, list[typing.Any]] | None)
    assert not _mentions_any(dict[str, list[int]] | None)


def test_public_signatures_never_say_any() -> None:
    """No parameter or return type of a public function or method is (or contains) Any."""
    offenders = []
    public_names: dict[str, object] = {}
    for package in PUBLIC_PACKAGES:
        public_names.update(vars(importlib.import_module(package)))
    for value in public_objects().values():
        for where, wrapped in _signatures(value):
            func = inspect.unwrap(wrapped)  # a decorated function (a context manager) keeps its own
            # names imported only for type checking resolve through the public facade
            hints = typing.get_type_hints(func, globalns={**public_names, **func.__globals__})
            offenders.extend(f"{where}: {param}" for param, hint in hints.items() if _mentions_any(hint))
    assert offenders == []


def test_the_package_says_it_is_typed() -> None:
    """py.typed ships next to the package so that applications' type checkers read its annotations."""
    assert (Path(missionflow.__file__).parent / "py.typed").is_file()


def _own_types(hint: object) -> set[type]:
    """The classes of missionflow a type mentions, at any depth."""
    found: set[type] = set()
    origin = typing.get_origin(hint)
    for part in (hint, origin):
        if inspect.isclass(part) and part.__module__.startswith("missionflow"):
            found.add(part)
    for arg in typing.get_args(hint):
        found |= _own_types(arg)
    return found


def test_every_type_in_a_public_signature_is_exported() -> None:
    """A caller can name every missionflow type that a public function or method takes or returns."""
    public_names: dict[str, object] = {}
    exported: set[int] = set()
    for package in (*PUBLIC_PACKAGES, "missionflow.errors", "missionflow.money"):
        module = importlib.import_module(package)
        public_names.update(vars(module))
        exported |= {id(getattr(module, name)) for name in module.__all__}
    missing = []
    for value in public_objects().values():
        for where, wrapped in _signatures(value):
            func = inspect.unwrap(wrapped)
            hints = typing.get_type_hints(func, globalns={**public_names, **func.__globals__})
            for param, hint in hints.items():
                missing.extend(
                    f"{where}({param}): {own.__module__}.{own.__qualname__}"
                    for own in _own_types(hint)
                    if id(own) not in exported
                )
    assert sorted(set(missing)) == []
