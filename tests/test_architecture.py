"""The dependency rules of the layout, checked by reading every module's imports with ast."""

from __future__ import annotations
import __future__

import ast
import re
import types
from dataclasses import dataclass
from pathlib import Path

import missionflow

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "src" / "missionflow"
CLI = ROOT / "cli" / "missionflow_cli"


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


def test_the_import_walker_sees_lazy_and_top_level_imports() -> None:
    """The walker finds imports at the top and inside functions, and tells them apart."""
    engine = {i.module: i for i in imports_of(LIBRARY / "engine.py")}
    assert engine["transitions"].top_level
    assert engine["transitions"].names == ("EventData", "Machine")
    settings = [i for i in imports_of(LIBRARY / "settings.py") if i.module == "missionflow.errors"]
    assert settings
    assert not settings[0].top_level  # set_from_text imports it inside the function


def test_the_library_never_imports_click() -> None:
    """click belongs to the CLI: no module of the library imports it."""
    offenders = [i.where() for i in library_imports() if is_package(i.module, "click")]
    assert offenders == []


def test_transitions_is_imported_only_by_the_engine() -> None:
    """engine.py is the only module that imports transitions."""
    offenders = [
        i.where()
        for i in library_imports()
        if is_package(i.module, "transitions") and i.path != LIBRARY / "engine.py"
    ]
    assert offenders == []


def test_sqlalchemy_and_alembic_stay_in_persistence() -> None:
    """Only the persistence package imports sqlalchemy or alembic (and it may not exist yet)."""
    persistence = LIBRARY / "persistence"
    offenders = [
        i.where()
        for i in library_imports()
        if (is_package(i.module, "sqlalchemy") or is_package(i.module, "alembic"))
        and persistence not in i.path.parents
    ]
    assert offenders == []


def test_graphviz_is_imported_lazily_and_only_by_diagrams() -> None:
    """Only the diagrams module (or package) imports graphviz, and only inside functions."""
    diagrams_file = LIBRARY / "diagrams.py"
    diagrams_package = LIBRARY / "diagrams"
    for imp in library_imports():
        if not is_package(imp.module, "graphviz"):
            continue
        assert imp.path == diagrams_file or diagrams_package in imp.path.parents, imp.where()
        assert not imp.top_level, f"{imp.where()}: import graphviz inside the function that renders"


def test_the_cli_imports_only_the_public_api() -> None:
    """The CLI imports from `missionflow` only names listed in missionflow.__all__, never a submodule."""
    public = set(missionflow.__all__)
    problems = []
    for path in python_files(CLI):
        for imp in imports_of(path):
            if imp.module.startswith("missionflow.") or (imp.module == "missionflow" and not imp.names):
                if imp.module != "missionflow":
                    problems.append(f"{imp.where()}: imports private module {imp.module}")
                continue
            if imp.module == "missionflow":
                problems.extend(
                    f"{imp.where()}: {n} is not in missionflow.__all__" for n in imp.names if n not in public
                )
        problems.extend(_attribute_uses(path, public))
    assert problems == []


def _attribute_uses(path: Path, public: set[str]) -> list[str]:
    """``missionflow.x`` used after ``import missionflow`` must name a public x too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: missionflow.{node.attr} is not in missionflow.__all__"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "missionflow"
        and node.attr not in public
    ]


def _isort_key(name: str) -> tuple[int, list[int | str]]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then the rest; natural sort within."""
    if name.isupper() or (name.upper() == name and any(c.isalpha() for c in name)):
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    return group, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def test_all_is_sorted() -> None:
    """missionflow.__all__ is sorted the way ruff's RUF022 keeps it, so the linter and this test agree."""
    assert missionflow.__all__ == sorted(missionflow.__all__, key=_isort_key)
    assert len(set(missionflow.__all__)) == len(missionflow.__all__)


def test_all_is_complete_and_exists() -> None:
    """Every public name of the facade is in __all__, and every name in __all__ exists."""
    defined = {
        name
        for name, value in vars(missionflow).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and not isinstance(value, __future__._Feature)  # `from __future__ import annotations`
    }
    assert sorted(defined - set(missionflow.__all__)) == []
    assert [name for name in missionflow.__all__ if not hasattr(missionflow, name)] == []


def test_every_library_module_starts_with_a_docstring() -> None:
    """Each module of the library opens with a docstring saying what it owns."""
    missing = [
        str(path.relative_to(ROOT))
        for path in python_files(LIBRARY)
        if "_migrations" not in path.parts
        and "versions" not in path.parts
        and not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()
    ]
    assert missing == []
