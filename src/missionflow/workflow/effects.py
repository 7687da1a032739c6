"""The effect registry: names a workflow file may list under ``effects:`` on a transition.

An effect is work a store does in the same transaction as the transition (the freelance trade
issues the final invoice with ``invoice``). The engine does not run effects: it checks that a
file names only declared ones and carries them in the definition; whoever persists the
transition looks them up there. Domains declare theirs with :func:`declare_effect` or through
the entry-point group ``missionflow.effects``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from missionflow.errors import InvalidValueError
from missionflow.workflow.plugins import load_each

ENTRY_POINT_GROUP = "missionflow.effects"


@dataclass(frozen=True)
class EffectSpec:
    """A declared effect: its name and what it does, by language."""

    name: str
    words: Mapping[str, str] = field(default_factory=dict)

    def describe(self, lang: str = "en") -> str:
        """What the effect does, in ``lang`` (else English, else its name)."""
        return self.words.get(lang) or self.words.get("en") or self.name.replace("_", " ")


_REGISTRY: dict[str, EffectSpec] = {}
_entry_points_loaded = False


def declare_effect(name: str, *, words: str | Mapping[str, str] = "", replace: bool = False) -> EffectSpec:
    """Declare the effect ``name`` so that workflow files may list it; refused when the name is
    already declared with other words, unless ``replace=True``."""
    texts = {"en": words} if isinstance(words, str) else dict(words)
    spec = EffectSpec(name, {lang: text for lang, text in texts.items() if text})
    existing = _REGISTRY.get(name)
    if existing is not None and existing != spec and not replace:
        raise InvalidValueError(
            "effect", f"an effect named {name!r} is already declared; say replace=True to replace it"
        )
    _REGISTRY[name] = spec
    return spec


def _load_entry_points() -> None:
    """Import the modules installed packages declare in ``missionflow.effects``, once per process."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    load_each(ENTRY_POINT_GROUP)


def get_effect(name: str) -> EffectSpec | None:
    """The effect declared under ``name``, looking at entry points once when needed."""
    spec = _REGISTRY.get(name)
    if spec is None and not _entry_points_loaded:
        _load_entry_points()
        spec = _REGISTRY.get(name)
    return spec


def effect_names() -> list[str]:
    """Every declared effect, sorted."""
    _load_entry_points()
    return sorted(_REGISTRY)
