"""The dependency rules of the layout, checked by reading every module's imports with ast.

The packages import in one direction only::

    workflow  <-  freelance  <-  store  <-  reports
        ^                                     |
        +------------ diagrams  <-------------+
    (the root and missionflow.testing may import any of them; the CLI only their public names)
"""

from __future__ import annotations
import __future__

import ast
import importlib
import re
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

import missionflow
from missionflow.workflow import load_workflow_file, shipped_workflow_dir

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "src" / "missionflow"
CLI = ROOT / "cli" / "missionflow_cli"
MAX_LINES = 400
"""The house limit for a module (generated migrations excepted)."""
PUBLIC_PACKAGES = (
    "missionflow",
    "missionflow.workflow",
    "missionflow.freelance",
    "missionflow.freelance.documents",
    "missionflow.store",
    "missionflow.reports",
    "missionflow.diagrams",
    "missionflow.testing",
    "missionflow.errors",
    "missionflow.money",
)
"""What an application (and the CLI) may import from: each has its own __all__."""


@dataclass(frozen=True)
class Import:
    """One imported module (``from m import n`` gives module m and names n) and where it is."""

    path: Path
    line: int
    module: str
    names: tuple[str, ...]
    top_level: bool

    def where(self) -> str:
        """path:line, relative to the repository."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def python_files(folder: Path) -> list[Path]:
    """Every .py file under ``folder``."""
    return sorted(folder.rglob("*.py"))


def imports_of(path: Path) -> list[Import]:
    """Every import in a file, noting whether it runs at import time (outside any function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(path, child.lineno, a.name, (), not in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                # a relative import keeps its dots, so it never looks like a third-party package
                module = f"{'.' * child.level}{child.module or ''}"
                names = tuple(a.name for a in child.names)
                found.append(Import(path, child.lineno, module, names, not in_function))
            visit(
                child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            )

    visit(tree, False)
    return found


def library_imports() -> list[Import]:
    """The imports of every module of the library."""
    return [imp for path in python_files(LIBRARY) for imp in imports_of(path)]


def is_package(module: str, package: str) -> bool:
    """True when ``module`` is ``package`` or one of its submodules."""
    return module == package or module.startswith(package + ".")


def package_of(path: Path) -> str:
    """The first-level package of a library file (``workflow``, ``store``...), or its module name."""
    parts = path.relative_to(LIBRARY).parts
    return parts[0].removesuffix(".py")


def imported_packages(folder: str) -> list[Import]:
    """The imports of missionflow's own modules made by the files of one first-level package."""
    return [
        imp
        for path in python_files(LIBRARY / folder)
        for imp in imports_of(path)
        if is_package(imp.module, "missionflow")
    ]


def test_the_import_walker_sees_lazy_and_top_level_imports() -> None:
    """The walker finds imports at the top and inside functions, and tells them apart."""
    engine = [i for i in imports_of(LIBRARY / "workflow" / "engine.py") if i.module == "transitions"]
    # the types at the top (under TYPE_CHECKING), the machine inside the method that builds it
    assert [(i.names, i.top_level) for i in engine] == [
        (("Event", "EventData", "Machine"), True),
        (("Machine",), False),
    ]
    settings = [
        i for i in imports_of(LIBRARY / "freelance" / "settings.py") if i.module == "missionflow.errors"
    ]
    assert settings
    assert not settings[0].top_level  # set_from_text imports it inside the function


FORBIDDEN = {
    "workflow": ("freelance", "store", "reports", "diagrams", "testing"),
    "freelance": ("store", "reports", "diagrams", "testing"),
    "store": ("reports", "diagrams", "testing"),
    "diagrams": ("freelance", "store", "reports", "testing"),
    "reports": ("testing",),
}
"""For each package, the packages it must never import (the CLI is never importable: it is another
distribution package)."""


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_package_imports_only_downwards(package: str) -> None:
    """The engine knows nothing of the trade, the store or the views; the trade nothing of the store;
    the store nothing of the reports; diagrams only the engine."""
    offenders = [
        f"{imp.where()}: imports {imp.module}"
        for imp in imported_packages(package)
        for other in FORBIDDEN[package]
        if is_package(imp.module, f"missionflow.{other}")
    ]
    assert offenders == []


def test_the_library_never_imports_click_or_the_cli() -> None:
    """click and the CLI belong to the command line: no module of the library imports them."""
    offenders = [
        i.where()
        for i in library_imports()
        if is_package(i.module, "click") or is_package(i.module, "missionflow_cli")
    ]
    assert offenders == []


def test_transitions_is_imported_only_by_the_engine() -> None:
    """workflow/engine.py is the only module that imports transitions."""
    offenders = [
        i.where()
        for i in library_imports()
        if is_package(i.module, "transitions") and i.path != LIBRARY / "workflow" / "engine.py"
    ]
    assert offenders == []


def test_sqlalchemy_and_alembic_stay_in_the_store() -> None:
    """Only the store package imports sqlalchemy or alembic."""
    offenders = [
        i.where()
        for i in library_imports()
        if (is_package(i.module, "sqlalchemy") or is_package(i.module, "alembic"))
        and package_of(i.path) != "store"
    ]
    assert offenders == []


def test_graphviz_is_imported_lazily_and_only_by_diagrams() -> None:
    """Only the diagrams package imports graphviz, and only inside functions."""
    for imp in library_imports():
        if not is_package(imp.module, "graphviz"):
            continue
        assert package_of(imp.path) == "diagrams", imp.where()
        assert not imp.top_level, f"{imp.where()}: import graphviz inside the function that renders"


def test_no_module_reaches_into_another_packages_private_names() -> None:
    """A module imports only public names (no leading underscore) from another package."""
    offenders = []
    for imp in library_imports():
        if not is_package(imp.module, "missionflow"):
            continue
        target = imp.module.split(".")
        own = package_of(imp.path)
        if len(target) > 1 and target[1] == own:
            continue
        private_module = any(part.startswith("_") for part in target[1:])
        private_names = [n for n in imp.names if n.startswith("_") and n != "__version__"]
        if private_module or private_names:
            offenders.append(f"{imp.where()}: {imp.module} {private_names or ''}")
    assert offenders == []


def test_the_cli_imports_only_public_packages_and_names() -> None:
    """The CLI imports only from the public packages, and only names in their __all__."""
    problems = []
    for path in python_files(CLI):
        for imp in imports_of(path):
            if not is_package(imp.module, "missionflow"):
                continue
            if imp.module not in PUBLIC_PACKAGES:
                problems.append(f"{imp.where()}: imports a private module {imp.module}")
                continue
            public = set(getattr(importlib.import_module(imp.module), "__all__", ()))
            problems.extend(
                f"{imp.where()}: {n} is not in {imp.module}.__all__" for n in imp.names if n not in public
            )
    assert problems == []


def _isort_key(name: str) -> tuple[int, list[int | str]]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then the rest; natural sort within."""
    if name.isupper() or (name.upper() == name and any(c.isalpha() for c in name)):
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    return group, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_every_public_all_is_sorted_complete_and_importable(name: str) -> None:
    """Each public package's __all__ is sorted as ruff keeps it, names every public object it
    defines, and every name in it exists."""
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names == sorted(names, key=_isort_key)
    assert len(set(names)) == len(names)
    assert [n for n in names if not hasattr(module, n)] == []
    if name == "missionflow":
        defined = {
            n
            for n, value in vars(module).items()
            if not n.startswith("_")
            and not isinstance(value, types.ModuleType)
            and not isinstance(value, __future__._Feature)  # `from __future__ import annotations`
        }
        assert sorted(defined - set(names)) == []


def test_the_root_is_a_narrow_core() -> None:
    """The root exports about 40 names: the engine, the subject, the store entry point, the errors, Money."""
    assert len(missionflow.__all__) <= 40
    assert {"fire", "Subject", "open_store", "MissionflowError", "Money"} <= set(missionflow.__all__)


def test_every_library_module_starts_with_a_docstring() -> None:
    """Each module of the library opens with a docstring saying what it owns."""
    missing = [
        str(path.relative_to(ROOT))
        for path in python_files(LIBRARY)
        if "migrations" not in path.parts
        and not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()
    ]
    assert missing == []


def test_no_module_is_over_the_house_limit() -> None:
    """No module of the library or the CLI is over about 400 lines (generated migrations excepted)."""
    too_long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for path in [*python_files(LIBRARY), *python_files(CLI)]
        if "migrations" not in path.parts
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert too_long == []


# --- meaning is declared in the workflow file, never matched by name -------------------------------


def shipped_names() -> frozenset[str]:
    """Every state and trigger name of the shipped workflows."""
    names: set[str] = set()
    for path in shipped_workflow_dir().glob("*.yaml"):
        definition = load_workflow_file(path)
        names.update(definition.state_ids)
        names.update(definition.triggers)
    return frozenset(names)


NAMED_BY = frozenset({"trigger", "triggers", "state", "states", "source", "dest", "target"})
"""What code calls a trigger or a state it holds (``record.trigger``, ``mission.state``, ``dest``)."""
FIRING = frozenset({"fire", "_fire", "fire_with_invoice"})


def _mentions_a_name(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id in NAMED_BY)
        or (isinstance(n, ast.Attribute) and n.attr in NAMED_BY)
        for n in ast.walk(node)
    )


def _literals(node: ast.AST | None, names: frozenset[str]) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [n for element in node.elts for n in _literals(element, names)]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("frozenset", "set")
    ):
        return [n for arg in node.args for n in _literals(arg, names)]
    return []


def name_literals(tree: ast.Module, names: frozenset[str], *, fires: bool = True) -> list[tuple[int, str]]:
    """Where code gives meaning to a trigger or a state by its name written as a literal: a
    comparison with what holds a trigger or state (``record.trigger == "approve"``), a module
    constant whose keys or members are all such names (``WORK_STATES = {"in_progress", ...}``), and,
    when ``fires``, a fire of a trigger named in the code."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for side in sides:
                literal = _literals(side, names)
                if literal and any(_mentions_a_name(other) for other in sides if other is not side):
                    found.extend((node.lineno, n) for n in literal)
        elif isinstance(node, ast.Call) and fires:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in FIRING:
                found.extend((node.lineno, n) for arg in node.args[1:2] for n in _literals(arg, names))
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            value = statement.value
            members = [k for k in value.keys if k is not None] if isinstance(value, ast.Dict) else [value]
            literal = [n for member in members for n in _literals(member, names)]
            listed = (
                value.keys
                if isinstance(value, ast.Dict)
                else getattr(value, "elts", None)
                or (
                    value.args[0].elts
                    if isinstance(value, ast.Call) and value.args and hasattr(value.args[0], "elts")
                    else []
                )
            )
            if literal and len(literal) == len(listed):
                found.extend((statement.lineno, n) for n in literal)
    return found


def test_the_literal_finder_sees_comparisons_constants_and_fires() -> None:
    """The finder catches a comparison with a trigger or state, a constant made of names and a fire
    by name, and leaves alone the same words used for something else."""
    code = (
        "if record.trigger == 'approve': pass\n"
        "ok = mission.state in ('paid', 'other')\n"
        "WORK = frozenset({'in_progress', 'revisions'})\n"
        "PARTY = {'sign_contract': 'client'}\n"
        "store.fire(ref, 'qualify')\n"
        "status_ok = balance.status == 'paid'\n"
        "TEXT = {'paid': 'Paid', 'title': 'Report'}\n"
    )
    known = frozenset({"approve", "paid", "in_progress", "revisions", "sign_contract", "qualify"})
    found = sorted(n for _, n in name_literals(ast.parse(code), known))
    assert found == ["approve", "in_progress", "paid", "qualify", "revisions", "sign_contract"]


SCRIPTED = (LIBRARY / "testing.py", CLI / "demo.py")
"""Scripts that walk the shipped workflow by its trigger names (test builders, the demo): they fire
named triggers as a user types them, and give no name a meaning."""


def test_no_code_gives_meaning_to_a_trigger_or_state_name() -> None:
    """No module of the library or the CLI recognises a trigger or state by its name: what a
    transition means (effects, tags, parties) is declared in the workflow file."""
    names = shipped_names()
    offenders = []
    for path in [*python_files(LIBRARY), *python_files(CLI)]:
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, name in name_literals(tree, names, fires=path not in SCRIPTED):
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {name!r}")
    assert offenders == []


def test_importing_the_root_loads_no_sqlalchemy() -> None:
    """`import missionflow` stays light: the store (and SQLAlchemy) loads on first use."""
    import subprocess
    import sys

    code = "import sys, missionflow; print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


ABSTRACT_ERRORS = {"MissionflowError", "NotFoundError", "TransitionError"}
"""Roots of a branch of the tree: raised through their subclasses only."""


def test_every_error_class_is_raised_somewhere() -> None:
    """Each class of the error tree is raised (or built to be raised) by the library: none is dead."""
    import missionflow.errors as errors

    sources = "\n".join(path.read_text(encoding="utf-8") for path in python_files(LIBRARY))
    unused = [
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), Exception)
        and name not in ABSTRACT_ERRORS
        and not re.search(rf"\b{name}\(", sources.replace(f"class {name}(", ""))
    ]
    assert unused == []
