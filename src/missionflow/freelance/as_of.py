"""A mission as it stood at a moment: what a report "as of" a past day shows. Steps recorded after
the moment, payments received and invoices issued after its day, amendments agreed and a contract
signed later are left out, and the state is the one the history had reached."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from missionflow.freelance.agreement import EXTRA_REVISION
from missionflow.freelance.mission import Mission
from missionflow.workflow import workflow_for


def mission_as_of(mission: Mission, at: datetime, timezone: str) -> Mission:
    """A copy of ``mission`` as it stood at ``at`` (days are read where the freelancer works).

    >>> from datetime import UTC
    >>> from missionflow.freelance import Client, Mission, fire
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> _ = fire(m, "qualify", at=datetime(2026, 3, 2, 10, tzinfo=UTC))
    >>> mission_as_of(m, datetime(2026, 3, 1, tzinfo=UTC), "Europe/Paris").state
    'lead'
    """
    day = at.astimezone(ZoneInfo(timezone)).date()
    history = [record for record in mission.history if record.at <= at]
    if len(history) == len(mission.history):
        state = mission.state
    elif history:
        state = history[-1].dest
    else:
        state = workflow_for(mission).definition.initial
    amendments = [a for a in mission.amendments if a.agreed_at <= at]
    later_rounds = sum(1 for a in mission.amendments if a.agreed_at > at and a.kind == EXTRA_REVISION)
    contract = (
        mission.contract if mission.contract is not None and mission.contract.signed_on <= day else None
    )
    return replace(
        mission,
        state=state,
        history=history,
        payments=[p for p in mission.payments if p.received_on <= day],
        invoices=[i for i in mission.invoices if i.issued_on is None or i.issued_on <= day],
        amendments=amendments,
        extra_revisions=max(mission.extra_revisions - later_rounds, 0),
        contract=contract,
    )
