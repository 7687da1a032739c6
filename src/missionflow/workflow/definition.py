"""The neutral model of a workflow definition: frozen dataclasses, no YAML, no engine.

Besides states and transitions, a definition carries the meaning a domain gives them, declared
in the file rather than hidden in code that matches names: ``tags`` on states and transitions
(``work``, ``approval``...), ``effects`` a store runs with a transition (``issue_final_invoice``),
and the ``party`` who fires a transition. The engine only carries them; a domain reads them.
A transition may also be timed (``after: {days: 7}``): its timer fires it, nobody else does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from missionflow.errors import InvalidValueError

GuardParam = str | int | bool | None
"""The value of a guard parameter in a workflow file: text, a whole number, true/false or nothing."""


class StateKind(StrEnum):
    """Whether a state belongs to the normal course of a subject's life or is a way out of it."""

    ACTIVE = "active"
    EXIT = "exit"


@dataclass(frozen=True)
class Label:
    """A text in one or more languages; the first one given is the default.

    >>> label = Label.of(en="Lead", fr="Prospect")
    >>> label.in_lang("fr"), label.in_lang("de")
    ('Prospect', 'Lead')
    """

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, **texts: str) -> Label:
        """A label from ``lang=text`` pairs (the first is the default)."""
        return cls(tuple(texts.items()))

    @classmethod
    def plain(cls, text: str, lang: str = "en") -> Label:
        """A label with one text, in ``lang``."""
        return cls(((lang, text),))

    def in_lang(self, lang: str) -> str:
        """The text in ``lang``, else in the default language."""
        for code, text in self.texts:
            if code == lang:
                return text
        return self.texts[0][1] if self.texts else ""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this label has a text in, the default first."""
        return tuple(code for code, _ in self.texts)

    def as_dict(self) -> dict[str, str]:
        """``{lang: text}`` in the order given."""
        return dict(self.texts)


def wildcard_sources(states: Iterable[StateDef]) -> frozenset[str]:
    """The states ``source: '*'`` stands for: every state that is neither final nor a way out."""
    return frozenset(s.id for s in states if not s.final and s.kind is StateKind.ACTIVE)


@dataclass(frozen=True)
class StateDef:
    """One state of a workflow, with the tags a domain reads (``work``: time spent working)."""

    id: str
    label: Label
    description: str = ""
    final: bool = False
    kind: StateKind = StateKind.ACTIVE
    tags: frozenset[str] = frozenset()
    outcome: Label | None = None
    """For a final state: how it reads to the people the subject is for ("The mission is complete")."""
    line: int = 0


@dataclass(frozen=True)
class GuardRef:
    """A guard named in a transition, with its parameters."""

    name: str
    params: Mapping[str, GuardParam] = field(default_factory=dict)
    line: int = 0


class HookMoment(StrEnum):
    """When a hook runs: ``before`` a transition (it may veto), ``after`` it inside the
    transaction (raising undoes everything), or ``after_commit`` once it is durable."""

    BEFORE = "before"
    AFTER = "after"
    AFTER_COMMIT = "after_commit"


@dataclass(frozen=True)
class HookRef:
    """A hook a workflow file subscribes by name (an entry point of ``missionflow.hooks``), with
    its filters: a trigger, a source state, a destination state (None matches every one)."""

    name: str
    when: HookMoment
    trigger: str | None = None
    source: str | None = None
    dest: str | None = None
    line: int = 0


class DelayUnit(StrEnum):
    """How a timer's delay is counted: calendar days or business days of the working calendar (in
    its time zone), or hours."""

    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    HOURS = "hours"


@dataclass(frozen=True)
class TimerDef:
    """When a timed transition falls due: ``amount`` units (or the number a timer fact of the
    subject gives, ``fact``) after its start.

    The start is the moment the subject entered the source state; with ``since_last``, the last
    fire of one of those triggers; with ``since_fact``, each moment a timer fact gives. A fire of
    a trigger of ``unless_fired_since`` after the start means the timer does not fall due.

    >>> TimerDef(DelayUnit.DAYS, 7).delay_text
    '7 days'
    """

    unit: DelayUnit
    amount: int | None = None
    fact: str | None = None
    since_last: tuple[str, ...] = ()
    since_fact: str | None = None
    unless_fired_since: tuple[str, ...] = ()

    @property
    def delay_text(self) -> str:
        """The delay as the file says it: ``7 days``, ``5 business days``, ``acceptance_days days``."""
        unit = self.unit.value.replace("_", " ")
        if self.amount is not None:
            return f"{self.amount} {unit.removesuffix('s') if self.amount == 1 else unit}"
        return f"{self.fact} {unit}"

    @property
    def triggers_read(self) -> tuple[str, ...]:
        """The triggers whose fires move or cancel the timer (``since_last`` and ``unless_fired_since``)."""
        return tuple(dict.fromkeys((*self.since_last, *self.unless_fired_since)))


@dataclass(frozen=True)
class TransitionDef:
    """A trigger from one or more sources to a destination (None: internal, the state stays).

    ``tags`` and ``effects`` say what the transition means to a domain (``approval``; a store
    issues the final invoice for ``issue_final_invoice``); ``party`` is who fires it; ``done`` and
    ``next`` say it in words for the people the subject is for (a past event, a step to come).
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str | None
    guards: tuple[GuardRef, ...] = ()
    label: Label | None = None
    tags: frozenset[str] = frozenset()
    effects: tuple[str, ...] = ()
    party: str | None = None
    done: Label | None = None
    next: Label | None = None
    from_any: bool = False
    """True when the file says ``source: '*'``: ``sources`` then holds every active state."""
    after: TimerDef | None = None
    """For a timed transition: when its timer fires it (only a timer fires it)."""
    line: int = 0

    @property
    def timed(self) -> bool:
        """True when a timer fires this transition (``after:`` in the file)."""
        return self.after is not None

    @property
    def internal(self) -> bool:
        """True when firing records an event without changing state."""
        return self.dest is None

    def dest_from(self, source: str) -> str:
        """The state a subject in ``source`` ends up in."""
        return source if self.dest is None else self.dest


@dataclass(frozen=True)
class WorkflowDefinition:
    """A whole workflow: what the YAML file says, checked and resolved (wildcards expanded).

    >>> from missionflow import load_workflow
    >>> load_workflow("freelance-mission").initial
    'lead'
    """

    name: str
    version: int
    title: str
    description: str
    initial: str
    states: tuple[StateDef, ...]
    transitions: tuple[TransitionDef, ...]
    source: str = "<memory>"
    hooks: tuple[HookRef, ...] = ()
    language: str = "en"
    """The language every label has a text in (others are optional)."""
    parties: tuple[str, ...] = ()
    """Who may act on a subject of this workflow; the first fires the transitions that name nobody."""
    backdating: bool = False
    """True when a step may be recorded at a time before the subject's last step (``backdating:
    true`` in the file); by default history only moves forward."""

    def state(self, state_id: str) -> StateDef:
        """The state with this id (InvalidValueError naming the states when unknown)."""
        for state in self.states:
            if state.id == state_id:
                return state
        raise InvalidValueError(
            "state", f"{state_id!r} is not a state of {self.name}; states: {', '.join(self.state_ids)}"
        )

    def has_state(self, state_id: str) -> bool:
        """True when ``state_id`` is a state of this workflow."""
        return any(state.id == state_id for state in self.states)

    @property
    def state_ids(self) -> tuple[str, ...]:
        """Every state id, in file order."""
        return tuple(s.id for s in self.states)

    @property
    def final_states(self) -> tuple[str, ...]:
        """The states a subject never leaves."""
        return tuple(s.id for s in self.states if s.final)

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger name, in file order, once each."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    def transitions_from(self, state_id: str) -> tuple[TransitionDef, ...]:
        """The transitions that leave (or stay in) ``state_id``, in file order."""
        return tuple(t for t in self.transitions if state_id in t.sources)

    def timed_from(self, state_id: str) -> tuple[TransitionDef, ...]:
        """The timed transitions that leave (or stay in) ``state_id``, in file order."""
        return tuple(t for t in self.transitions if t.after is not None and state_id in t.sources)

    @property
    def has_timers(self) -> bool:
        """True when some transition of the workflow is timed."""
        return any(t.after is not None for t in self.transitions)

    def transition(self, source: str, trigger: str) -> TransitionDef | None:
        """The transition ``trigger`` fires from ``source``, or None when it does not leave it."""
        for transition in self.transitions:
            if transition.trigger == trigger and source in transition.sources:
                return transition
        return None

    def states_tagged(self, tag: str) -> frozenset[str]:
        """The ids of the states that carry ``tag``."""
        return frozenset(s.id for s in self.states if tag in s.tags)

    def triggers_tagged(self, tag: str) -> frozenset[str]:
        """The triggers of the transitions that carry ``tag``."""
        return self._triggers_by_tag.get(tag, frozenset())

    @cached_property
    def _triggers_by_tag(self) -> Mapping[str, frozenset[str]]:
        # Guards ask for tagged triggers at every evaluation; the definition is frozen.
        found: dict[str, list[str]] = {}
        for transition in self.transitions:
            for tag in transition.tags:
                found.setdefault(tag, []).append(transition.trigger)
        return {tag: frozenset(triggers) for tag, triggers in found.items()}

    def tagged_from(self, state_id: str, tag: str) -> TransitionDef | None:
        """The first transition from ``state_id`` that carries ``tag`` (None when there is none)."""
        return next((t for t in self.transitions_from(state_id) if tag in t.tags), None)

    def party_of(self, transition: TransitionDef) -> str | None:
        """Who fires ``transition``: the party it names, else the workflow's first party."""
        return transition.party or (self.parties[0] if self.parties else None)

    @property
    def key(self) -> str:
        """``name@version``: how a subject refers to the rules it runs under."""
        return f"{self.name}@{self.version}"
