"""A scripted walk through the default workflow that shows both guarantees at work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import click

from missionflow import (
    Client,
    Contract,
    CriterionAnswer,
    Deliverable,
    Mission,
    Money,
    Payment,
    Specification,
    TransitionBlockedError,
    fire,
)


def run_demo() -> None:
    """Walk a sample mission in memory, printing each step and each refusal."""
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    mission = Mission(
        ref="M-1",
        workflow="freelance-mission",
        state="lead",
        title="Website redesign",
        client=Client("Atelier Dupont", ref="C-1"),
        amount=Money.of("4500", "EUR"),
        deadline=date(2027, 1, 15),
    )

    def step(trigger: str, **options: object) -> None:
        try:
            record = fire(mission, trigger, actor="camille", at=now, **options)
        except TransitionBlockedError as exc:
            click.echo(f"  refused  {trigger}: " + "; ".join(exc.reasons))
            return
        click.echo(f"  {record.source:>16} --{trigger}--> {record.dest}")

    click.echo(f"Mission {mission.ref} for {mission.client.name}: {mission.title}")
    step("qualify")
    for name in ("budget_fits", "respectful", "clear_need"):
        mission.criteria_answers[name] = CriterionAnswer(name, True)
    step("accept")
    mission.specification = Specification(
        objectives="A faster, accessible site",
        deliverables=(
            Deliverable("mockups"),
            Deliverable("website"),
            Deliverable("admin access", "access_code"),
        ),
        deadline=date(2027, 1, 15),
        budget=Money.of("4500", "EUR"),
        acceptance="Lighthouse score over 90",
    )
    mission.contract = Contract(Money.of("4500", "EUR"), "CGV-2026-1", now.date(), "Atelier Dupont")
    step("sign_contract")
    click.echo("The client asks to start on Monday, before paying the deposit:")
    step("start_work")
    mission.payments.append(Payment(Money.of("1350", "EUR"), now.date()))
    click.echo("The deposit of 1,350.00 EUR arrives.")
    step("confirm_deposit")
    step("start_work")
    for name in ("mockups", "website"):
        step("deliver", data={"deliverable": name})
    step("request_revision", note="bigger logo")
    step("deliver", data={"deliverable": "website"})
    click.echo("Trying to approve before the admin access is handed over:")
    step("approve")
    step("deliver", data={"deliverable": "admin access"})
    step("approve")
    step("invoice")
    now += timedelta(days=20)
    step("settle")
    click.echo(f"Final state: {mission.state} after {len(mission.history)} recorded steps.")
