"""The engine in one call for an in-memory subject: ``fire``, ``triggers`` and ``path_to`` under
the rules the subject runs under (its workflow at the version it started with)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from missionflow.workflow.answers import PathReport, TriggerOption
from missionflow.workflow.calendar import WorkingCalendar
from missionflow.workflow.engine import workflow_for
from missionflow.workflow.hooks import Hooks
from missionflow.workflow.records import TransitionRecord
from missionflow.workflow.subject import Subject


def fire(
    subject: Subject,
    trigger: str,
    *,
    actor: str = "",
    note: str = "",
    at: datetime | None = None,
    data: Mapping[str, str] | None = None,
    facts: Mapping[str, object] | None = None,
    calendar: WorkingCalendar | None = None,
    hooks: Hooks | None = None,
    timer: bool = False,
) -> TransitionRecord:
    """Fire ``trigger`` on an in-memory subject under its own workflow version (see Workflow.fire).

    No database is involved: the subject moves and its history grows.

    >>> from missionflow.freelance import Client, Mission
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> fire(m, "qualify", actor="me").dest, m.state
    ('criteria_check', 'criteria_check')
    """
    return workflow_for(subject).fire(
        subject,
        trigger,
        actor=actor,
        note=note,
        at=at,
        data=data,
        facts=facts,
        calendar=calendar,
        hooks=hooks,
        timer=timer,
    )


def triggers(
    subject: Subject,
    *,
    at: datetime | None = None,
    actor: str = "",
    note: str = "",
    data: Mapping[str, str] | None = None,
    facts: Mapping[str, object] | None = None,
) -> list[TriggerOption]:
    """Every trigger from the subject's state, with guard results (see Workflow.triggers).

    >>> from missionflow.freelance import Client, Mission
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme", blocked=True))
    >>> [(o.trigger, o.allowed, o.reasons) for o in triggers(m)]
    [('qualify', False, ('client Acme is blocked',)), ('decline', False, ('a reason is required (give it as the note)',))]
    """
    workflow = workflow_for(subject)
    ctx = workflow.context(at, actor=actor, note=note, data=data, facts=facts)
    return workflow.triggers(subject, ctx)


def path_to(
    subject: Subject,
    target: str,
    *,
    at: datetime | None = None,
    actor: str = "",
    facts: Mapping[str, object] | None = None,
) -> PathReport:
    """The shortest path from the subject's state to ``target`` (see Workflow.path_to)."""
    workflow = workflow_for(subject)
    return workflow.path_to(subject, target, workflow.context(at, actor=actor, facts=facts))
