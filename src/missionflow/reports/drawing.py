"""A subject's lifecycle diagram with its guards evaluated as a fire would evaluate them: a mission's
under the freelancer's settings (its dates in their time zone), a stored subject's with the facts
the store's providers give."""

from __future__ import annotations

from datetime import datetime

from missionflow.diagrams import Diagram, subject_diagram
from missionflow.freelance import Mission, Settings
from missionflow.freelance.vocabulary import SETTINGS
from missionflow.store import SubjectView


def mission_diagram(
    mission: Mission, settings: Settings | None = None, *, lang: str = "en", at: datetime | None = None
) -> Diagram:
    """The diagram of ``mission``: current state, dated path, and what is possible now and why not."""
    settings = settings or Settings()
    return subject_diagram(
        mission, lang=lang, at=at, facts={SETTINGS: settings}, calendar=settings, timezone=settings.timezone
    )


def view_diagram(view: SubjectView, *, lang: str = "en") -> Diagram:
    """The diagram of a stored subject as ``Store.view`` (or ``AsyncStore.view``) gives it: its
    guards evaluated with the same facts and at the same moment as a fire would, the
    application's facts included; a mission's dates in the freelancer's time zone."""
    context = view.context
    settings = context.facts.get(SETTINGS)
    return subject_diagram(
        view.subject,
        lang=lang,
        at=context.now,
        facts=context.facts,
        calendar=context.calendar,
        timezone=settings.timezone if isinstance(settings, Settings) else "UTC",
        actor=context.actor,
    )
