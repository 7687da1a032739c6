"""What a fired trigger leaves behind: who, when, why, and which guards let it through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from missionflow.errors import InvalidValueError

if TYPE_CHECKING:
    from missionflow.workflow.definition import WorkflowDefinition

DELIVERY_GUARD = "deliverable_in_specification"
"""The guard that makes a record a delivery: its deliverable was checked against the specification.

Kept here, with the record, so that reading a history never needs a domain: a record is a
delivery when that guard let it through, whatever the trigger is called.
"""


@dataclass(frozen=True)
class TransitionRecord:
    """One fired trigger: who, when, why, and which guards allowed it.

    ``out_of_hours`` says that it happened outside the working time of the calendar the engine
    was given (False when it was given none).
    """

    trigger: str
    source: str
    dest: str
    actor: str
    at: datetime
    note: str = ""
    data: Mapping[str, str] = field(default_factory=dict)
    guards: tuple[str, ...] = ()
    out_of_hours: bool = False

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise InvalidValueError(
                "time", f"{self.at.isoformat()} has no timezone; give an offset like +01:00"
            )

    @classmethod
    def made(
        cls,
        trigger: str,
        source: str,
        dest: str,
        actor: str,
        at: datetime,
        note: str,
        data: Mapping[str, str],
        guards: tuple[str, ...],
        out_of_hours: bool,
    ) -> TransitionRecord:
        """The record the engine makes at each fire, every field given: the same object and the same
        check as the constructor, without its nine frozen-attribute calls (a twentieth of a fire)."""
        record = object.__new__(cls)
        record.__dict__.update(
            trigger=trigger,
            source=source,
            dest=dest,
            actor=actor,
            at=at,
            note=note,
            data=data,
            guards=guards,
            out_of_hours=out_of_hours,
        )
        record.__post_init__()
        return record

    @property
    def delivery(self) -> str | None:
        """The deliverable this record hands over, or None when it is not a delivery.

        Only a transition whose ``deliverable`` was checked against the specification (by the
        ``deliverable_in_specification`` guard) counts: data given to any other trigger does not.
        """
        name = self.data.get("deliverable")
        if name is None or DELIVERY_GUARD not in self.guards:
            return None
        return name


def check_moving_forward(definition: WorkflowDefinition, moment: datetime, last: datetime | None) -> None:
    """Refuse (InvalidValueError on ``at``) a step recorded before the subject's last step, unless the
    workflow allows back-dating (``backdating: true``): history only moves forward."""
    if last is not None and moment < last and not definition.backdating:
        raise InvalidValueError(
            "at",
            f"{moment.isoformat()} is before the last step of the history ({last.isoformat()}): "
            f"history only moves forward (workflow {definition.name} does not allow back-dating)",
        )
