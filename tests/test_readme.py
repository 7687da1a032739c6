"""The README tells the truth: its diagram is the generated one and its quick start is two commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_shows_the_current_default_diagram() -> None:
    """The Mermaid block in the README is exactly diagrams/freelance-mission.mmd (run `make diagrams`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    assert block.group(1) == (ROOT / "diagrams" / "freelance-mission.mmd").read_text(encoding="utf-8")


def test_quick_start_is_make_demo_and_make_test() -> None:
    """The quick start holds exactly the two commands a new user types, and CI runs the second."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.startswith("    make")]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
