"""Firing a mission in memory under the freelancer's settings: the engine's ``fire``, ``triggers``
and ``path_to`` with the settings given to the guards as a fact and used as the working calendar
(a step outside the working days and hours is flagged out of hours, R12)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from missionflow.freelance.mission import Mission
from missionflow.freelance.settings import Settings
from missionflow.freelance.vocabulary import REVISION, SETTINGS
from missionflow.workflow import (
    GuardContext,
    Hooks,
    PathReport,
    TransitionRecord,
    TriggerOption,
    workflow_for,
)

DEFAULT_WORKFLOW = "freelance-mission"
"""The workflow a new mission runs under unless another is named."""


def context_of(
    mission: Mission,
    settings: Settings | None = None,
    *,
    at: datetime | None = None,
    actor: str = "",
    note: str = "",
    data: Mapping[str, str] | None = None,
    facts: Mapping[str, object] | None = None,
) -> GuardContext:
    """The guard context of ``mission`` under ``settings`` (the defaults when None), with the
    application's ``facts`` besides (what a store's facts providers give)."""
    settings = settings or Settings()
    known = {**(facts or {}), SETTINGS: settings}
    return workflow_for(mission).context(
        at, actor=actor, note=note, data=data, facts=known, calendar=settings
    )


def fire(
    mission: Mission,
    trigger: str,
    *,
    actor: str = "",
    note: str = "",
    at: datetime | None = None,
    data: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    hooks: Hooks | None = None,
    timer: bool = False,
) -> TransitionRecord:
    """Fire ``trigger`` on an in-memory mission under the freelancer's ``settings`` (``timer=True``
    for a timed transition that fell due: see :func:`missionflow.workflow.due_timers`).

    >>> from missionflow.freelance import Client, Mission, fire
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> fire(m, "qualify", actor="me").dest
    'criteria_check'
    """
    settings = settings or Settings()
    return workflow_for(mission).fire(
        mission,
        trigger,
        actor=actor,
        note=note,
        at=at,
        data=data,
        facts={SETTINGS: settings},
        calendar=settings,
        hooks=hooks,
        timer=timer,
    )


def triggers(
    mission: Mission,
    *,
    at: datetime | None = None,
    data: Mapping[str, str] | None = None,
    note: str = "",
    settings: Settings | None = None,
) -> list[TriggerOption]:
    """Every trigger from the mission's state, allowed or blocked with the reasons."""
    ctx = context_of(mission, settings, at=at, note=note, data=data)
    return workflow_for(mission).triggers(mission, ctx)


def revision_rounds_used(mission: Mission) -> int:
    """How many revision rounds the client asked for: the fires of the triggers tagged ``revision``."""
    return mission.count_fired(*workflow_for(mission).definition.triggers_tagged(REVISION))


def path_to(
    mission: Mission, target: str, *, at: datetime | None = None, settings: Settings | None = None
) -> PathReport:
    """The shortest path from the mission's state to ``target`` and what blocks each step."""
    return workflow_for(mission).path_to(mission, target, context_of(mission, settings, at=at))
