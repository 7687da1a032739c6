"""docs/API.md tells the truth: every Python block of the guide runs, in order, in an empty folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from missionflow.workflow import WorkflowRegistry

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "API.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """Each ```python block of a Markdown text with the line its code starts on."""
    return [(text.count("\n", 0, match.start(1)) + 1, match.group(1)) for match in BLOCK.finditer(text)]


def test_the_block_finder_sees_only_python_blocks() -> None:
    """Blocks of other languages are left out, and line numbers point at the code."""
    text = "# t\n```python\na = 1\n```\n```yaml\nb: 2\n```\n\n```python\nc = 3\n```\n"
    assert python_blocks(text) == [(3, "a = 1\n"), (10, "c = 3\n")]


def test_the_guide_covers_what_an_application_developer_needs() -> None:
    """The guide has a section for each task and names each error a caller handles."""
    text = GUIDE.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    for topic in (
        "Defining a workflow",
        "Adding a guard",
        "Subscribing hooks",
        "Opening on your database",
        "An application in another domain",
    ):
        assert any(topic in heading for heading in headings), topic
    for name in (
        "TransitionBlockedError",
        ".failed",
        ".reasons",
        "TransitionNotAllowedError",
        ".allowed",
        "ConcurrentUpdateError",
        "NotFoundError",
        "WorkflowDefinitionError",
        ".problems",
        "StorageError",
        "create_subject",
        "provide_facts",
        "store.transaction()",
        "bump_version",
        "open_async_store",
        "configure_engine",
    ):
        assert name in text, name


def test_every_python_block_of_the_guide_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated: WorkflowRegistry
) -> None:
    """The guide's Python blocks run one after the other without error (registrations stay in this test)."""
    blocks = python_blocks(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "api_guide"}
    for line, code in blocks:
        # Padding keeps tracebacks pointing at the guide's own line numbers.
        exec(compile("\n" * (line - 1) + code, str(GUIDE), "exec"), namespace)
