"""Lifecycle diagrams: the dot and mermaid text are parsed back and compared with the definition."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from missionflow import (
    DiagramRenderError,
    InvalidValueError,
    Money,
    TransitionRecord,
    WorkflowDefinition,
    fire,
    parse_workflow,
    triggers,
)
from missionflow.diagrams import (
    DIAGRAM_FORMATS,
    generate_workflow_diagrams,
    render_diagram,
    workflow_diagram,
    write_diagram,
)
from missionflow.freelance import (
    Client,
    Contract,
    CriterionAnswer,
    Deliverable,
    Mission,
    Payment,
    Settings,
    Specification,
)
from missionflow.reports import mission_diagram
from missionflow.workflow import StateKind, get_guard, load_workflow_file, shipped_workflow_dir

ROOT = Path(__file__).resolve().parents[1]
DIAGRAMS = ROOT / "diagrams"
START = "__start__"
AT = datetime(2026, 12, 12, 9, tzinfo=UTC)


def _shipped() -> list[WorkflowDefinition]:
    """The newest version of each workflow file shipped with missionflow, by name."""
    latest: dict[str, WorkflowDefinition] = {}
    for path in sorted(shipped_workflow_dir().glob("*.yaml")):
        definition = load_workflow_file(path)
        if definition.name not in latest or definition.version > latest[definition.name].version:
            latest[definition.name] = definition
    return [latest[name] for name in sorted(latest)]


SHIPPED = _shipped()
SHIPPED_IDS = [d.name for d in SHIPPED]
FREELANCE = next(d for d in SHIPPED if d.name == "freelance-mission")


def _require_dot() -> None:
    """Skip when Graphviz's dot is missing, except under CI=true where it must be installed."""
    if shutil.which("dot") is not None:
        return
    message = "Graphviz's dot program is missing: apt-get install graphviz (or brew install graphviz)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; it is required under CI=true")
    pytest.skip(message)


# --- a small reader of the DOT language (the subset a digraph of statements uses) ----------

_DOT_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<arrow>->)|(?P<punct>[\[\]{}=,;])|(?P<word>[A-Za-z0-9_.\-]+))',
    re.DOTALL,
)
_DOT_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "l": "\n", "r": "\n"}


@dataclass
class DotGraph:
    """What a DOT text declares: nodes with attributes, edges in order, default attributes."""

    name: str
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    defaults: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def edge(self, key: str) -> tuple[str, str, dict[str, str]]:
        """The edge whose id attribute is ``key``."""
        found = [e for e in self.edges if e[2].get("id") == key]
        assert len(found) == 1, f"{len(found)} edges with id {key!r}"
        return found[0]

    def transitions(self) -> list[tuple[str, str, dict[str, str]]]:
        """Every edge except the arrow from the start point."""
        return [e for e in self.edges if e[0] != START]


def _dot_tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos, text = [], 0, text.rstrip()
    while pos < len(text):
        match = _DOT_TOKEN.match(text, pos)
        assert match is not None, f"unreadable DOT at {pos}: {text[pos : pos + 40]!r}"
        pos = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", lambda m: _DOT_ESCAPES.get(m[1], "\\" + m[1]), value[1:-1])
            kind = "word"
        tokens.append((kind, value))
    return tokens


def parse_dot(text: str) -> DotGraph:
    """Read node and edge statements (with attribute lists) from a ``digraph``."""
    tokens = _dot_tokens(text)
    assert tokens[0] == ("word", "digraph"), tokens[:2]
    graph = DotGraph(tokens[1][1])
    assert tokens[2] == ("punct", "{")
    assert tokens[-1] == ("punct", "}")
    pos = 3

    def attrs() -> dict[str, str]:
        nonlocal pos
        found: dict[str, str] = {}
        if tokens[pos] != ("punct", "["):
            return found
        pos += 1
        while tokens[pos] != ("punct", "]"):
            name, equals, value = tokens[pos], tokens[pos + 1], tokens[pos + 2]
            assert (name[0], equals, value[0]) == ("word", ("punct", "="), "word"), tokens[pos : pos + 3]
            found[name[1]] = value[1]
            pos += 3
            if tokens[pos] == ("punct", ","):
                pos += 1
        pos += 1
        return found

    while pos < len(tokens) - 1:
        kind, word = tokens[pos]
        if (kind, word) in (("punct", ";"), ("punct", "{"), ("punct", "}")):
            pos += 1  # anonymous subgraphs only group statements
            continue
        assert kind == "word", f"unexpected {word!r}"
        pos += 1
        if word in ("graph", "node", "edge") and tokens[pos] == ("punct", "["):
            graph.defaults[word].update(attrs())
        elif tokens[pos] == ("arrow", "->"):
            dest = tokens[pos + 1][1]
            pos += 2
            graph.edges.append((word, dest, attrs()))
        elif tokens[pos] == ("punct", "="):
            graph.defaults["graph"][word] = tokens[pos + 1][1]
            pos += 2
        else:
            graph.nodes.setdefault(word, {}).update(attrs())
    for source, dest, _ in graph.edges:
        assert {source, dest} <= set(graph.nodes), f"edge {source} -> {dest} to an undeclared node"
    return graph


def _classes(attrs: dict[str, str]) -> set[str]:
    return set(attrs.get("class", "").split())


def _flat(text: str) -> str:
    """A label with its line breaks (wrapping) turned into single spaces."""
    return " ".join(text.split())


# --- a reader of the mermaid stateDiagram-v2 lines missionflow writes --------------------------


@dataclass
class MermaidGraph:
    """States with their names, transitions with their text, classes with their members."""

    title: str
    states: dict[str, str] = field(default_factory=dict)
    transitions: list[tuple[str, str, str]] = field(default_factory=list)
    classes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def text(self, source: str, dest: str, trigger: str) -> str:
        """The text of the transition ``trigger`` from ``source`` to ``dest``."""
        found = [t for s, d, t in self.transitions if (s, d) == (source, dest) and f"({trigger})" in t]
        found = found or [
            t for s, d, t in self.transitions if (s, d) == (source, dest) and t.startswith(trigger)
        ]
        assert len(found) == 1, f"{len(found)} transitions {source} --> {dest} for {trigger}"
        return found[0]


def _mermaid_decode(text: str) -> str:
    # Mermaid's own grammar ends a transition text at ':' ';' and would read '#' as the start of
    # an entity code: the raw text must not contain them.
    entity = re.compile(r"#(\d+|quot);")
    assert not re.search(r"[:;\"#]", entity.sub("", text)), f"unescaped character in {text!r}"
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), text).replace("#quot;", '"')


def parse_mermaid(text: str) -> MermaidGraph:
    """Read states, ``a --> b : text`` transitions and ``class`` lines; refuse any other line."""
    lines = text.splitlines()
    assert (lines[0], lines[2], lines[3]) == ("---", "---", "stateDiagram-v2"), lines[:4]
    graph = MermaidGraph(json.loads(lines[1].removeprefix("title: ")))
    for line in lines[4:]:
        stripped = line.strip()
        if match := re.fullmatch(r'state "([^"]*)" as (\w+)', stripped):
            graph.states[match[2]] = _mermaid_decode(match[1])
        elif match := re.fullmatch(r"(\[\*\]|\w+) --> (\[\*\]|\w+)(?: : (.+))?", stripped):
            graph.transitions.append((match[1], match[2], _mermaid_decode(match[3] or "")))
        elif match := re.fullmatch(r"class (\w+(?:,\w+)*) (\w+)", stripped):
            graph.classes[match[2]].update(match[1].split(","))
        else:
            assert re.fullmatch(r"direction (TB|LR)|classDef \w+ \S+", stripped), f"unexpected line {line!r}"
    return graph


# --- what the definitions say ----------------------------------------------------------------


def _expected_edges(definition: WorkflowDefinition) -> list[tuple[str, str, str]]:
    return sorted((s, t.dest_from(s), t.trigger) for t in definition.transitions for s in t.sources)


def _head(definition: WorkflowDefinition, trigger: str, lang: str) -> str:
    """The first line of a transition's text: its label then its trigger, or the trigger alone."""
    transition = next(t for t in definition.transitions if t.trigger == trigger)
    return f"{transition.label.in_lang(lang)} ({trigger})" if transition.label else trigger


def _guard_words(definition: WorkflowDefinition, trigger: str, lang: str) -> list[str]:
    transition = next(t for t in definition.transitions if t.trigger == trigger)
    words = []
    for ref in transition.guards:
        spec = get_guard(ref.name)
        assert spec is not None
        words.append(spec.describe(lang))
    return words


# --- workflow diagrams -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("definition", SHIPPED, ids=SHIPPED_IDS)
def test_dot_has_every_state_and_transition(definition: WorkflowDefinition, lang: str) -> None:
    """The DOT text declares each state with its label and each transition with its trigger and guards."""
    graph = parse_dot(render_diagram(workflow_diagram(definition, lang=lang), "dot").decode("utf-8"))

    assert set(graph.nodes) - {START} == set(definition.state_ids)
    for state in definition.states:
        assert graph.nodes[state.id]["label"] == state.label.in_lang(lang)
    assert [e[:2] for e in graph.edges if e[0] == START] == [(START, definition.initial)]

    found = []
    for source, dest, attrs in graph.transitions():
        head, *rest = attrs["label"].split("\n")
        trigger = attrs["id"].split("--")[1]
        assert attrs["id"] == f"{source}--{trigger}"
        assert head == _head(definition, trigger, lang)
        for words in _guard_words(definition, trigger, lang):
            assert words in _flat(" ".join(rest)), f"{trigger}: guard {words!r} missing"
        found.append((source, dest, trigger))
    assert sorted(found) == _expected_edges(definition)


@pytest.mark.parametrize("definition", SHIPPED, ids=SHIPPED_IDS)
def test_dot_styles_initial_final_and_exit_states_apart(definition: WorkflowDefinition) -> None:
    """Final states have a double border, exit states and the transitions into them another colour;
    a timed transition alone is dotted (dashes are kept for blocked transitions of a mission)."""
    graph = parse_dot(render_diagram(workflow_diagram(definition), "dot").decode("utf-8"))
    node_ink = graph.defaults["node"]["color"]
    edge_ink = graph.defaults["edge"]["color"]
    for state in definition.states:
        attrs = graph.nodes[state.id]
        exit_state = state.kind is StateKind.EXIT
        assert ("initial" in _classes(attrs)) == (state.id == definition.initial)
        assert ("final" in _classes(attrs)) == state.final
        assert (attrs.get("peripheries") == "2") == state.final
        assert ("exit" in _classes(attrs)) == exit_state
        assert (attrs.get("color", node_ink) != node_ink) == exit_state
    exits = {s.id for s in definition.states if s.kind is StateKind.EXIT}
    timed = {f"{source}--{t.trigger}" for t in definition.transitions if t.timed for source in t.sources}
    for _, dest, attrs in graph.transitions():
        assert (attrs.get("color", edge_ink) != edge_ink) == (dest in exits)
        assert attrs.get("style") == ("dotted" if attrs["id"] in timed else None)
        assert ("timed" in _classes(attrs)) == (attrs["id"] in timed)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("definition", SHIPPED, ids=SHIPPED_IDS)
def test_mermaid_has_every_state_and_transition(definition: WorkflowDefinition, lang: str) -> None:
    """The mermaid text names each state and has one labelled ``a --> b`` line per transition."""
    graph = parse_mermaid(render_diagram(workflow_diagram(definition, lang=lang), "mermaid").decode("utf-8"))

    assert graph.states == {s.id: s.label.in_lang(lang) for s in definition.states}
    assert ("[*]", definition.initial, "") in graph.transitions
    assert sorted(s for s, d, _ in graph.transitions if d == "[*]") == sorted(definition.final_states)
    assert graph.classes["exit"] == {s.id for s in definition.states if s.kind is StateKind.EXIT}

    found = []
    for source, dest, text in graph.transitions:
        if "[*]" in (source, dest):
            continue
        trigger = next(
            t.trigger
            for t in definition.transitions
            if source in t.sources
            and (
                text == _head(definition, t.trigger, lang)
                or text.startswith(_head(definition, t.trigger, lang) + " [")
                or text.startswith(_head(definition, t.trigger, lang) + " ⏱ ")
            )
        )
        for words in _guard_words(definition, trigger, lang):
            assert words in text, f"{trigger}: guard {words!r} missing from {text!r}"
        found.append((source, dest, trigger))
    assert sorted(found) == _expected_edges(definition)


def test_french_labels_appear_with_lang_fr() -> None:
    """With lang="fr" states, transitions and guards are in French; English is the default."""
    french = render_diagram(workflow_diagram(FREELANCE, lang="fr"), "dot").decode("utf-8")
    english = render_diagram(workflow_diagram(FREELANCE), "dot").decode("utf-8")
    for text in ("Vérification des critères", "Qualifier le prospect (qualify)", "client non bloqué"):
        assert text in french
        assert text not in english
    mermaid = parse_mermaid(render_diagram(workflow_diagram(FREELANCE, lang="fr"), "mermaid").decode("utf-8"))
    assert mermaid.states["deposit_received"] == "Acompte reçu"
    assert "Confirmer l'acompte (confirm_deposit) [acompte reçu]" in mermaid.text(
        "contract_signed", "deposit_received", "confirm_deposit"
    )


def test_unknown_language_is_refused() -> None:
    """A language other than en and fr is an InvalidValueError on the lang field."""
    with pytest.raises(InvalidValueError) as caught:
        workflow_diagram(FREELANCE, lang="de")
    assert caught.value.field == "lang"


def test_special_characters_are_escaped_for_both_languages() -> None:
    """Quotes, colons, semicolons and backslashes in labels survive dot and mermaid unchanged."""
    definition = parse_workflow(
        """
name: odd
version: 1
title: 'Odd "quoted" title'
description: x
initial: start
states:
  - id: start
    label: {en: 'Say "hi"; then: go', fr: 'a\\b #1'}
  - id: done
    label: {en: Done, fr: Fini}
    final: true
transitions:
  - trigger: go
    source: start
    dest: done
    label: {en: 'Go: now; #1 "fast"', fr: Aller}
"""
    )
    graph = parse_dot(render_diagram(workflow_diagram(definition), "dot").decode("utf-8"))
    assert graph.nodes["start"]["label"] == 'Say "hi"; then: go'
    assert graph.edge("start--go")[2]["label"] == 'Go: now; #1 "fast" (go)'
    french = parse_dot(render_diagram(workflow_diagram(definition, lang="fr"), "dot").decode("utf-8"))
    assert french.nodes["start"]["label"] == "a\\b #1"
    mermaid = parse_mermaid(render_diagram(workflow_diagram(definition), "mermaid").decode("utf-8"))
    assert mermaid.title == 'Odd "quoted" title · odd@1'
    assert mermaid.states["start"] == 'Say "hi"; then: go'
    assert mermaid.transitions[1] == ("start", "done", 'Go: now; #1 "fast" (go)')


# --- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_text_rendering_is_byte_identical(fmt: str) -> None:
    """The same definition, read twice into new objects, renders to the same bytes."""
    text = (shipped_workflow_dir() / "freelance-mission.yaml").read_text(encoding="utf-8")
    first = render_diagram(workflow_diagram(parse_workflow(text), lang="fr"), fmt)
    second = render_diagram(workflow_diagram(parse_workflow(text), lang="fr"), fmt)
    assert first == second
    mission = _mission_in_revisions()
    assert render_diagram(mission_diagram(mission, at=AT), fmt) == render_diagram(
        mission_diagram(mission, at=AT), fmt
    )


def test_text_rendering_does_not_depend_on_the_hash_seed() -> None:
    """Two interpreters with different hash seeds write the same dot and mermaid text."""
    code = (
        "import sys\n"
        "from missionflow import load_workflow\nfrom missionflow.diagrams import render_diagram, workflow_diagram\n"
        f"for name in {SHIPPED_IDS!r}:\n"
        "    for fmt in ('dot', 'mermaid'):\n"
        "        sys.stdout.buffer.write(render_diagram(workflow_diagram(load_workflow(name), lang='fr'), fmt))\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert b"digraph coaching" in outputs[0]


# --- mission diagrams ------------------------------------------------------------------------


def _mission_in_revisions() -> Mission:
    """A freelance mission walked to its first revision round, one step a day."""
    mission = Mission(
        ref="M-7", title="Logo redesign", workflow="freelance-mission", state="lead", client=Client("Acme")
    )
    fire(mission, "qualify", actor="me", at=datetime(2026, 11, 24, 10, tzinfo=UTC))
    for name in ("budget_fits", "respectful", "clear_need"):
        mission.criteria_answers[name] = CriterionAnswer(name, True)
    fire(mission, "accept", actor="me", at=datetime(2026, 11, 25, 10, tzinfo=UTC))
    budget = Money.of("4500", "EUR")
    mission.specification = Specification("A logo", (Deliverable("logo"),), date(2027, 1, 30), budget, "ok")
    mission.contract = Contract(budget, "v1", date(2026, 11, 28))
    fire(mission, "sign_contract", actor="me", at=datetime(2026, 11, 28, 10, tzinfo=UTC))
    mission.payments.append(Payment(Money.of("1350", "EUR"), date(2026, 12, 1)))
    fire(mission, "confirm_deposit", actor="me", at=datetime(2026, 12, 1, 10, tzinfo=UTC))
    fire(mission, "start_work", actor="me", at=datetime(2026, 12, 2, 10, tzinfo=UTC))
    fire(
        mission,
        "deliver",
        actor="me",
        at=datetime(2026, 12, 10, 10, tzinfo=UTC),
        data={"deliverable": "logo"},
    )
    fire(mission, "request_revision", actor="me", at=datetime(2026, 12, 11, 10, tzinfo=UTC))
    return mission


_STEP = re.compile(r"\d+\. \w+ \d{4}-\d{2}-\d{2}")


def test_mission_dot_marks_the_current_state_and_the_dated_path() -> None:
    """Only the current state is highlighted; each step of the history is on its edge with its date."""
    mission = _mission_in_revisions()
    graph = parse_dot(render_diagram(mission_diagram(mission, at=AT), "dot").decode("utf-8"))

    current = [n for n, attrs in graph.nodes.items() if "current" in _classes(attrs)]
    assert current == ["revisions"]
    assert graph.nodes["revisions"]["penwidth"] == "3"
    assert graph.nodes["revisions"]["fillcolor"] != graph.nodes["approved"].get("fillcolor", "")
    visited = {n for n, attrs in graph.nodes.items() if "visited" in _classes(attrs)}
    assert visited == {r.source for r in mission.history} | {mission.state}

    expected: dict[str, list[str]] = defaultdict(list)
    for number, record in enumerate(mission.history, start=1):
        expected[f"{record.source}--{record.trigger}"].append(
            f"{number}. {record.trigger} {record.at.date().isoformat()}"
        )
    assert expected["lead--qualify"] == ["1. qualify 2026-11-24"]
    for _, _, attrs in graph.transitions():
        steps = [line for line in attrs["label"].split("\n") if _STEP.fullmatch(line)]
        assert steps == expected.get(attrs["id"], []), attrs["id"]
        assert ("taken" in _classes(attrs)) == bool(steps)


def test_mission_dot_draws_allowed_transitions_solid_and_blocked_ones_dashed_with_the_reason() -> None:
    """From the current state, allowed triggers are solid and blocked ones dashed with the first reason."""
    mission = _mission_in_revisions()
    options = {o.trigger: o for o in triggers(mission, at=AT)}
    assert {t for t, o in options.items() if o.allowed} == {"approve"}
    graph = parse_dot(render_diagram(mission_diagram(mission, at=AT), "dot").decode("utf-8"))

    for source, _, attrs in graph.transitions():
        trigger = attrs["id"].split("--")[1]
        option = options.get(trigger) if source == mission.state else None
        if option is None:
            assert attrs.get("style") is None
            assert not _classes(attrs) & {"possible", "blocked"}
        elif option.allowed:
            assert attrs["style"] == "solid"
            assert {"possible", "allowed"} <= _classes(attrs)
            assert "blocked" not in attrs["label"]
        else:
            assert attrs["style"] == "dashed"
            assert "blocked" in _classes(attrs)
            assert f"blocked — {option.reasons[0]}" in _flat(attrs["label"])


def test_blocked_transition_shows_only_the_first_reason() -> None:
    """When several guards refuse, the diagram gives the first reason, in dot and in mermaid."""
    mission = Mission(
        ref="M-8",
        workflow="freelance-mission",
        state="criteria_check",
        client=Client("Bad", blocked=True, blocked_reason="unpaid invoices"),
    )
    (accept,) = [o for o in triggers(mission, at=AT) if o.trigger == "accept"]
    first, second, *_ = accept.reasons
    drawing = mission_diagram(mission, at=AT)
    label = _flat(
        parse_dot(render_diagram(drawing, "dot").decode("utf-8")).edge("criteria_check--accept")[2]["label"]
    )
    assert first in label
    assert second not in label
    text = parse_mermaid(render_diagram(drawing, "mermaid").decode("utf-8")).text(
        "criteria_check", "specification", "accept"
    )
    assert text.endswith(f"(blocked — {first})")


def test_mission_mermaid_marks_the_current_state_path_and_options() -> None:
    """The mermaid text puts the current state in the current class and writes steps and options in words."""
    mission = _mission_in_revisions()
    graph = parse_mermaid(
        render_diagram(mission_diagram(mission, at=AT, lang="fr"), "mermaid").decode("utf-8")
    )
    assert graph.classes["current"] == {"revisions"}
    assert "approved" not in graph.classes["visited"]
    assert graph.title == "M-7 — Logo redesign · Freelance mission (freelance-mission@1)"
    assert graph.text("lead", "criteria_check", "qualify").endswith("— 1. qualify 2026-11-24")
    assert graph.text("in_progress", "in_progress", "deliver").endswith("— 6. deliver 2026-12-10")
    assert graph.text("revisions", "approved", "approve").endswith("(possible maintenant)")
    assert graph.text("revisions", "terminated", "terminate").endswith(
        "(bloqué — a reason is required (give it as the note))"
    )
    assert "possible" not in graph.text("in_progress", "approved", "approve")


def test_step_dates_are_days_in_the_freelancers_time_zone() -> None:
    """A step fired at 23:30 UTC is dated the next day in Paris and the same day in UTC."""
    mission = Mission(ref="M-9", workflow="freelance-mission", state="lead", client=Client("Acme"))
    fire(mission, "qualify", at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    paris = mission_diagram(mission, Settings(timezone="Europe/Paris"), at=AT)
    utc = mission_diagram(mission, Settings(timezone="UTC"), at=AT)
    assert [s.text for e in paris.edges for s in e.steps] == ["1. qualify 2026-11-25"]
    assert [s.text for e in utc.edges for s in e.steps] == ["1. qualify 2026-11-24"]


def test_history_outside_the_definition_is_still_drawn() -> None:
    """A recorded step with no transition in the definition gets its own dated edge."""
    mission = Mission(ref="M-10", workflow="freelance-mission", state="specification", client=Client("Acme"))
    mission.history.append(
        TransitionRecord("fast_track", "lead", "specification", "me", datetime(2026, 11, 2, 9, tzinfo=UTC))
    )
    graph = parse_dot(render_diagram(mission_diagram(mission, at=AT), "dot").decode("utf-8"))
    source, dest, attrs = graph.edge("lead--fast_track")
    assert (source, dest) == ("lead", "specification")
    assert attrs["label"].split("\n") == ["fast_track", "1. fast_track 2026-11-02"]


# --- formats and files -----------------------------------------------------------------------


def test_unknown_format_is_refused() -> None:
    """render_diagram and write_diagram refuse formats and suffixes they do not know."""
    drawing = workflow_diagram(FREELANCE)
    with pytest.raises(InvalidValueError) as caught:
        render_diagram(drawing, "jpeg")
    assert caught.value.field == "format"
    assert "dot, mermaid, svg, png, pdf" in str(caught.value)
    with pytest.raises(InvalidValueError, match="suffix"):
        write_diagram(drawing, "lifecycle.txt")


def test_write_diagram_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    """.dot/.gv give DOT, .mmd/.mermaid give mermaid (any case), and an explicit format wins."""
    drawing = workflow_diagram(FREELANCE)
    dot, mermaid = render_diagram(drawing, "dot"), render_diagram(drawing, "mermaid")
    for name, expected in (("a.dot", dot), ("b.GV", dot), ("c.mmd", mermaid), ("d.mermaid", mermaid)):
        written = write_diagram(drawing, tmp_path / "nested" / name)
        assert written == tmp_path / "nested" / name
        assert written.read_bytes() == expected
    assert write_diagram(drawing, tmp_path / "e.txt", "mermaid").read_bytes() == mermaid
    assert set(DIAGRAM_FORMATS) == {"dot", "mermaid", "svg", "png", "pdf"}


def test_missing_dot_raises_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without dot on PATH, svg fails with how to install Graphviz, writes nothing, and text still works."""
    monkeypatch.setenv("PATH", str(tmp_path))
    drawing = workflow_diagram(FREELANCE)
    with pytest.raises(DiagramRenderError) as caught:
        render_diagram(drawing, "svg")
    message = str(caught.value)
    assert "install Graphviz: apt-get install graphviz / brew install graphviz" in message
    assert "--format dot" in message
    assert "mermaid" in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__

    with pytest.raises(DiagramRenderError):
        write_diagram(drawing, tmp_path / "out" / "lifecycle.png")
    with pytest.raises(DiagramRenderError):
        generate_workflow_diagrams(tmp_path / "diagrams", SHIPPED)
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "diagrams").exists()
    assert render_diagram(drawing, "mermaid").startswith(b"---\n")


def test_require_dot_skips_locally_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The helper of the graphviz tests skips with the install command, but fails when CI=true."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install graphviz"):
        _require_dot()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install graphviz"):
        _require_dot()


@pytest.mark.graphviz
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_svg_is_a_document_with_every_state_label(lang: str) -> None:
    """Graphviz's SVG parses as XML, has an svg root and shows every state label."""
    _require_dot()
    svg = render_diagram(workflow_diagram(FREELANCE, lang=lang), "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    for state in FREELANCE.states:
        assert state.label.in_lang(lang) in texts
    assert render_diagram(workflow_diagram(FREELANCE, lang=lang), "svg") == svg


@pytest.mark.graphviz
def test_mission_svg_keeps_the_current_class_and_binary_formats_render() -> None:
    """The current state keeps its class in SVG (for CSS); png and pdf come out with their signatures."""
    _require_dot()
    drawing = mission_diagram(_mission_in_revisions(), at=AT)
    root = ET.fromstring(render_diagram(drawing, "svg"))
    ns = "{http://www.w3.org/2000/svg}"
    current = [g for g in root.iter(f"{ns}g") if "current" in g.get("class", "").split()]
    assert [g.findtext(f"{ns}title") for g in current] == ["revisions"]
    assert render_diagram(drawing, "png").startswith(b"\x89PNG")
    assert render_diagram(drawing, "pdf").startswith(b"%PDF")


@pytest.mark.graphviz
@pytest.mark.parametrize("definition", SHIPPED, ids=SHIPPED_IDS)
def test_dot_reader_agrees_with_graphviz(definition: WorkflowDefinition) -> None:
    """Graphviz itself reads the same nodes, edges and labels from the DOT text as the test's reader."""
    _require_dot()
    text = render_diagram(workflow_diagram(definition), "dot").decode("utf-8")
    ours = parse_dot(text)
    read = json.loads(
        subprocess.run(["dot", "-Tjson0"], input=text, capture_output=True, text=True, check=True).stdout
    )
    names = [o["name"] for o in read["objects"]]
    assert sorted(names) == sorted(ours.nodes)
    for obj in read["objects"]:
        assert obj.get("label", "\\N").replace("\\n", "\n") in (
            ours.nodes[obj["name"]].get("label", ""),
            "\\N",
        )
    theirs = sorted((names[e["tail"]], names[e["head"]], e.get("id", "")) for e in read["edges"])
    assert theirs == sorted((s, d, a.get("id", "")) for s, d, a in ours.edges)


# --- the committed diagrams ------------------------------------------------------------------

STALE = "diagrams/{name} is not current: run `make diagrams` and commit the result"


@pytest.mark.parametrize(("suffix", "fmt"), [(".dot", "dot"), (".mmd", "mermaid")])
@pytest.mark.parametrize("definition", SHIPPED, ids=SHIPPED_IDS)
def test_committed_text_diagrams_are_current(
    definition: WorkflowDefinition, suffix: str, fmt: str, tmp_path: Path
) -> None:
    """diagrams/<workflow>.dot and .mmd are what the current code and definition produce."""
    fresh = write_diagram(workflow_diagram(definition), tmp_path / f"{definition.name}{suffix}", fmt)
    committed = DIAGRAMS / fresh.name
    assert committed.is_file(), STALE.format(name=fresh.name)
    assert committed.read_bytes() == fresh.read_bytes(), STALE.format(name=fresh.name)


def test_diagrams_folder_holds_exactly_the_shipped_workflows() -> None:
    """diagrams/ has an svg, mmd and dot file per shipped workflow and nothing stale."""
    expected = {f"{d.name}{suffix}" for d in SHIPPED for suffix in (".svg", ".mmd", ".dot")}
    found = {p.name for p in DIAGRAMS.iterdir()}
    assert found == expected, (
        f"diagrams/ differs (missing {expected - found}, extra {found - expected}): run `make diagrams`"
    )


@pytest.mark.graphviz
def test_committed_svg_diagrams_are_current(tmp_path: Path) -> None:
    """Regenerating every diagram gives the committed bytes (SVG when the Graphviz version is the same)."""
    _require_dot()
    written = generate_workflow_diagrams(tmp_path, SHIPPED)
    assert sorted(p.name for p in written) == sorted(
        f"{d.name}{suffix}" for d in SHIPPED for suffix in (".svg", ".mmd", ".dot")
    )
    for fresh in written:
        assert (DIAGRAMS / fresh.name).is_file(), STALE.format(name=fresh.name)
    svgs = [p for p in written if p.suffix == ".svg"]
    for fresh in [p for p in written if p.suffix != ".svg"]:
        assert (DIAGRAMS / fresh.name).read_bytes() == fresh.read_bytes(), STALE.format(name=fresh.name)
    version = re.compile(rb"Generated by graphviz version ([^\n]*)")
    for fresh in svgs:
        made, committed = (
            version.search(fresh.read_bytes()),
            version.search((DIAGRAMS / fresh.name).read_bytes()),
        )
        if made is None or committed is None or made[1] != committed[1]:
            pytest.skip("the committed SVGs come from another Graphviz version, whose layout differs")
        assert (DIAGRAMS / fresh.name).read_bytes() == fresh.read_bytes(), STALE.format(name=fresh.name)


@pytest.mark.graphviz
def test_generator_script_writes_every_known_workflow(tmp_path: Path) -> None:
    """scripts/generate_diagrams.py writes the three files of each shipped workflow where -o says."""
    _require_dot()
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_diagrams.py"), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {f"{d.name}{s}" for d in SHIPPED for s in (".svg", ".mmd", ".dot")} <= names
    assert (tmp_path / "coaching.dot").read_bytes() == (DIAGRAMS / "coaching.dot").read_bytes()
