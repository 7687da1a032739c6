"""The neutral model of a workflow definition: frozen dataclasses, no YAML, no engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

GuardParam = str | int | bool | None


class StateKind(StrEnum):
    """Whether a state belongs to the normal course of a mission or is a way out of it."""

    ACTIVE = "active"
    EXIT = "exit"


@dataclass(frozen=True)
class Label:
    """A text in English and in French."""

    en: str
    fr: str

    def in_lang(self, lang: str) -> str:
        """The text in ``lang`` ("en" or "fr"), English otherwise."""
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class StateDef:
    """One state of a workflow."""

    id: str
    label: Label
    description: str = ""
    final: bool = False
    kind: StateKind = StateKind.ACTIVE
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


@dataclass(frozen=True)
class TransitionDef:
    """A trigger from one or more sources to a destination (None: internal, the state stays)."""

    trigger: str
    sources: tuple[str, ...]
    dest: str | None
    guards: tuple[GuardRef, ...] = ()
    label: Label | None = None
    line: int = 0

    @property
    def internal(self) -> bool:
        """True when firing records an event without changing state."""
        return self.dest is None

    def dest_from(self, source: str) -> str:
        """The state a mission in ``source`` ends up in."""
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

    def state(self, state_id: str) -> StateDef:
        """The state with this id (KeyError when unknown)."""
        for state in self.states:
            if state.id == state_id:
                return state
        raise KeyError(state_id)

    @property
    def state_ids(self) -> tuple[str, ...]:
        """Every state id, in file order."""
        return tuple(s.id for s in self.states)

    @property
    def final_states(self) -> tuple[str, ...]:
        """The states a mission never leaves."""
        return tuple(s.id for s in self.states if s.final)

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger name, in file order, once each."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    def transitions_from(self, state_id: str) -> tuple[TransitionDef, ...]:
        """The transitions that leave (or stay in) ``state_id``, in file order."""
        return tuple(t for t in self.transitions if state_id in t.sources)

    @property
    def key(self) -> str:
        """``name@version``: how a mission refers to the rules it runs under."""
        return f"{self.name}@{self.version}"
