"""The work a fire prepares before its guards run (the effects and what the caller writes with it),
and how a refusal it reads from a record newer than the one decided on is told apart: that writer
lost a race (ConcurrentUpdateError, exit 6), it was not refused by the trade."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from missionflow.errors import ConcurrentUpdateError, ConflictError, InvalidValueError
from missionflow.freelance import Mission
from missionflow.store.models import MissionRow


def prepare_steps(
    connection: Connection,
    steps: Iterable[object],
    subject: object,
    subject_id: int,
    seen_version: int,
    ref: str,
) -> None:
    """Run each step's ``prepare`` on a mission; a ConflictError or InvalidValueError raised while
    the mission's version moved since it was read (PostgreSQL reads each statement's latest commit)
    is a lost race."""
    if not isinstance(subject, Mission):
        return
    try:
        for step in steps:
            prepare = getattr(step, "prepare", None)
            if prepare is not None:
                prepare(subject)
    except (ConflictError, InvalidValueError):
        now_at = connection.execute(select(MissionRow.version).where(MissionRow.id == subject_id)).scalar()
        if now_at != seen_version:
            raise ConcurrentUpdateError(ref) from None
        raise
