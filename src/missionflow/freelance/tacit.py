"""When the client's silence counts as approval (R10): the contract sets an acceptance period, and
that many days passed since the last delivery without a revision request."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from missionflow.freelance.mission import Mission
from missionflow.workflow import GuardContext


def tacit_approval_refused(
    mission: Mission, ctx: GuardContext, rounds: Collection[str], timezone: str
) -> str | None:
    """Why the client's silence cannot count as approval yet, or None when it can."""
    days = mission.contract.acceptance_days if mission.contract is not None else None
    if not days:
        return "tacit approval needs an acceptance period in the contract; the client must approve"
    last_delivery: datetime | None = None
    for record in mission.history:
        if record.delivery is not None:
            last_delivery = record.at
        elif record.trigger in rounds:
            # The client answered this delivery with corrections: silence is counted again
            # from the next delivery only.
            last_delivery = None
    if last_delivery is None:
        return (
            "tacit approval counts from a delivery, and nothing was delivered since the last revision request"
        )
    from_when = last_delivery + timedelta(days=days)
    if ctx.now >= from_when:
        return None
    local = ZoneInfo(timezone)
    return (
        f"tacit approval is possible from {from_when.astimezone(local):%Y-%m-%d %H:%M}, "
        f"{days} day{'s' if days != 1 else ''} after the last delivery "
        f"({last_delivery.astimezone(local):%Y-%m-%d %H:%M}) without an answer from the client"
    )
