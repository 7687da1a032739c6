"""Registries put back as they were after a block: guards, effects, timer facts, workflows and
interchange formats registered inside it are forgotten, and compiled machines too. For tests,
the application's and ours."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from missionflow.workflow import effects, engine, guards, io, registry, timer_facts


@contextmanager
def isolated_registries() -> Iterator[registry.WorkflowRegistry]:
    """Inside the block, register guards, effects, timer facts, workflows and formats freely; at its end every registry
    is back to what it was. Yields the workflow registry in use inside the block (a copy).

    >>> from missionflow.workflow import get_guard, register_guard
    >>> with isolated_registries():
    ...     _ = register_guard("always", words="always")(lambda subject, ctx, params: None)
    ...     get_guard("always") is not None
    True
    >>> get_guard("always") is None
    True
    """
    guards.guard_names()  # entry points loaded first, so they are part of what is put back
    effects.effect_names()
    timer_facts.timer_fact_names()
    saved_guards = dict(guards._REGISTRY)
    saved_timer_facts = dict(timer_facts._REGISTRY)
    saved_effects = dict(effects._REGISTRY)
    saved_workflows = registry.registry
    saved_compiled = dict(engine._compiled)
    saved_formats = dict(io._FORMATS)
    copy = registry.WorkflowRegistry()
    copy._by_key = dict(saved_workflows._by_key)
    copy._discovered = saved_workflows._discovered
    registry.registry = copy
    try:
        yield copy
    finally:
        guards._REGISTRY.clear()
        guards._REGISTRY.update(saved_guards)
        effects._REGISTRY.clear()
        effects._REGISTRY.update(saved_effects)
        timer_facts._REGISTRY.clear()
        timer_facts._REGISTRY.update(saved_timer_facts)
        registry.registry = saved_workflows
        engine._compiled.clear()
        engine._compiled.update(saved_compiled)
        io._FORMATS.clear()
        io._FORMATS.update(saved_formats)
