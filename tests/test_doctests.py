"""The examples in the library's docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import missionflow

SKIPPED_PREFIXES = ("missionflow.store.migrations",)


def _modules() -> list[str]:
    names = ["missionflow"]
    for info in pkgutil.walk_packages(missionflow.__path__, "missionflow."):
        if not info.name.startswith(SKIPPED_PREFIXES):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `>>>` example in the module's docstrings gives the output it shows (what they register
    is forgotten after the test, like any test's)."""
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
