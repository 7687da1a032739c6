"""A mission's lifecycle diagram under the freelancer's settings: its guards evaluated as a fire
would evaluate them, its dates in the freelancer's time zone."""

from __future__ import annotations

from datetime import datetime

from missionflow.diagrams import Diagram, subject_diagram
from missionflow.freelance import Mission, Settings
from missionflow.freelance.vocabulary import SETTINGS


def mission_diagram(
    mission: Mission, settings: Settings | None = None, *, lang: str = "en", at: datetime | None = None
) -> Diagram:
    """The diagram of ``mission``: current state, dated path, and what is possible now and why not."""
    settings = settings or Settings()
    return subject_diagram(
        mission, lang=lang, at=at, facts={SETTINGS: settings}, calendar=settings, timezone=settings.timezone
    )
