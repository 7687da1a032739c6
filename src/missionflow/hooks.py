"""Hooks: application code run around a transition (before: may veto; after: inside the
transaction; after_commit: once the transition is durable).

Subscriptions match by trigger, source state, destination state, or everything. Hooks
named in a workflow file resolve through the entry-point group ``missionflow.hooks``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import entry_points

from missionflow.errors import GuardResult
from missionflow.mission import Mission, TransitionRecord

ENTRY_POINT_GROUP = "missionflow.hooks"
_log = logging.getLogger("missionflow.hooks")


class When(StrEnum):
    """The three moments a hook can run at."""

    BEFORE = "before"
    AFTER = "after"
    AFTER_COMMIT = "after_commit"


@dataclass(frozen=True)
class HookEvent:
    """What a hook is told: the mission, the trigger and where it goes; ``record`` once it happened."""

    mission: Mission
    trigger: str
    source: str
    dest: str
    actor: str
    note: str
    record: TransitionRecord | None = None


BeforeHook = Callable[[HookEvent], str | None]
"""A before-hook returns None to let the transition happen, or the reason it vetoes it."""
AfterHook = Callable[[HookEvent], None]
"""An after or after_commit hook; it returns nothing."""


@dataclass(frozen=True)
class _Subscription:
    when: When
    func: Callable[[HookEvent], object]
    name: str
    trigger: str | None
    source: str | None
    dest: str | None

    def matches(self, event: HookEvent) -> bool:
        return (
            (self.trigger is None or self.trigger == event.trigger)
            and (self.source is None or self.source == event.source)
            and (self.dest is None or self.dest == event.dest)
        )


class Hooks:
    """An application's subscriptions, run by the engine and the store in the order they were added.

    >>> hooks = Hooks()
    >>> @hooks.before(trigger="start_work")
    ... def office_open(event):
    ...     return None if event.actor != "robot" else "robots may not start work"
    """

    def __init__(self) -> None:
        self._subscriptions: list[_Subscription] = []

    def subscribe(
        self,
        when: When | str,
        func: Callable[[HookEvent], object],
        *,
        trigger: str | None = None,
        source: str | None = None,
        dest: str | None = None,
        name: str = "",
    ) -> None:
        """Run ``func`` at ``when`` for the transitions that match every filter given."""
        self._subscriptions.append(
            _Subscription(When(when), func, name or getattr(func, "__name__", "hook"), trigger, source, dest)
        )

    def before(
        self, *, trigger: str | None = None, source: str | None = None, dest: str | None = None
    ) -> Callable[[BeforeHook], BeforeHook]:
        """Decorator: a hook that may veto the transition by returning a reason."""

        def register(func: BeforeHook) -> BeforeHook:
            self.subscribe(When.BEFORE, func, trigger=trigger, source=source, dest=dest)
            return func

        return register

    def after(
        self, *, trigger: str | None = None, source: str | None = None, dest: str | None = None
    ) -> Callable[[AfterHook], AfterHook]:
        """Decorator: a hook run inside the transaction; raising undoes everything."""

        def register(func: AfterHook) -> AfterHook:
            self.subscribe(When.AFTER, func, trigger=trigger, source=source, dest=dest)
            return func

        return register

    def after_commit(
        self, *, trigger: str | None = None, source: str | None = None, dest: str | None = None
    ) -> Callable[[AfterHook], AfterHook]:
        """Decorator: a hook run once the transition is durable; its errors are logged, never undo it."""

        def register(func: AfterHook) -> AfterHook:
            self.subscribe(When.AFTER_COMMIT, func, trigger=trigger, source=source, dest=dest)
            return func

        return register

    def __bool__(self) -> bool:
        return bool(self._subscriptions)

    def _matching(self, when: When, event: HookEvent) -> list[_Subscription]:
        return [s for s in self._subscriptions if s.when is when and s.matches(event)]

    def run_before(self, event: HookEvent) -> list[GuardResult]:
        """Every matching before-hook's verdict, as guard results named ``hook:<name>``."""
        results = []
        for sub in self._matching(When.BEFORE, event):
            reason = sub.func(event)
            results.append(GuardResult(f"hook:{sub.name}", reason if isinstance(reason, str) else None))
        return results

    def run_after(self, event: HookEvent) -> None:
        """Run the after-hooks; an exception propagates so the caller can undo the transition."""
        for sub in self._matching(When.AFTER, event):
            sub.func(event)

    def run_after_commit(self, event: HookEvent) -> None:
        """Run the after_commit hooks; an exception is logged and never undoes the transition."""
        for sub in self._matching(When.AFTER_COMMIT, event):
            try:
                sub.func(event)
            except Exception:
                _log.exception("after_commit hook %s failed for mission %s", sub.name, event.mission.ref)


def load_named_hook(name: str) -> Callable[[HookEvent], object] | None:
    """The hook an installed package declares under ``name`` in the ``missionflow.hooks`` group."""
    for entry in entry_points(group=ENTRY_POINT_GROUP, name=name):
        target = entry.load()
        if callable(target):
            return target  # type: ignore[no-any-return]
    return None
