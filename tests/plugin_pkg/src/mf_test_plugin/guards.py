"""The plugin's guards: one registered with its parameters, one plain function."""

from __future__ import annotations

from collections.abc import Mapping

from missionflow import GuardContext, register_guard
from missionflow.freelance import Mission

TAKEN_ROOMS = frozenset({"B"})


@register_guard("room_available", params={"room": str}, words="the studio room is free")
def room_available(
    mission: Mission, ctx: GuardContext, params: Mapping[str, str | int | bool | None]
) -> str | None:
    """The room named in the trigger's data (or the ``room`` parameter) is not taken."""
    room = ctx.data.get("room") or str(params.get("room") or "A")
    return f"room {room} is taken" if room in TAKEN_ROOMS else None


def studio_booked(
    mission: Mission, ctx: GuardContext, params: Mapping[str, str | int | bool | None]
) -> str | None:
    """The session was booked."""
    return None if mission.count_fired("book") else "the session is not booked yet"
