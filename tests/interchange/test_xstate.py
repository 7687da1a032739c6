"""XState v5 machine configs: what the export says, what the import accepts and what it refuses."""

from __future__ import annotations

import dataclasses
import json

import pytest

from missionflow.errors import InterchangeError, WorkflowDefinitionError
from missionflow.workflow import export_workflow, import_workflow, load_workflow
from missionflow.workflow.io.xstate import read_xstate, to_xstate


def _machine(states: dict[str, object], **extra: object) -> str:
    """A small machine as JSON text: `a` goes to the final `b` unless ``states`` says otherwise."""
    return json.dumps(
        {"id": "small", "initial": "a", "meta": {"version": 1}, "states": states, **extra}, indent=2
    )


FINAL = {"type": "final"}


def test_a_transition_carries_its_target_and_one_guard_object_with_every_guard() -> None:
    """`accept` targets `specification` and its three guards travel as one missionflow.all object."""
    machine = to_xstate(load_workflow("freelance-mission"))
    accept = machine["states"]["criteria_check"]["on"]["accept"]  # type: ignore[index]
    assert accept == {
        "target": "specification",
        "guard": {
            "type": "missionflow.all",
            "params": {
                "guards": [
                    {"name": "criteria_met", "params": {}},
                    {"name": "client_not_blocked", "params": {}},
                    {"name": "lead_time_respected", "params": {}},
                ]
            },
        },
        "meta": {
            "label": {"en": "Accept the mission", "fr": "Accepter la mission"},
            "done": {"en": "The mission was accepted", "fr": "La mission a été acceptée"},
            "next": {"en": "accepting the mission", "fr": "l'acceptation de la mission"},
            "order": 2,
        },
    }


def test_a_transition_carries_its_party_tags_and_effects_in_meta() -> None:
    """`sign_contract` names its party and tag, `invoice` its effect, in the transition's meta."""
    states = to_xstate(load_workflow("freelance-mission"))["states"]
    sign = states["specification"]["on"]["sign_contract"]["meta"]  # type: ignore[index]
    assert (sign["party"], sign["tags"]) == ("client", ["signature"])
    invoice = states["approved"]["on"]["invoice"]["meta"]  # type: ignore[index]
    assert invoice["effects"] == ["issue_final_invoice"]
    assert "party" not in invoice
    assert "tags" not in invoice


def test_state_tags_are_xstate_tags() -> None:
    """A state's tags are XState's own `tags`, so that `snapshot.hasTag("work")` answers."""
    states = to_xstate(load_workflow("freelance-mission"))["states"]
    assert states["in_progress"]["tags"] == ["work"]  # type: ignore[index]
    assert "tags" not in states["lead"]  # type: ignore[operator]


def test_self_loops_reenter_and_internal_transitions_have_no_target() -> None:
    """`request_revision` re-enters `revisions` from itself only; `deliver` stays without a target."""
    states = to_xstate(load_workflow("freelance-mission"))["states"]
    assert states["revisions"]["on"]["request_revision"]["reenter"] is True  # type: ignore[index]
    assert "reenter" not in states["in_progress"]["on"]["request_revision"]  # type: ignore[index]
    assert "target" not in states["revisions"]["on"]["deliver"]  # type: ignore[index]


def test_states_keep_final_type_kind_labels_outcome_and_description() -> None:
    """A final exit state says type final, its kind, its labels and outcome; the machine its
    name, version, title, language and parties."""
    machine = to_xstate(load_workflow("freelance-mission"))
    assert machine["states"]["declined"] == {  # type: ignore[index]
        "type": "final",
        "description": "The mission was turned down before any contract.",
        "meta": {
            "label": {"en": "Declined", "fr": "Refusé"},
            "kind": "exit",
            "outcome": {"en": "The mission was declined.", "fr": "La mission a été refusée."},
        },
    }
    assert (machine["id"], machine["initial"]) == ("freelance-mission", "lead")
    assert machine["meta"] == {
        "version": 3,
        "title": "Freelance mission",
        "language": "en",
        "parties": ["freelancer", "client"],
    }


def test_several_transitions_of_one_event_from_one_state_become_an_array_in_file_order() -> None:
    """Two `start_work` transitions from one state are an array, the first one first (XState takes the first enabled)."""
    definition = load_workflow("freelance-mission")
    first, second = (t for t in definition.transitions if t.trigger == "start_work")
    both = dataclasses.replace(second, sources=("deposit_received",))
    machine = to_xstate(dataclasses.replace(definition, transitions=(*definition.transitions, both)))
    on = machine["states"]["deposit_received"]["on"]["start_work"]  # type: ignore[index]
    assert [len(entry["guard"]["params"]["guards"]) for entry in on] == [
        len(first.guards),
        len(second.guards),
    ]


def test_a_final_state_with_a_transition_is_refused_with_its_trigger() -> None:
    """XState final states take no events: an internal transition on one is refused, naming it."""
    definition = load_workflow("coaching")
    hold = next(t for t in definition.transitions if t.trigger == "hold_session")
    stuck = dataclasses.replace(hold, sources=("paid",))
    with pytest.raises(InterchangeError, match="trigger 'hold_session' stays in final state 'paid'"):
        export_workflow(
            dataclasses.replace(definition, transitions=(*definition.transitions, stuck)), "xstate"
        )


def test_xstate_shorthands_are_read() -> None:
    """A target as a string, a guard as a name or as {type, params}, a one-element target list."""
    text = _machine(
        {
            "a": {
                "on": {
                    "go": "b",
                    "check": {"target": ["b"], "guard": "reason_given"},
                    "book": {"target": "b", "guard": {"type": "room_available", "params": {"room": "B"}}},
                }
            },
            "b": FINAL,
        }
    )
    definition = read_xstate(text)
    assert [
        (t.trigger, t.dest, [(g.name, dict(g.params)) for g in t.guards]) for t in definition.transitions
    ] == [
        ("go", "b", []),
        ("check", "b", [("reason_given", {})]),
        ("book", "b", [("room_available", {"room": "B"})]),
    ]


def test_the_order_in_meta_lists_the_transitions_as_the_file_did() -> None:
    """Transitions of different states come back in the order their meta gives, else in the
    order of the document."""
    states = {
        "a": {"on": {"go": {"target": "c", "meta": {"order": 2}}}},
        "c": {"on": {"end": {"target": "b", "meta": {"order": 1}}}},
        "b": FINAL,
    }
    assert [t.trigger for t in read_xstate(_machine(states)).transitions] == ["end", "go"]
    unordered = {
        "a": {"on": {"go": {"target": "c"}}},
        "c": {"on": {"end": {"target": "b"}}},
        "b": FINAL,
    }
    assert [t.trigger for t in read_xstate(_machine(unordered)).transitions] == ["go", "end"]


def test_a_transition_marked_from_every_active_state_must_leave_each_of_them() -> None:
    """`source: "*"` in the meta of a transition that one active state lacks is refused, naming that state."""
    text = _machine(
        {
            "a": {"on": {"go": {"target": "c"}, "drop": {"target": "b", "meta": {"source": "*"}}}},
            "c": {"on": {"end": "b"}},
            "b": FINAL,
        }
    )
    with pytest.raises(InterchangeError) as caught:
        read_xstate(text, source="m.json")
    (problem,) = caught.value.problems
    assert problem.line == _line(text, '"drop"')
    assert "transition 'drop' is marked as from every active state ('*') but does not leave 'c'" in str(
        problem
    )


def test_a_target_on_itself_without_reenter_is_an_internal_transition() -> None:
    """XState neither exits nor enters for `{target: self}` without reenter: that is a transition without dest."""
    text = _machine(
        {"a": {"on": {"stay": "a", "again": {"target": "a", "reenter": True}, "go": "b"}}, "b": FINAL}
    )
    stay, again, _ = read_xstate(text).transitions
    assert (stay.dest, again.dest) == (None, "a")


def _line(text: str, fragment: str) -> int:
    """The number of the first line of ``text`` holding ``fragment``."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    ("states", "where", "message"),
    [
        (
            {"a": {"after": {"1000": "b"}, "on": {"go": "b"}}, "b": FINAL},
            '"1000"',
            "delayed transition '1000' of state 'a': a delay in milliseconds cannot be expressed",
        ),
        (
            {"a": {"after": {"expire": {"target": "b"}}, "on": {"go": "b"}}, "b": FINAL},
            '"expire"',
            "delayed transition 'expire' of state 'a' has no meta.after",
        ),
        (
            {"a": {"on": {"go": {"target": "b", "meta": {"after": {"days": 2}}}}}, "b": FINAL},
            '"after"',
            "meta.after of transition 'go' of state 'a': a timed transition goes under the state's after",
        ),
        (
            {"a": {"after": ["expire"], "on": {"go": "b"}}, "b": FINAL},
            '"after"',
            "'after' of state 'a' must be an object of transitions by delay, got a list",
        ),
        (
            {"a": {"entry": ["log"], "on": {"go": "b"}}, "b": FINAL},
            '"entry"',
            "actions are the application's code",
        ),
        (
            {"a": {"on": {"go": "b"}, "states": {}}, "b": FINAL},
            '"states": {}',
            "nested states cannot be expressed",
        ),
        ({"a": {"always": "b"}, "b": FINAL}, '"always"', "eventless transitions (always)"),
        ({"a": {"type": "parallel"}, "b": FINAL}, '"parallel"', "only atomic and final states"),
        (
            {"a": {"on": {"go": {"target": "#small.b"}}}, "b": FINAL},
            "#small.b",
            "give the key of a sibling state",
        ),
        ({"a": {"on": {"go": {"reenter": True}}}, "b": FINAL}, '"go"', "re-enters without a target"),
        (
            {"a": {"on": {"go": {"target": "b", "actions": ["x"]}}}, "b": FINAL},
            '"actions"',
            "actions are the application's",
        ),
        (
            {"a": {"on": {"go": {"target": "b", "guard": {"params": {}}}}}, "b": FINAL},
            '"guard"',
            "has no 'type'",
        ),
        (
            {"a": {"on": {"go": {"target": "b", "meta": {"source": "a"}}}}, "b": FINAL},
            '"source"',
            "'source' in the meta of transition 'go' of state 'a' can only be '*', got 'a'",
        ),
        (
            {"a": {"on": {"go": {"target": "b", "meta": {"order": 0}}}}, "b": FINAL},
            '"order"',
            "the order of transition 'go' of state 'a' must be a whole number from 1, got 0",
        ),
        (
            {"a": {"meta": {"colour": "red"}}, "b": FINAL},
            '"colour"',
            "unknown key 'colour' in the meta of state 'a'",
        ),
        ({"a": 5, "b": FINAL}, '"a": 5', "state 'a' must be an object, got 5"),
        (
            {"a": {"on": {"go": [True]}}, "b": FINAL},
            "true",
            "transition 'go' of state 'a' must be an object, got true",
        ),
        ({"a": {"on": {"go": {"target": 5}}}, "b": FINAL}, '"target"', "must be one state's key, got 5"),
        (
            {"a": {"on": {"go": {"target": "b", "reenter": "yes"}}}, "b": FINAL},
            '"yes"',
            "must be true or false, got 'yes'",
        ),
        (
            {"a": {"on": {"go": {"target": "b", "guard": None}}}, "b": FINAL},
            "null",
            "must be an object, got nothing",
        ),
        (
            {
                "a": {"on": {"go": {"target": "b", "guard": {"type": "missionflow.all", "params": {}}}}},
                "b": FINAL,
            },
            '"guard"',
            "needs params.guards, a list of {name, params}",
        ),
        (
            {
                "a": {
                    "on": {
                        "go": {
                            "target": "b",
                            "guard": {"type": "missionflow.all", "params": {"guards": [{}]}},
                        }
                    }
                },
                "b": FINAL,
            },
            "{}",
            "a guard of transition 'go' of state 'a' has no 'name'",
        ),
        (
            {
                "a": {
                    "on": {
                        "go": {
                            "target": "b",
                            "guard": {"type": "missionflow.all", "params": {"guards": [{"name": ["x"]}]}},
                        }
                    }
                },
                "b": FINAL,
            },
            '"name"',
            "the name of a guard of transition 'go' of state 'a' must be text, got a list",
        ),
    ],
)
def test_what_a_workflow_cannot_express_is_refused_with_its_line(
    states: dict[str, object], where: str, message: str
) -> None:
    """Each refusal names the JSON line and the reason, as an InterchangeError."""
    text = _machine(states)
    with pytest.raises(InterchangeError) as caught:
        read_xstate(text, source="m.json")
    assert [(p.file, p.line) for p in caught.value.problems] == [("m.json", _line(text, where))]
    assert message in caught.value.problems[0].message


def test_every_problem_of_a_machine_is_listed_at_once() -> None:
    """Three problems in three places give one error listing the three."""
    text = _machine({"a": {"entry": ["x"], "on": {"go": "#b"}}, "b": {"type": "history"}}, context={})
    with pytest.raises(InterchangeError) as caught:
        read_xstate(text)
    assert len(caught.value.problems) == 4
    assert "a workflow keeps no context" in str(caught.value)


def test_a_machine_that_is_not_a_valid_workflow_is_reported_by_the_validator_with_json_lines() -> None:
    """An unknown guard and a state with no way out are WorkflowDefinitionError problems on their JSON lines."""
    text = _machine({"a": {"on": {"go": {"target": "b", "guard": "no_such_guard"}}}, "b": {}, "c": FINAL})
    with pytest.raises(WorkflowDefinitionError) as caught:
        import_workflow(text, "xstate", source="m.json")
    found = {(p.line, p.message.split(";")[0]) for p in caught.value.problems}
    assert (_line(text, "no_such_guard"), "unknown guard 'no_such_guard' in transition 'go'") in found
    assert (_line(text, '"b": {}'), "state 'b' is not final and has no way out") in found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "the machine must be an object, got a list"),
        ('{"id": "x", "states": []}', "'states' must be an object of states by key"),
        ('{"states": {"a": {"on": []}}}', "'on' of state 'a' must be an object"),
    ],
)
def test_a_json_document_that_is_not_a_machine_is_refused(text: str, message: str) -> None:
    """Valid JSON of another shape is an InterchangeError that says what was expected."""
    with pytest.raises(InterchangeError, match=message):
        read_xstate(text)


def test_a_timed_transition_is_a_named_delay_of_its_state() -> None:
    """`approve_tacitly` is under `after`, named after its trigger, with its timer in meta.after
    and its guard as usual; it is not an event of `on`."""
    machine = to_xstate(load_workflow("freelance-mission"))
    states = machine["states"]
    assert isinstance(states, dict)
    revisions = states["revisions"]
    assert "approve_tacitly" not in revisions["on"]
    tacit = revisions["after"]["approve_tacitly"]
    assert tacit["target"] == "approved"
    assert tacit["guard"]["params"]["guards"] == [{"name": "deliverables_complete", "params": {}}]
    assert tacit["meta"]["after"] == {
        "days": {"fact": "acceptance_days"},
        "since_last": ["deliver"],
        "unless_fired_since": ["request_revision"],
    }
    assert set(states["invoiced"]["after"]) == {
        "remind_payment",
        "remind_payment_again",
        "send_formal_notice",
    }
    assert "reenter" not in states["contract_signed"]["after"]["remind_deposit"]


def test_a_handwritten_delayed_transition_is_read_back_as_a_timer() -> None:
    """A delay named after a trigger, with its timer in meta.after, is a timed transition; an
    invalid timer is the validator's problem, on its JSON line."""
    text = _machine(
        {
            "a": {"on": {"go": "b"}, "after": {"expire": {"target": "b", "meta": {"after": {"hours": 48}}}}},
            "b": FINAL,
        }
    )
    expire = read_xstate(text).transition("a", "expire")
    assert expire is not None
    assert (expire.dest, expire.after is not None and expire.after.delay_text) == ("b", "48 hours")
    bad = text.replace('"hours": 48', '"hours": 0')
    with pytest.raises(WorkflowDefinitionError) as caught:
        read_xstate(bad, source="m.json")
    [problem] = caught.value.problems
    assert (problem.line, problem.message) == (
        _line(bad, '"hours": 0'),
        "the hours of transition 'expire' must be a whole number from 1 or {fact: name}, got a number (0)",
    )
