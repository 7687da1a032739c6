"""Parts of missionflow that some rows need and that may not exist yet (the store, diagrams).

A row asks here first and reports "not available yet" with the reason instead of a number.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import missionflow


def public_function(name: str) -> Callable[..., object] | None:
    """``missionflow.<name>`` when the facade exports it, else None."""
    value = getattr(missionflow, name, None)
    return value if callable(value) else None


def missing_functions(*names: str) -> str | None:
    """Why a row cannot run yet (the missing facade names), or None when all exist."""
    missing = [name for name in names if public_function(name) is None]
    if not missing:
        return None
    return f"not available yet: missionflow has no {', '.join(missing)}"


def executable(name: str) -> str | None:
    """A program of this virtual environment (next to the running Python), else from PATH."""
    here = Path(sys.executable).parent
    return shutil.which(name, path=str(here)) or shutil.which(name)
