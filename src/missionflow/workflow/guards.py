"""The guard registry: named, parametrised predicates that say yes or give a human reason.

A guard never changes anything, so the engine can evaluate every guard of every trigger to
explain what is possible. A domain (the freelance trade, an application) registers its guards
with :func:`register_guard` or through the entry-point group ``missionflow.guards``; this module
knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from dataclasses import replace as copy_with
from datetime import datetime
from typing import TYPE_CHECKING, Generic, cast

from missionflow.errors import InvalidValueError
from missionflow.workflow.calendar import WorkingCalendar
from missionflow.workflow.definition import GuardParam, WorkflowDefinition
from missionflow.workflow.plugins import load_each
from missionflow.workflow.subject import S, Subject

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

ENTRY_POINT_GROUP = "missionflow.guards"


@dataclass(frozen=True)
class GuardContext:
    """What a guard may read besides the subject: the time, who fires, the note and data of the
    trigger, the facts the application provides, its working calendar, and the workflow itself
    (to find, for example, which triggers carry a tag)."""

    now: datetime
    actor: str = ""
    note: str = ""
    data: Mapping[str, str] = field(default_factory=dict)
    facts: Mapping[str, object] = field(default_factory=dict)
    calendar: WorkingCalendar | None = None
    definition: WorkflowDefinition | None = None

    @classmethod
    def made(
        cls,
        now: datetime,
        actor: str,
        note: str,
        data: Mapping[str, str],
        facts: Mapping[str, object],
        calendar: WorkingCalendar | None,
        definition: WorkflowDefinition | None,
    ) -> GuardContext:
        """The context the engine makes at each fire, every field given: the same object as the
        constructor's, without its seven frozen-attribute calls (a twentieth of a fire)."""
        ctx = object.__new__(cls)
        ctx.__dict__.update(
            now=now, actor=actor, note=note, data=data, facts=facts, calendar=calendar, definition=definition
        )
        return ctx


GuardFunc = Callable[[S, GuardContext, Mapping[str, GuardParam]], str | None]
"""A guard: returns None to allow, or the reason it blocks."""
Explain = Callable[[S, GuardContext, str], str | None]
"""What a blocking guard waits for, in a language, for the people the subject is for (None: no
words of its own, the reason is shown)."""


@dataclass(frozen=True)
class GuardSpec(Generic[S]):
    """A registered guard and what is declared about it.

    ``words`` says what it checks, by language (diagrams, reports); ``reads`` names the facts it
    reads (None: all of them), so a store loads only those; ``party`` is who must act to lift it
    (None: whoever fires the transition); ``terms`` marks a guard on terms agreed once (a deposit
    of 0 %) rather than on progress: no action lifts it, so a transition it blocks is no way
    forward; ``explain`` words what it waits for.
    """

    name: str
    func: GuardFunc[S]
    params: Mapping[str, type] = field(default_factory=dict)
    words: Mapping[str, str] = field(default_factory=dict)
    reads: frozenset[str] | None = None
    party: str | None = None
    terms: bool = False
    explain: Explain[S] | None = None

    def describe(self, lang: str = "en") -> str:
        """What the guard checks, in a few words, in ``lang`` (else English, else its name)."""
        return self.words.get(lang) or self.words.get("en") or self.name.replace("_", " ")

    def reads_fact(self, fact: str) -> bool:
        """True when the guard reads ``fact`` (every guard that declares nothing reads everything)."""
        return self.reads is None or fact in self.reads


_REGISTRY: dict[str, GuardSpec[Subject]] = {}
_entry_points_loaded = False


def register_guard(
    name: str,
    *,
    params: Mapping[str, type] | None = None,
    words: str | Mapping[str, str] = "",
    reads: Iterable[str] | None = None,
    party: str | None = None,
    terms: bool = False,
    explain: Explain[S] | None = None,
    replace: bool = False,
) -> Callable[[GuardFunc[S]], GuardFunc[S]]:
    """Register the decorated function as the guard ``name``.

    ``words`` is a text, or texts by language (``{"en": ..., "fr": ...}``). ``reads`` names the
    facts the guard reads, so that a store firing a transition loads only what its guards read
    (a guard then sees the defaults for a fact it did not declare); without it the guard is
    given every fact. A name that is already registered is refused unless ``replace=True``:
    a built-in rule is never replaced by accident.

    >>> @register_guard("has_title", words="the subject has a title", reads=())
    ... def has_title(subject, ctx, params):
    ...     return None if getattr(subject, "title", "") else "there is no title"
    """
    if isinstance(reads, str):
        raise InvalidValueError("reads", f"give a set of facts, like {{{reads!r}}}, not one text")
    texts = {"en": words} if isinstance(words, str) else dict(words)
    texts = {lang: text for lang, text in texts.items() if text}
    declared_reads = None if reads is None else frozenset(reads)

    def decorator(func: GuardFunc[S]) -> GuardFunc[S]:
        if name in _REGISTRY and not replace and _REGISTRY[name].func is not func:
            raise InvalidValueError(
                "guard", f"a guard named {name!r} is already registered; say replace=True to replace it"
            )
        spec: GuardSpec[S] = GuardSpec(
            name, func, dict(params or {}), texts, declared_reads, party, terms, explain
        )
        # The registry holds guards of every kind of subject; each is only ever called with the
        # subjects of the workflows that name it.
        _REGISTRY[name] = cast(GuardSpec[Subject], spec)
        return func

    return decorator


def _load_entry_points() -> None:
    """Import guards that installed packages declare, once per process.

    An entry point may name a module (its ``@register_guard`` functions register on import), a
    function already registered that way, a GuardSpec, or a plain guard function (registered
    under the entry point's name, without parameters). A package that fails to import is
    logged and skipped: workflows that use its guards then report them as unknown, the others
    keep working.
    """
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    load_each(ENTRY_POINT_GROUP, _register_target)


def _register_target(entry: EntryPoint, target: object) -> None:
    if entry.name in _REGISTRY:
        return
    if isinstance(target, GuardSpec):
        _REGISTRY[entry.name] = copy_with(target, name=entry.name)
    elif callable(target) and not isinstance(target, type):
        words = (getattr(target, "__doc__", "") or "").strip().split("\n")[0]
        register_guard(entry.name, words=words)(cast(GuardFunc[Subject], target))


def get_guard(name: str) -> GuardSpec[Subject] | None:
    """The guard registered under ``name``, looking at entry points once when needed."""
    spec = _REGISTRY.get(name)
    if spec is None and not _entry_points_loaded:
        _load_entry_points()
        spec = _REGISTRY.get(name)
    return spec


def guard_names() -> list[str]:
    """Every known guard name, sorted."""
    _load_entry_points()
    return sorted(_REGISTRY)
