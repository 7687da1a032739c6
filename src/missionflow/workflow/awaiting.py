"""Guards, hooks and facts providers written as ``async def``: awaited where an async store runs
them, refused with a clear message everywhere else.

The engine is synchronous. An async store runs it inside SQLAlchemy's greenlet bridge and sets an
*awaiter* for the duration (:func:`awaiting`); :func:`settle` hands a coroutine to it. Outside an
async store there is no awaiter, and a coroutine is refused instead of being left un-awaited
(a transition that silently skipped an ``async def`` hook would be worse than an error).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from missionflow.errors import InvalidValueError

Awaiter = Callable[[Awaitable[object]], object]
"""Runs an awaitable to completion from synchronous code (the async store's bridge)."""

ASYNC_STORE = "the async store (missionflow.store.open_async_store)"
"""How refusals name the place where ``async def`` code runs."""

_awaiter: ContextVar[Awaiter | None] = ContextVar("missionflow_awaiter", default=None)


@contextmanager
def awaiting(awaiter: Awaiter) -> Iterator[None]:
    """Inside the block, guards, hooks and providers may return awaitables: ``awaiter`` runs them."""
    token = _awaiter.set(awaiter)
    try:
        yield
    finally:
        _awaiter.reset(token)


def running_async() -> bool:
    """True inside an async store's call, where ``async def`` code is awaited."""
    return _awaiter.get() is not None


def settle(value: object, what: str) -> object:
    """``value`` itself, or the result of awaiting it when an async store runs the engine.

    ``what`` names the code that returned it ("guard 'four_eyes'"), for the refusal.
    """
    if not inspect.isawaitable(value):
        return value
    awaiter = _awaiter.get()
    if awaiter is None:
        if inspect.iscoroutine(value):
            value.close()  # refused: no "coroutine was never awaited" warning on top
        raise InvalidValueError(what, f"{what} is async (async def): it runs only under {ASYNC_STORE}")
    return awaiter(value)


def is_async(func: object) -> bool:
    """True for an ``async def`` function (or an object whose ``__call__`` is one)."""
    call = type(func).__call__ if callable(func) and not inspect.isroutine(func) else None
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(call)


def refuse_async(func: object, what: str) -> None:
    """Refuse ``async def`` code given to the synchronous store, naming the async store."""
    if is_async(func):
        raise InvalidValueError(
            what, f"{what} is async (async def): the synchronous store cannot await it; use {ASYNC_STORE}"
        )
