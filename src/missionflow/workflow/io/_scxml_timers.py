"""How SCXML carries a timed transition: the event ``mf-after.<trigger>`` that the application's
scheduler sends when the timer falls due, and the timer itself in ``mf:`` attributes
(``mf:after="7 days"``, ``mf:since-last``, ``mf:since-fact``, ``mf:unless-fired-since``)."""

from __future__ import annotations

from missionflow.workflow.definition import DelayUnit, TimerDef
from missionflow.workflow.io._document import Problems, plain, to_node
from missionflow.workflow.yaml_nodes import Node

TIMER_EVENT = "mf-after."
"""The prefix of the event a timed transition listens to: ``mf-after.remind_deposit`` (no trigger
can have that name, so sending the trigger itself does nothing)."""


def timer_attributes(timer: TimerDef | None) -> dict[str, str | tuple[str, ...] | None]:
    """The ``mf:`` attributes of a transition's timer (none for a transition without one)."""
    if timer is None:
        return {}
    amount = str(timer.amount) if timer.amount is not None else str(timer.fact)
    return {
        "after": f"{amount} {timer.unit.value}",
        "since-last": timer.since_last,
        "since-fact": timer.since_fact,
        "unless-fired-since": timer.unless_fired_since,
    }


def read_timer(problems: Problems, fields: dict[str, Node], event: str, line: int, what: str) -> None:
    """Turn the ``mf:`` attributes of a timed transition into its ``after`` (in ``fields``)."""
    said = fields.pop("after", None)
    extra = {
        key: fields.pop(key) for key in ("since-last", "since-fact", "unless-fired-since") if key in fields
    }
    timed = event.startswith(TIMER_EVENT)
    if not timed:
        if said is not None or extra:
            problems.add(
                line, f"{what} has a timer (mf:after...) but listens to {event!r}, not {TIMER_EVENT}TRIGGER"
            )
        return
    if said is None:
        problems.add(line, f'{what} listens to {event!r} but has no mf:after, like mf:after="7 days"')
        return
    amount, _, unit = str(said.value).partition(" ")
    if unit not in {u.value for u in DelayUnit}:
        problems.add(
            line,
            f"mf:after of {what} is {said.value!r}: give a number or a fact, then days, business_days or hours",
        )
        return
    delay: object = int(amount) if amount.isascii() and amount.isdigit() else {"fact": amount}
    timer: dict[str, object] = {unit: delay}
    for key, node in extra.items():
        timer[key.replace("-", "_")] = plain(node)
    fields["after"] = to_node(timer, line)
