"""The status report speaks to the client: in their language unless told otherwise, without the
internal entries of the history (reminders written by tick), and with a diagram of their path in
plain words (no trigger name, no guard label). SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from missionflow import Store, testing
from missionflow.diagrams import render_diagram
from missionflow.reports import client_diagram, mission_diagram, status_report

AT = testing.MONDAY


def test_reminders_stay_off_the_clients_report(store: Store) -> None:
    """A deposit reminder fired by its timer is in the mission's history, not in the client's steps."""
    ref = testing.signed_mission(store)
    results = store.tick(AT + timedelta(days=8))
    assert [(r.trigger, r.fired) for r in results] == [("remind_deposit", True)]
    assert [e.record.trigger for e in store.history(ref)][-1] == "remind_deposit"
    text = status_report(store, ref, lang="en", at=AT + timedelta(days=8))
    steps = text.split("## Steps done", 1)[1].split("##", 1)[0]
    assert [line.split(": ", 1)[1] for line in steps.strip().splitlines()] == [
        "Your request was reviewed",
        "The mission was accepted",
        "The contract was signed",
    ]
    assert "remind" not in text.lower()
    assert "tick" not in text


def test_the_report_is_in_the_clients_language_unless_told(store: Store) -> None:
    """A client who reads English gets an English report, a French one a French report; --lang wins."""
    english = testing.lead(store, client="Acme")
    store.edit_client(store.get_mission(english).client.ref, language="en")
    french = testing.lead(store, client="Dupont")
    assert status_report(store, english, at=AT).startswith("# Status report: Logo")
    assert status_report(store, french, at=AT).startswith("# Point d'avancement\u00a0: Logo")
    assert status_report(store, french, lang="en", at=AT).startswith("# Status report: Logo")


def test_the_clients_diagram_shows_their_path_in_plain_words(store: Store) -> None:
    """The client's diagram draws the states the mission went through and those that remain, each
    step in the workflow's words with its date; no trigger, guard or way out it did not take."""
    ref = testing.working_mission(store)
    mission = store.get_mission(ref)
    settings = store.get_settings()
    at = datetime(2026, 3, 3, 10, tzinfo=UTC)
    drawing = client_diagram(mission, settings, lang="fr", at=at)
    assert [node.id for node in drawing.nodes] == [
        "lead",
        "criteria_check",
        "specification",
        "contract_signed",
        "deposit_received",
        "in_progress",
        "approved",
        "invoiced",
        "paid",
    ]
    assert [node.id for node in drawing.nodes if node.current] == ["in_progress"]
    labels = [edge.label.replace("\n", " / ") for edge in drawing.edges]
    assert labels == [
        "Votre demande a été étudiée / 2 mars 2026",
        "La mission a été acceptée / 2 mars 2026",
        "Le contrat a été signé / 2 mars 2026",
        "L'acompte a été reçu / 2 mars 2026",
        "Le travail a commencé / 2 mars 2026",
        "Votre validation du travail",
        "L'envoi de la facture finale",
        "Le règlement de la facture",
    ]
    dot = render_diagram(drawing, "dot").decode()
    words = " ".join(re.findall(r'label="([^"]*)"', dot))
    for jargon in ("qualify", "start_work", "deliverable", "[", "Résilié", "M-1"):
        assert jargon not in words, jargon
    assert "Votre demande a été étudiée" in words
    assert "(qualify)" in render_diagram(mission_diagram(mission, settings, lang="fr", at=at), "dot").decode()
    mermaid = render_diagram(drawing, "mermaid").decode()
    assert "lead --> criteria_check : Votre demande a été étudiée — 2 mars 2026" in mermaid
