"""The validator's reader for a transition's ``after:``, the timer that fires it.

::

    after: {days: 7}                                    # 7 calendar days after entering the state
    after: {business_days: 5, since_last: [deliver]}    # 5 working days after the last deliver
    after: {days: {fact: acceptance_days}, since_last: [deliver], unless_fired_since: [request_revision]}
    after: {days: 1, since_fact: payment_due}           # the day after each moment the fact gives

Exactly one unit (``days``, ``business_days`` or ``hours``), a positive whole number or a delay
fact of the subject; ``since_last`` and ``since_fact`` exclude each other. The triggers named
are checked once every transition is read (:func:`check_trigger_names`).
"""

from __future__ import annotations

from dataclasses import dataclass

from missionflow.workflow._checker import Checker, describe
from missionflow.workflow.definition import DelayUnit, TimerDef
from missionflow.workflow.timer_facts import FactKind, get_timer_fact
from missionflow.workflow.yaml_nodes import Node

AFTER_KEYS = {unit.value for unit in DelayUnit} | {"since_last", "since_fact", "unless_fired_since"}
MAXIMUM = {DelayUnit.DAYS: 3650, DelayUnit.BUSINESS_DAYS: 2600, DelayUnit.HOURS: 87_600}
"""The longest delay of each unit: ten years, which no workflow needs and every date can hold."""


@dataclass(frozen=True)
class TriggerName:
    """A trigger a timer names (in ``since_last`` or ``unless_fired_since``), to check once every
    transition of the file is known."""

    name: str
    line: int
    key: str
    what: str


def read_after(check: Checker, node: Node | None, what: str, names: list[TriggerName]) -> TimerDef | None:
    """The timer of a transition (None when it has no ``after``); the triggers it names are
    added to ``names``."""
    if node is None:
        return None
    mapping = check.mapping(node, f"'after' of {what}", AFTER_KEYS)
    if mapping is None:
        return None
    units = [DelayUnit(key) for key in mapping if key in {unit.value for unit in DelayUnit}]
    if len(units) != 1:
        said = f"it gives {', '.join(u.value for u in units)}" if units else "it gives none"
        check.problem(
            node.line,
            f"'after' of {what} needs exactly one unit: days, business_days or hours ({said})",
        )
        return None
    unit = units[0]
    amount, fact = _delay(check, mapping[unit.value], unit, what)
    since_last = _triggers(check, mapping.get("since_last"), "since_last", what, names)
    unless = _triggers(check, mapping.get("unless_fired_since"), "unless_fired_since", what, names)
    since_fact = _fact(check, mapping.get("since_fact"), FactKind.MOMENT, f"'since_fact' of {what}")
    if since_last and "since_fact" in mapping:
        check.problem(
            mapping["since_fact"].line,
            f"'after' of {what} counts from since_last or from since_fact, not both",
        )
        return None
    if amount is None and fact is None:
        return None
    return TimerDef(unit, amount, fact, since_last, since_fact, unless)


def _delay(check: Checker, node: Node, unit: DelayUnit, what: str) -> tuple[int | None, str | None]:
    """A positive whole number, or ``{fact: name}`` naming a delay fact."""
    value = node.value
    if isinstance(value, dict):
        mapping = check.mapping(node, f"the {unit.value} of {what}", {"fact"})
        if mapping is None or "fact" not in mapping:
            if mapping is not None:
                check.problem(node.line, f"the {unit.value} of {what} must be a number or {{fact: name}}")
            return None, None
        return None, _fact(check, mapping["fact"], FactKind.DELAY, f"the {unit.value} of {what}")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        check.problem(
            node.line,
            f"the {unit.value} of {what} must be a whole number from 1 or {{fact: name}}, got {describe(node)}",
        )
        return None, None
    if value > MAXIMUM[unit]:
        check.problem(
            node.line, f"{value} {unit.value} in {what} is more than the {MAXIMUM[unit]} a timer waits"
        )
        return None, None
    return value, None


def _fact(check: Checker, node: Node | None, kind: FactKind, what: str) -> str | None:
    if node is None:
        return None
    name = check.name(node, what)
    if name is None:
        return None
    spec = get_timer_fact(name)
    if spec is None:
        check.problem(
            node.line, f"unknown timer fact {name!r} in {what}; register it with register_timer_fact"
        )
        return None
    if spec.kind is not kind:
        check.problem(
            node.line, f"timer fact {name!r} in {what} gives a {spec.kind.value}, not a {kind.value}"
        )
        return None
    return name


def _triggers(
    check: Checker, node: Node | None, key: str, what: str, names: list[TriggerName]
) -> tuple[str, ...]:
    found = check.names(node, f"{key!r} of {what}")
    names.extend(TriggerName(name, line, key, what) for name, line in found)
    return tuple(name for name, _ in found)


def check_trigger_names(check: Checker, names: list[TriggerName], triggers: set[str]) -> None:
    """Every trigger a timer names is a trigger of the workflow."""
    for found in names:
        if found.name not in triggers:
            check.problem(
                found.line,
                f"{found.key!r} of {found.what} names {found.name!r}, which is not a trigger of the workflow",
            )
