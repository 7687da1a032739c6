"""The timer-fact registry: what a timer may read of its subject, named in a workflow file.

A timer's delay may come from the subject (``days: {fact: acceptance_days}``: the acceptance
period of a contract) and its start too (``since_fact: payment_due``: the due dates of what the
client still owes). A domain registers each such fact with :func:`register_timer_fact`: a
function of the subject and the guard context that returns a whole number for a **delay** fact,
or a moment (or several) for a **moment** fact; None when it has none, and then the timer is not
scheduled. The validator refuses a file naming an unknown fact, or a fact of the other kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, cast

from missionflow.errors import InvalidValueError
from missionflow.workflow.guards import GuardContext
from missionflow.workflow.plugins import load_each
from missionflow.workflow.subject import S, Subject

ENTRY_POINT_GROUP = "missionflow.timer_facts"


class FactKind(StrEnum):
    """What a timer fact gives: a number of days or hours (``delay``), or moments to count from."""

    DELAY = "delay"
    MOMENT = "moment"


TimerFactValue = int | datetime | Sequence[datetime] | None
"""What a timer fact returns: a whole number (delay), one or several moments, or None."""
TimerFactFunc = Callable[[S, GuardContext], TimerFactValue]
"""A timer fact: reads the subject (and the context: settings, calendar) and gives its value."""


@dataclass(frozen=True)
class TimerFactSpec(Generic[S]):
    """A registered timer fact: its kind, its words by language, and the facts of the subject it
    reads (None: all of them), so that a store loads only those to schedule the timer."""

    name: str
    kind: FactKind
    func: TimerFactFunc[S]
    words: Mapping[str, str] = field(default_factory=dict)
    reads: frozenset[str] | None = None

    def describe(self, lang: str = "en") -> str:
        """What the fact is, in ``lang`` (else English, else its name)."""
        return self.words.get(lang) or self.words.get("en") or self.name.replace("_", " ")


_REGISTRY: dict[str, TimerFactSpec[Subject]] = {}
_entry_points_loaded = False


def register_timer_fact(
    name: str,
    *,
    kind: FactKind | str,
    words: str | Mapping[str, str] = "",
    reads: Iterable[str] | None = None,
    replace: bool = False,
) -> Callable[[TimerFactFunc[S]], TimerFactFunc[S]]:
    """Register the decorated function as the timer fact ``name`` (a name already registered is
    refused unless ``replace=True``).

    >>> @register_timer_fact("review_days", kind="delay", words="the review period", reads=())
    ... def review_days(subject, ctx):
    ...     return getattr(subject, "review_days", None)
    """
    if isinstance(reads, str):
        raise InvalidValueError("reads", f"give a set of facts, like {{{reads!r}}}, not one text")
    try:
        fact_kind = FactKind(kind)
    except ValueError:
        raise InvalidValueError("kind", f"{kind!r}: a timer fact is a delay or a moment") from None
    texts = {"en": words} if isinstance(words, str) else dict(words)
    declared = None if reads is None else frozenset(reads)

    def decorator(func: TimerFactFunc[S]) -> TimerFactFunc[S]:
        existing = _REGISTRY.get(name)
        if existing is not None and not replace and existing.func is not func:
            raise InvalidValueError(
                "timer fact", f"a timer fact named {name!r} is already registered; say replace=True"
            )
        spec: TimerFactSpec[S] = TimerFactSpec(
            name, fact_kind, func, {lang: text for lang, text in texts.items() if text}, declared
        )
        _REGISTRY[name] = cast(TimerFactSpec[Subject], spec)
        return func

    return decorator


def _load_entry_points() -> None:
    """Import the modules installed packages declare in ``missionflow.timer_facts``, once."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    load_each(ENTRY_POINT_GROUP)


def get_timer_fact(name: str) -> TimerFactSpec[Subject] | None:
    """The timer fact registered under ``name``, looking at entry points once when needed."""
    spec = _REGISTRY.get(name)
    if spec is None and not _entry_points_loaded:
        _load_entry_points()
        spec = _REGISTRY.get(name)
    return spec


def timer_fact_names() -> list[str]:
    """Every registered timer fact, sorted."""
    _load_entry_points()
    return sorted(_REGISTRY)
