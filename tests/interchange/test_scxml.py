"""SCXML documents: python-statemachine runs the export, the import accepts it back and refuses the rest."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pytest
from statemachine import StateChart
from statemachine.io import load

from missionflow.errors import InterchangeError
from missionflow.workflow import export_workflow, load_workflow, load_workflow_file
from missionflow.workflow.io.scxml import PYTHON_STATEMACHINE_NAMES, read_scxml

TRICKY = Path(__file__).parent / "machines" / "tricky.yaml"
LANGUAGES = Path(__file__).parent / "machines" / "languages.yaml"
HEAD = '<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:mf="urn:missionflow:scxml" version="1.0" name="small" mf:version="1"'


class Guards:
    """An application's side of ``missionflow_all``: the guards it was asked about, and its answer."""

    def __init__(self, allow: bool) -> None:
        self.allow = allow
        self.asked: list[list[Mapping[str, object]]] = []

    def __getitem__(self, guards: list[Mapping[str, object]]) -> bool:
        self.asked.append(guards)
        return self.allow


class Model:
    """A model that supplies the guards' verdicts as an attribute."""

    def __init__(self, allow: bool) -> None:
        self.missionflow_all = Guards(allow)


def test_python_statemachine_runs_the_export_with_the_verdicts_of_the_model() -> None:
    """Two instances of the loaded class each ask their own model (no data model is shared or lost)."""
    chart = load(export_workflow(load_workflow("coaching"), "scxml"), format="scxml")
    yes, no = Model(allow=True), Model(allow=False)
    allowed, refused = chart(model=yes), chart(model=no)
    allowed.send("qualify")
    refused.send("qualify")
    assert (list(allowed.configuration_values), list(refused.configuration_values)) == (
        ["criteria_check"],
        ["lead"],
    )
    assert (
        yes.missionflow_all.asked
        == no.missionflow_all.asked
        == [[{"name": "client_not_blocked", "params": {}}]]
    )


def test_what_a_workflow_declares_is_in_the_missionflow_namespace() -> None:
    """Labels in any language, outcomes, tags, effects, parties, the language and '*' sources
    are mf: attributes, and python-statemachine still runs the document."""
    text = export_workflow(load_workflow_file(LANGUAGES), "scxml")
    for attribute in (
        'mf:language="fr" mf:parties="atelier client"',
        'mf:label-fr="Demande" mf:label-de="Anfrage" mf:label-pt-BR="Pedido" mf:tags="accueil tri"',
        'mf:done-fr="Accepté" mf:done-de="Angenommen"',
        'mf:tags="signature" mf:party="client"',
        'mf:label-ja="納品" mf:effects="issue_final_invoice"',
        'mf:outcome-de="Geliefert."',
        'mf:party="atelier" mf:source="*" mf:order="5"',
    ):
        assert attribute in text
    machine = load(text, format="scxml")()
    machine.send("accepter")
    assert list(machine.configuration_values) == ["atelier"]


def test_guard_parameters_reach_the_application_exactly() -> None:
    """Text that python-statemachine's clean-up of conditions rewrites (true, &&, &lt;...) arrives unchanged."""
    definition = load_workflow_file(TRICKY)
    chart = load(export_workflow(definition, "scxml"), format="scxml")
    guards = Guards(allow=True)
    machine = chart()
    machine.send("book", missionflow_all=guards)
    assert list(machine.configuration_values) == ["on"]
    book = definition.transitions[0]
    assert guards.asked == [[{"name": g.name, "params": dict(g.params)} for g in book.guards]]


def test_the_names_an_event_must_not_take_cover_every_public_attribute_of_statechart() -> None:
    """The refused names include each public attribute of python-statemachine's StateChart."""
    public = {name for name in dir(StateChart) if not name.startswith("_")}
    assert public - PYTHON_STATEMACHINE_NAMES <= {"TransitionNotAllowed"}  # a class, not a trigger name


def test_an_event_named_send_really_hides_statechart_send() -> None:
    """Loaded by python-statemachine, an event `send` replaces the method every event goes through."""
    text = f'{HEAD} initial="a"><state id="a"><transition event="send" target="b"/></state><final id="b"/></scxml>'
    machine = load(text, format="scxml")()
    assert type(machine).send is not StateChart.send


def test_a_trigger_that_would_hide_a_statechart_method_is_refused_by_name() -> None:
    """Exporting a workflow with a `send` trigger to SCXML names the trigger and its line."""
    definition = load_workflow("retainer")
    renamed = tuple(
        dataclasses.replace(t, trigger="send") if t.trigger == "close" else t for t in definition.transitions
    )
    with pytest.raises(InterchangeError) as caught:
        export_workflow(dataclasses.replace(definition, transitions=renamed), "scxml")
    (problem,) = caught.value.problems
    assert "trigger 'send' would hide StateChart.send" in problem.message
    assert problem.line == next(t.line for t in definition.transitions if t.trigger == "close")


def test_a_handwritten_document_is_read() -> None:
    """Guard names joined by `and`, several events on one transition, hooks, and the first state as initial."""
    text = f"""{HEAD}>
      <mf:hook name="studio_log" when="after_commit"/>
      <state id="a" mf:label-en="A" mf:label-fr="Á">
        <transition event="go leave" target="b" cond="reason_given and client_not_blocked"/>
        <transition event="note" type="internal" cond="reason_given"/>
      </state>
      <final id="b"/>
    </scxml>"""
    definition = read_scxml(text)
    assert definition.initial == "a"
    assert [(t.trigger, t.dest, [g.name for g in t.guards]) for t in definition.transitions] == [
        ("go", "b", ["reason_given", "client_not_blocked"]),
        ("leave", "b", ["reason_given", "client_not_blocked"]),
        ("note", None, ["reason_given"]),
    ]
    assert [h.name for h in definition.hooks] == ["studio_log"]
    assert definition.state("a").label.in_lang("fr") == "Á"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<state id="a"><onentry><log expr="1"/></onentry></state>', "<onentry> in <state> 'a': actions"),
        ('<parallel id="p"/>', "parallel states cannot be expressed"),
        ('<datamodel><data id="x"/></datamodel>', "a workflow keeps no data model"),
        ('<state id="a"><transition event="go.*" target="b"/></state>', "matches events by wildcard"),
        ('<state id="a"><transition event="go" target="a b"/></state>', "has several targets"),
        ('<state id="a" colour="red"/>', "unknown attribute 'colour' of <state>"),
        ('<state id="a" mf:color="red"/>', "unknown attribute 'mf:color' of <state>"),
        ('<state id="a" mf:label="A"/>', "unknown attribute 'mf:label' of <state>"),
        (
            '<state id="a"><transition event="go" target="b" mf:source="a"/></state>',
            "mf:source of a transition of state 'a' can only be '*', got 'a'",
        ),
        (
            '<state id="a"><transition event="go" target="b" mf:order="first"/></state>',
            "the order of a transition of state 'a' must be a whole number from 1, got 'first'",
        ),
        ('<state id="a">words</state>', "text inside <state> has no meaning"),
        (
            '<state id="a"><transition event="go" cond="x > 1"/></state>',
            "is not a missionflow guard expression",
        ),
        (
            '<state id="a"><transition event="go"><raise event="x"/></transition></state>',
            "<raise> in a transition",
        ),
        ('<state id="a"><transition target="b"/></state>', "eventless transitions cannot be expressed"),
        ('<state id="a"><state id="x"/></state>', "nested states cannot be expressed"),
        (
            '<state id="a"><transition event="go" type="weird"/></state>',
            "'type' of a transition of state 'a' must be",
        ),
        (
            '<state id="a"><transition event="go" cond="missionflow_all[x]"/></state>',
            "not a missionflow guard",
        ),
        (
            '<state id="a"><transition event="go" cond="reason_given and ("/></state>',
            "not a missionflow guard",
        ),
        ('<state id="a"><transition event="go" cond="missionflow_all[[{}]]"/></state>', "has no 'name'"),
        (
            '<state id="a"><transition event="go" target="b" mf:after="2 days"/></state>',
            "a transition of state 'a' has a timer (mf:after...) but listens to 'go', not mf-after.TRIGGER",
        ),
        (
            '<state id="a"><transition event="mf-after.expire" target="b"/></state>',
            "a transition of state 'a' listens to 'mf-after.expire' but has no mf:after",
        ),
        (
            '<state id="a"><transition event="mf-after.expire" target="b" mf:after="2 weeks"/></state>',
            "mf:after of a transition of state 'a' is '2 weeks': give a number or a fact",
        ),
    ],
)
def test_what_a_workflow_cannot_express_is_refused(body: str, message: str) -> None:
    """Each refusal is an InterchangeError naming the line and the reason."""
    text = f'{HEAD} initial="a">\n{body}\n<final id="b"/></scxml>'
    with pytest.raises(InterchangeError) as caught:
        read_scxml(text, source="m.scxml")
    assert message in str(caught.value)
    assert caught.value.problems[0].line == 2


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("<scxml", 1, "not well-formed XML: unclosed token"),
        ("<machine/>", 1, "the document is a <machine>, not an SCXML <scxml>"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE scxml [<!ENTITY a "aaa">]>\n<scxml/>',
            2,
            "a <!DOCTYPE> is not accepted",
        ),
        ('<scxml xmlns="urn:other"/>', 1, "not an SCXML <scxml>"),
    ],
)
def test_a_document_that_is_not_scxml_is_refused_with_its_line(text: str, line: int, message: str) -> None:
    """Malformed XML, another root element and a DTD are refused, each with its line."""
    with pytest.raises(InterchangeError) as caught:
        read_scxml(text, source="m.scxml")
    assert [(p.file, p.line) for p in caught.value.problems] == [("m.scxml", line)]
    assert message in caught.value.problems[0].message


def test_a_timed_transition_listens_to_its_timer_event_in_python_statemachine() -> None:
    """The timer's event `mf-after.<trigger>` fires the tacit approval; sending the trigger itself
    does nothing; the timer reads back from the mf: attributes."""
    text = export_workflow(load_workflow("freelance-mission"), "scxml")
    assert 'event="mf-after.approve_tacitly" target="approved"' in text
    assert (
        'mf:after="acceptance_days days" mf:since-last="deliver" mf:unless-fired-since="request_revision"'
        in text
    )
    chart = load(text, format="scxml")
    machine = chart(model=Model(allow=True))
    for trigger in ("qualify", "accept", "sign_contract", "confirm_deposit", "start_work"):
        machine.send(trigger)
    machine.send("approve_tacitly")
    assert list(machine.configuration_values) == ["in_progress"]
    machine.send("mf-after.approve_tacitly")
    assert list(machine.configuration_values) == ["approved"]
    back = read_scxml(text).transition("revisions", "approve_tacitly")
    assert back is not None
    assert back.after == load_workflow("freelance-mission").transition("revisions", "approve_tacitly").after  # type: ignore[union-attr]
