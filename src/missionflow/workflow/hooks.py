"""Hooks: application code run around a transition (before: may veto; after: inside the
transaction; after_commit: once the transition is durable).

Subscriptions match by trigger, source state, destination state, or everything. Hooks
named in a workflow file resolve through the entry-point group ``missionflow.hooks``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from missionflow.errors import GuardResult, InvalidValueError
from missionflow.workflow.awaiting import is_async, refuse_async, running_async, settle
from missionflow.workflow.definition import HookMoment
from missionflow.workflow.plugins import declared
from missionflow.workflow.records import TransitionRecord
from missionflow.workflow.subject import Subject

ENTRY_POINT_GROUP = "missionflow.hooks"
_log = logging.getLogger("missionflow.hooks")


class TransactionConnection(Protocol):
    """The connection of the transaction a store writes a transition in, as its ``after`` hooks
    get it: a SQLAlchemy ``Connection`` from the synchronous store, an ``AsyncConnection`` from
    the async store. The engine does not import SQLAlchemy; narrow it with ``isinstance``."""

    def in_transaction(self) -> bool:
        """True while the transaction is open (always, for a hook that is given it)."""
        ...


@dataclass(frozen=True)
class HookEvent:
    """What a hook is told: the subject, the trigger and where it goes; ``record`` once it happened.

    ``connection`` is set for ``after`` hooks run by a store: the connection of the write
    transaction (see TransactionConnection), so that the application's own rows commit (or roll
    back) with the transition.

    >>> from datetime import UTC, datetime
    >>> from missionflow.freelance import Client, Mission
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> HookEvent(m, "qualify", "lead", "criteria_check", datetime.now(UTC), actor="me").dest
    'criteria_check'
    """

    subject: Subject
    trigger: str
    source: str
    dest: str
    at: datetime
    actor: str = ""
    note: str = ""
    data: Mapping[str, str] = field(default_factory=dict)
    record: TransitionRecord | None = None
    connection: TransactionConnection | None = None

    @classmethod
    def after(
        cls, subject: Subject, record: TransitionRecord, connection: TransactionConnection | None = None
    ) -> HookEvent:
        """The event of a transition that happened, told to after and after_commit hooks."""
        return cls(
            subject,
            record.trigger,
            record.source,
            record.dest,
            record.at,
            record.actor,
            record.note,
            dict(record.data),
            record,
            connection,
        )


HookFunc = Callable[[HookEvent], object]
"""Any hook: before-hooks return None or a reason, the others return nothing."""
BeforeHook = Callable[[HookEvent], str | None]
"""A before-hook returns None to let the transition happen, or the reason it vetoes it."""
AfterHook = Callable[[HookEvent], None]
"""An after or after_commit hook; it returns nothing."""

_B = TypeVar("_B", bound=BeforeHook)
_A = TypeVar("_A", bound=AfterHook)


@dataclass(frozen=True)
class _Subscription:
    when: HookMoment
    func: HookFunc
    name: str
    trigger: str | None
    source: str | None
    dest: str | None
    asynchronous: bool = False
    """An ``async def`` hook: looked at once, when it is subscribed."""

    def matches(self, event: HookEvent) -> bool:
        return (
            (self.trigger is None or self.trigger == event.trigger)
            and (self.source is None or self.source == event.source)
            and (self.dest is None or self.dest == event.dest)
        )


class Hooks:
    """An application's subscriptions, run by the engine and the store in the order they were added.

    Filters narrow a subscription to one trigger, one source state or one destination state;
    without any, a hook runs for every transition.

    Example:

    >>> from missionflow import Workflow, load_workflow
    >>> from missionflow.freelance import Client, Mission
    >>> hooks = Hooks()
    >>> @hooks.before(trigger="qualify")
    ... def humans_only(event):
    ...     return "robots may not qualify leads" if event.actor == "robot" else None
    >>> seen = []
    >>> @hooks.after_commit(dest="criteria_check")
    ... def notify(event):
    ...     seen.append(f"{event.subject.ref} is now {event.dest}")
    >>> flow = Workflow(load_workflow("freelance-mission"))
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> flow.fire(m, "qualify", actor="robot", hooks=hooks)
    Traceback (most recent call last):
    ...
    missionflow.errors.TransitionBlockedError: 'qualify' is blocked for M-1: robots may not qualify leads
    >>> flow.fire(m, "qualify", actor="me", hooks=hooks).dest, seen
    ('criteria_check', ['M-1 is now criteria_check'])
    """

    def __init__(self) -> None:
        self._subscriptions: list[_Subscription] = []
        self._sync_only = False

    def forbid_async(self) -> None:
        """Refuse ``async def`` hooks from now on (and any already subscribed): the synchronous
        store and the in-memory engine cannot await them."""
        for sub in self._subscriptions:
            if sub.asynchronous:
                refuse_async(sub.func, f"hook {sub.name}")
        self._sync_only = True

    def check_runnable(self) -> None:
        """Refuse to run when an ``async def`` hook is subscribed and nothing can await it."""
        if running_async():
            return
        for sub in self._subscriptions:
            if sub.asynchronous:
                refuse_async(sub.func, f"hook {sub.name}")

    def subscribe(
        self,
        when: HookMoment | str,
        func: HookFunc,
        *,
        trigger: str | None = None,
        source: str | None = None,
        dest: str | None = None,
        name: str = "",
    ) -> None:
        """Run ``func`` at ``when`` (before, after or after_commit) for the transitions that match
        every filter given; ``name`` is how a veto or a failure names it (the function's name by default).
        """
        try:
            moment = HookMoment(when)
        except ValueError:
            moments = ", ".join(m.value for m in HookMoment)
            raise InvalidValueError("when", f"{when!r} is not one of {moments}") from None
        if not callable(func):
            raise InvalidValueError("func", f"a hook must be callable, got {type(func).__name__}")
        label = name or getattr(func, "__name__", "") or "hook"
        if self._sync_only:
            refuse_async(func, f"hook {label}")
        self._subscriptions.append(_Subscription(moment, func, label, trigger, source, dest, is_async(func)))

    def before(
        self, *, trigger: str | None = None, source: str | None = None, dest: str | None = None
    ) -> Callable[[_B], _B]:
        """Decorator: a hook that may veto the transition by returning a reason (None lets it pass)."""

        def register(func: _B) -> _B:
            self.subscribe(HookMoment.BEFORE, func, trigger=trigger, source=source, dest=dest)
            return func

        return register

    def after(
        self, *, trigger: str | None = None, source: str | None = None, dest: str | None = None
    ) -> Callable[[_A], _A]:
        """Decorator: a hook run inside the transaction; raising undoes everything and propagates."""

        def register(func: _A) -> _A:
            self.subscribe(HookMoment.AFTER, func, trigger=trigger, source=source, dest=dest)
            return func

        return register

    def after_commit(
        self, *, trigger: str | None = None, source: str | None = None, dest: str | None = None
    ) -> Callable[[_A], _A]:
        """Decorator: a hook run once the transition is durable; its errors are logged, never undo it."""

        def register(func: _A) -> _A:
            self.subscribe(HookMoment.AFTER_COMMIT, func, trigger=trigger, source=source, dest=dest)
            return func

        return register

    def __len__(self) -> int:
        return len(self._subscriptions)

    def __repr__(self) -> str:
        return f"<Hooks: {', '.join(f'{s.when}:{s.name}' for s in self._subscriptions) or 'none'}>"

    def _matching(self, when: HookMoment, event: HookEvent) -> list[_Subscription]:
        return [s for s in self._subscriptions if s.when is when and s.matches(event)]

    def run_before(self, event: HookEvent) -> list[GuardResult]:
        """Every matching before-hook's verdict, as guard results named ``hook:<name>``.

        An exception raised by a hook propagates: the transition does not happen.
        """
        results = []
        for sub in self._matching(HookMoment.BEFORE, event):
            verdict = settle(sub.func(event), f"before-hook {sub.name}")
            if verdict is not None and not isinstance(verdict, str):
                raise TypeError(
                    f"before-hook {sub.name} returned {type(verdict).__name__}; "
                    "return None to allow the transition or a reason (text) to veto it"
                )
            if verdict is not None and not verdict.strip():
                verdict = f"refused by hook {sub.name}"
            results.append(GuardResult(f"hook:{sub.name}", verdict))
        return results

    def run_after(self, event: HookEvent) -> None:
        """Run the after-hooks; an exception propagates so the caller can undo the transition."""
        for sub in self._matching(HookMoment.AFTER, event):
            settle(sub.func(event), f"after hook {sub.name}")

    def run_after_commit(self, event: HookEvent) -> None:
        """Run the after_commit hooks; an exception is logged and never undoes the transition."""
        for sub in self._matching(HookMoment.AFTER_COMMIT, event):
            try:
                settle(sub.func(event), f"after_commit hook {sub.name}")
            except Exception:
                _log.exception(
                    "after_commit hook %s failed for %s (%s: %s -> %s); the transition stands",
                    sub.name,
                    event.subject.ref,
                    event.trigger,
                    event.source,
                    event.dest,
                )


def chain(*groups: Hooks | None) -> Hooks:
    """One Hooks running ``groups`` in order (a workflow's declared hooks, then the application's)."""
    present = [g for g in groups if g is not None and len(g)]
    if len(present) == 1:
        return present[0]
    joined = Hooks()
    for group in present:
        joined._subscriptions.extend(group._subscriptions)
        joined._sync_only = joined._sync_only or group._sync_only
    return joined


def load_named_hook(name: str) -> HookFunc | None:
    """The hook an installed package declares under ``name`` in the ``missionflow.hooks`` group.

    None when no package declares it; the package's own import errors propagate, and a target
    that is not callable is a TypeError.
    """
    for entry in declared(ENTRY_POINT_GROUP, name):
        target: object = entry.load()
        if not callable(target):
            raise TypeError(f"entry point {entry.value} is not a function")
        hook: HookFunc = target
        return hook
    return None


def hook_names() -> list[str]:
    """The names installed packages declare in the ``missionflow.hooks`` group, sorted."""
    return sorted({entry.name for entry in declared(ENTRY_POINT_GROUP)})
