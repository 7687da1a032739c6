"""The document layer stands alone: it imports only money, errors, its own modules and third-party libraries."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import missionflow.freelance.documents as documents

FREELANCE = Path(__file__).resolve().parents[2] / "src" / "missionflow" / "freelance"
FILES = [*sorted((FREELANCE / "documents").rglob("*.py")), FREELANCE / "identifiers.py"]
ALLOWED_INTERNAL = (
    "missionflow.money",
    "missionflow.errors",
    "missionflow.freelance.documents",
    "missionflow.freelance.identifiers",
)
FORBIDDEN_THIRD_PARTY = ("sqlalchemy", "alembic", "click", "transitions")


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


def test_documents_import_nothing_of_the_store_the_cli_or_the_engine() -> None:
    """No module of the document layer (or the identifiers it checks) imports missionflow beyond
    money and errors, nor SQLAlchemy, click or transitions."""
    problems = []
    for path in FILES:
        for module in imported_modules(path):
            internal = module == "missionflow" or module.startswith("missionflow.")
            if internal and not module.startswith(ALLOWED_INTERNAL):
                problems.append(f"{path.name}: {module}")
            if module.split(".")[0] in FORBIDDEN_THIRD_PARTY:
                problems.append(f"{path.name}: {module}")
    assert problems == []


def test_all_is_complete_and_sorted() -> None:
    """The package's __all__ lists every public name it defines, in sorted order, and each exists."""
    public = {
        name
        for name, value in vars(documents).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    assert sorted(public - set(documents.__all__)) == []
    assert [name for name in documents.__all__ if not hasattr(documents, name)] == []
    assert documents.__all__ == sorted(documents.__all__, key=lambda n: (not n[:1].isupper(), n))
