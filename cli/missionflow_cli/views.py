"""How missions, their history and their triggers are shown: JSON documents and terminal text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from missionflow_cli.app import echo, style, to_jsonable

if TYPE_CHECKING:
    from missionflow import TransitionRecord, TriggerOption
    from missionflow.freelance import Mission


def record_json(record: TransitionRecord) -> dict[str, object]:
    """A history entry as JSON: trigger, source, dest, actor, at (ISO 8601 with offset), note."""
    return {
        "trigger": record.trigger,
        "source": record.source,
        "dest": record.dest,
        "actor": record.actor,
        "at": record.at.isoformat(),
        "note": record.note,
        "data": dict(record.data),
        "out_of_hours": record.out_of_hours,
    }


def option_json(option: TriggerOption) -> dict[str, object]:
    """A trigger option as JSON: trigger, dest, allowed, reasons."""
    return {
        "trigger": option.trigger,
        "dest": option.dest,
        "allowed": option.allowed,
        "reasons": list(option.reasons),
    }


def mission_json(current: Mission, options: list[TriggerOption]) -> dict[str, object]:
    """A mission as JSON, with the triggers possible now."""
    from missionflow.freelance import revision_rounds_used

    return {
        "id": current.ref,
        "title": current.title,
        "client": to_jsonable(current.client),
        "state": current.state,
        "workflow": current.workflow,
        "workflow_version": current.workflow_version,
        "version": current.version,
        "currency": current.currency,
        "amount": to_jsonable(current.agreed_amount),
        "agreed": agreement_json(current),
        "deposit_percent": str(current.deposit_percent),
        "deposit_due": to_jsonable(current.deposit_due),
        "paid": to_jsonable(current.paid_total),
        "deadline": current.deadline.isoformat() if current.deadline else None,
        "included_revisions": current.included_revisions,
        "extra_revisions": current.extra_revisions,
        "revisions_used": revision_rounds_used(current),
        "triggers": [option_json(o) for o in options],
    }


def agreement_json(current: Mission) -> dict[str, object]:
    """Everything agreed, line by line (contract or quote, rush surcharge, amendments, extra rounds),
    and the total: what the final invoice bills."""
    agreement = current.agreement
    return {
        "signed": agreement.signed,
        "lines": [
            {
                "kind": line.kind,
                "designation": line.designation,
                "amount": to_jsonable(line.amount),
                "agreed_at": line.agreed_at.isoformat() if line.agreed_at else None,
            }
            for line in agreement.lines
        ],
        "total": to_jsonable(agreement.total),
        "rush_surcharge": to_jsonable(current.rush_surcharge),
    }


def data_text(record: TransitionRecord) -> str:
    return f" ({', '.join(f'{v}' for v in record.data.values())})" if record.data else ""


def print_options(options: list[TriggerOption]) -> None:
    if not options:
        echo("  nothing: this is a final state")
    for option in options:
        mark = style("allowed", fg="green") if option.allowed else style("blocked", fg="red")
        echo(f"  {option.trigger:<18} -> {option.dest:<18} ", mark)
        for reason in option.reasons:
            echo(f"      {reason}")
