"""The package installs and the default workflow walks from lead to the first guard."""

from missionflow import fire, load_workflow
from missionflow.freelance import Client, Mission


def test_default_workflow_loads_and_fires() -> None:
    """The shipped default workflow loads and its first trigger moves a new lead."""
    assert load_workflow("freelance-mission").name == "freelance-mission"
    mission = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    assert fire(mission, "qualify", actor="me").dest == "criteria_check"
