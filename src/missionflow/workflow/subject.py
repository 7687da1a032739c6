"""What the engine needs of the thing it moves: the subject of a workflow.

The engine does not own the subject (like python-statemachine's ``StateChart(Generic[TModel])``
and its model): any object with these attributes can be fired, a freelance mission, an article
under review, a support ticket. What the guards read besides them comes with the subject's own
attributes or as facts in the guard context.
"""

from __future__ import annotations

from collections.abc import MutableSequence
from typing import Protocol, TypeVar

from missionflow.workflow.records import TransitionRecord


class Subject(Protocol):
    """Anything a workflow moves: a reference, the rules it runs under, a state and a history.

    The engine writes ``state`` and appends to ``history``: the new state and one record per fire.
    """

    @property
    def ref(self) -> str:
        """How people and errors name the subject ("M-12", "article-42")."""

    @property
    def workflow(self) -> str:
        """The name of the workflow the subject runs under."""

    @property
    def workflow_version(self) -> int:
        """The version of that workflow it started under (its rules never change under it)."""

    state: str

    @property
    def history(self) -> MutableSequence[TransitionRecord]:
        """Its history records, oldest first; the engine appends one per fire."""


S = TypeVar("S", bound=Subject)
"""A type of subject: guards and hooks are written for one."""
S_contra = TypeVar("S_contra", bound=Subject, contravariant=True)
