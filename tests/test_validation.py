"""The strict validator: every kind of mistake in a workflow file is named with its file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missionflow import Workflow, WorkflowDefinition, WorkflowDefinitionError, parse_workflow
from missionflow.errors import DefinitionProblem
from missionflow.workflow import StateKind, load_workflow_file, shipped_workflow_dir

MACHINES = Path(__file__).parent / "machines"
INVALID = MACHINES / "invalid"
VALID = MACHINES / "valid"

REAL_TEXT = (shipped_workflow_dir() / "freelance-mission.yaml").read_text(encoding="utf-8")
REAL_LINES = REAL_TEXT.splitlines()

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def problems_of(name: str) -> tuple[DefinitionProblem, ...]:
    """Load ``tests/machines/invalid/<name>`` and return the problems it must raise."""
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(INVALID / name)
    return caught.value.problems


def load_or_problems(load: Callable[[], WorkflowDefinition]) -> tuple[DefinitionProblem, ...] | None:
    """Run ``load``: None when it loads (and compiles), else the problems it raised.

    Any other exception escapes, which is what the robustness tests look for.
    """
    try:
        definition = load()
    except WorkflowDefinitionError as exc:
        return exc.problems
    Workflow(definition)
    return None


def assert_loads_or_explains(text: str, source: str = "fuzz.yaml") -> None:
    """Parse ``text``: it either loads (and compiles) or every problem has a file, a line and words."""
    problems = load_or_problems(lambda: parse_workflow(text, source))
    if problems is None:
        return
    assert problems
    last_line = len(text.splitlines()) + 1
    for problem in problems:
        assert problem.file == source
        assert isinstance(problem.line, int)
        assert 0 <= problem.line <= last_line, problem
        assert problem.message.strip()


# One case per kind of mistake: (file, line of the problem, words the message must contain).
CASES = [
    ("unknown_top_key.yaml", 4, "unknown key 'author' in the workflow"),
    ("unknown_state_key.yaml", 8, "unknown key 'colour' in a state"),
    ("unknown_transition_key.yaml", 12, "unknown key 'conditions' in a transition"),
    ("unknown_source.yaml", 10, "transition 'finish' leaves from unknown state 'leed'"),
    ("unknown_dest.yaml", 14, "transition 'stop' goes to unknown state 'dnoe'"),
    ("unknown_guard.yaml", 14, "unknown guard 'moon_is_full' in transition 'finish'"),
    ("guard_unknown_param.yaml", 13, "guard 'lead_time_respected' has no parameter 'minimum_weeks'"),
    ("guard_param_type.yaml", 13, "parameter 'minimum_days' of guard 'lead_time_respected' must be int"),
    ("duplicate_trigger_source.yaml", 14, "trigger 'finish' from state 'lead' is already defined on line 11"),
    ("unreachable_state.yaml", 6, "state 'limbo' cannot be reached from the initial state 'lead'"),
    ("dead_end_state.yaml", 6, "state 'stuck' is not final and has no way out"),
    ("no_path_to_final.yaml", 5, "no path leads from the initial state 'lead' to a final state"),
    ("no_final_state.yaml", 5, "no state is final"),
    ("trapped_loop.yaml", 6, "no final state can be reached from state 'ping'"),
    ("final_state_left.yaml", 6, "final state 'done' has transitions out of it"),
    ("reserved_trigger.yaml", 13, "trigger 'history' clashes with an attribute of every subject"),
    ("broken_syntax.yaml", 11, "YAML syntax error"),
    ("empty.yaml", 1, "file is empty"),
    ("comments_only.yaml", 1, "file is empty"),
    ("not_a_mapping.yaml", 1, "the workflow must be a mapping of keys to values, got a list"),
    ("duplicate_key.yaml", 12, "duplicate key 'dest'"),
    ("alias_bomb.yaml", 1, "file expands to more than"),
]


@pytest.mark.parametrize(("name", "line", "words"), CASES, ids=[c[0].removesuffix(".yaml") for c in CASES])
def test_each_kind_of_mistake_is_named_with_file_and_line(name: str, line: int, words: str) -> None:
    """Each invalid sample yields a problem naming its file, the exact line and what is wrong."""
    problems = problems_of(name)
    path = str(INVALID / name)
    matching = [p for p in problems if words in p.message]
    assert matching, [str(p) for p in problems]
    assert all(p.file == path for p in problems)
    assert matching[0].line == line
    assert str(matching[0]).startswith(f"{path}:{line}: ")


def test_every_invalid_sample_has_a_case() -> None:
    """Every file under tests/machines/invalid is checked by the table above, so none is forgotten."""
    checked = {c[0] for c in CASES} | {"three_problems.yaml"}
    assert sorted(p.name for p in INVALID.glob("*.yaml")) == sorted(checked)


def test_broken_syntax_names_where_the_unclosed_part_started() -> None:
    """A YAML syntax error also says on which line the unclosed bracket opened."""
    (problem,) = problems_of("broken_syntax.yaml")
    assert "flow sequence started on line 10" in problem.message


def test_three_problems_are_reported_at_once() -> None:
    """A file with three distinct problems yields the three of them in one error."""
    problems = problems_of("three_problems.yaml")
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (4, "unknown key 'owner' in the workflow"),
        (13, "unknown guard 'moon_is_full' in transition 'finish'"),
        (16, "transition 'stop' goes to unknown state 'nowhere'"),
    ]


def test_error_message_lists_every_problem_with_its_place() -> None:
    """The error's text counts the problems and repeats each with file:line."""
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(INVALID / "three_problems.yaml")
    text = str(caught.value)
    assert text.startswith("invalid workflow definition (3 problems)")
    assert f"{INVALID / 'three_problems.yaml'}:16: " in text


def test_yaml_11_words_stay_text() -> None:
    """`on`, `off`, `yes`, `no`, `y`, `n` stay strings: a French label `fr: no` is the word "no"."""
    definition = load_workflow_file(VALID / "yaml11_words.yaml")
    assert definition.title == "no"
    assert definition.description == "on"
    assert definition.initial == "on"
    assert definition.state_ids == ("on", "off")
    assert (definition.states[0].label.in_lang("en"), definition.states[0].label.in_lang("fr")) == (
        "yes",
        "no",
    )
    assert definition.states[0].description == "off"
    (transition,) = definition.transitions
    assert transition.trigger == "yes"
    assert transition.label is not None
    assert (transition.label.in_lang("en"), transition.label.in_lang("fr")) == ("y", "n")


def test_yes_is_not_a_boolean_for_final() -> None:
    """`final: yes` is refused because only true/false are booleans."""
    text = (VALID / "minimal.yaml").read_text(encoding="utf-8").replace("final: true", "final: yes")
    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow(text, "yes.yaml")
    assert any(
        p.line == 10 and "'final' of state 'done' must be true or false, got text ('yes')" in p.message
        for p in caught.value.problems
    )


def test_wildcard_source_means_every_active_state() -> None:
    """`source: '*'` expands to the active, non-final states, in file order."""
    definition = load_workflow_file(VALID / "wildcard.yaml")
    stop = next(t for t in definition.transitions if t.trigger == "stop")
    assert stop.sources == ("lead", "work")
    assert definition.state("stopped").kind is StateKind.EXIT


def test_valid_sample_builds_the_definition() -> None:
    """A valid file becomes a definition that remembers its source and defaults its labels."""
    path = VALID / "minimal.yaml"
    definition = load_workflow_file(path)
    assert (definition.name, definition.version, definition.title) == ("minimal", 1, "minimal")
    assert definition.source == str(path)
    assert definition.state("done").final
    assert definition.state("lead").line == 6
    (finish,) = definition.transitions
    assert (finish.trigger, finish.sources, finish.dest, finish.line) == ("finish", ("lead",), "done", 12)
    assert definition.key == "minimal@1"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: x\nversion: 0\n", "'version' must be a whole number from 1, got a number (0)"),
        ("name: x\nversion: one\n", "'version' must be a whole number from 1, got text ('one')"),
        ("name: Big Name\n", "'name' of the workflow is 'Big Name'"),
        ("name: x\nversion: 1\ninitial: a\nstates: []\n", "'states' must be a non-empty list"),
        (
            "name: x\nversion: 1\ninitial: a\nstates: {a: 1}\n",
            "'states' must be a non-empty list, got a mapping",
        ),
        (
            "name: x\nversion: 1\ninitial: a\nstates: [{id: a}]\ntransitions: 3\n",
            "'transitions' must be a list",
        ),
        (
            "name: x\nversion: 1\ninitial: b\nstates: [{id: a, final: true}]\ntransitions: []\n",
            "initial state 'b'",
        ),
        ("name: x\nversion: 1\ninitial: a\nstates: [a]\ntransitions: []\n", "a state must be a mapping"),
        (
            "name: x\nversion: 1\ninitial: a\nstates: [{id: a, kind: odd}]\n",
            "'kind' of state 'a' must be one of",
        ),
        ("name: x\nversion: 1\ninitial: a\nstates: [{id: a}, {id: a}]\n", "state 'a' is declared twice"),
        ("name: x\nversion: 1\ninitial: a\nstates: [{id: a, label: {fr: A}}]\n", "has no 'en' text"),
        ("name: x\nversion: !!binary aGk=\n", "'version' must be a whole number"),
        ("name: x\nversion: !custom 1\n", "unsupported YAML tag !custom"),
        ("[a]: 1\n", "a key must be plain text"),
        ("name: x\nstates: [{id: a}]\ntransitions: [{trigger: go}]\n", "has no 'source'"),
        (
            "name: x\nstates: [{id: a}]\ntransitions: [{trigger: go, source: a, guards: reason_given}]\n",
            "'guards' of transition 'go' must be a list",
        ),
        (
            "name: x\nstates: [{id: a}]\ntransitions: [{trigger: go, source: a, guards: [{reason_given: 3}]}]\n",
            "the parameters of guard 'reason_given' must be a mapping",
        ),
        (
            "name: x\nstates: [{id: a}]\ntransitions: [{trigger: go, source: a, dest: [a]}]\n",
            "'dest' of transition 'go' must be a state id",
        ),
    ],
)
def test_wrong_types_and_missing_parts_are_explained(text: str, words: str) -> None:
    """Wrong types, missing parts and odd YAML are each reported in words a person can act on."""
    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow(text, "inline.yaml")
    messages = [p.message for p in caught.value.problems]
    assert any(words in m for m in messages), messages
    assert all(p.file == "inline.yaml" and p.line >= 1 for p in caught.value.problems)


def test_a_file_larger_than_the_limit_is_refused() -> None:
    """A file over a megabyte is refused on line 1 without being parsed."""
    text = "# " + "x" * 1_000_001 + "\n"
    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow(text, "huge.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (1, "file is larger than 1,000,000 bytes")


def test_deep_nesting_is_refused_not_crashed() -> None:
    """Ten thousand nested brackets give a problem instead of a RecursionError."""
    assert_loads_or_explains("name: " + "[" * 10_000 + "]" * 10_000 + "\n")


# --- bad input never escapes as a traceback ---------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_TOP_KEYS = st.sampled_from(
    ["name", "version", "title", "description", "initial", "states", "transitions", "extra"]
)
_YAML_WORDS = st.sampled_from(
    [
        "",
        "~",
        "[",
        "]",
        "{",
        "}",
        "*",
        "&a",
        "*a",
        "!!python/object:os.system",
        "!!binary aGk=",
        "'",
        '"',
        "yes",
        "no",
        "on",
        "1e309",
        "-1",
        "0",
        "0x1F",
        "1:20",
        "2024-01-01",
        "[lead, nowhere]",
        "{a: 1}",
        "- x",
        "*",
        "history",
        "reason_given",
        "{minimum_days: x}",
        "\t",
        "%YAML 1.1",
        "---",
        "...",
        "|",
        ">",
        "? x",
    ]
)


@st.composite
def _mutated_real_file(draw: st.DrawFn) -> str:
    """The shipped freelance-mission.yaml with a few lines deleted, duplicated, swapped or replaced."""
    lines = list(REAL_LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        if not lines:
            break
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        op = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "value", "insert", "indent", "dedent", "truncate"]
            )
        )
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "value":
            key, sep, _ = lines[i].partition(":")
            new = draw(_YAML_WORDS | st.text(max_size=15))
            lines[i] = f"{key}: {new}" if sep else new
        elif op == "insert":
            lines.insert(i, draw(_YAML_WORDS | st.text(max_size=40)))
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][2:]
        else:
            lines = lines[:i]
            lines.append(lines[-1][: draw(st.integers(0, 20))] if lines else "")
    return "\n".join(lines) + "\n"


def _mutate_tree(draw: st.DrawFn, tree: object) -> object:
    """Delete or replace one value somewhere in a parsed YAML tree (keys missing, types wrong)."""
    if isinstance(tree, dict) and tree and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(tree)))
        copy = dict(tree)
        if draw(st.booleans()):
            del copy[key]
        else:
            copy[key] = _mutate_tree(draw, tree[key])
        return copy
    if isinstance(tree, list) and tree and draw(st.booleans()):
        i = draw(st.integers(min_value=0, max_value=len(tree) - 1))
        copy_list = list(tree)
        if draw(st.booleans()):
            del copy_list[i]
        else:
            copy_list[i] = _mutate_tree(draw, tree[i])
        return copy_list
    return draw(_VALUES)


@st.composite
def _mutated_real_tree(draw: st.DrawFn) -> str:
    """The real workflow, parsed, with some values deleted or swapped for random ones, dumped back."""
    tree: object = yaml.safe_load(REAL_TEXT)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        tree = _mutate_tree(draw, tree)
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_loads_or_explains(text: str) -> None:
    """Any text at all either loads or raises WorkflowDefinitionError with located problems."""
    assert_loads_or_explains(text)


@FUZZ
@given(tree=st.dictionaries(_TOP_KEYS, _VALUES, max_size=8) | _VALUES)
def test_random_structures_load_or_explain(tree: object) -> None:
    """Well-formed YAML of any shape (wrong types, missing keys) loads or is explained."""
    assert_loads_or_explains(yaml.safe_dump(tree, allow_unicode=True))


@FUZZ
@given(text=_mutated_real_file())
def test_mutated_real_workflow_lines_load_or_explain(text: str) -> None:
    """The shipped workflow with lines deleted, duplicated or replaced loads or is explained."""
    assert_loads_or_explains(text)


@settings(FUZZ, max_examples=150)
@given(text=_mutated_real_tree())
def test_mutated_real_workflow_values_load_or_explain(text: str) -> None:
    """The shipped workflow with values removed or of the wrong type loads or is explained."""
    assert_loads_or_explains(text)


@settings(FUZZ, max_examples=60)
@given(count=st.integers(min_value=0, max_value=3000), filler=st.sampled_from(["- a", "a: b", "#", " ", "["]))
def test_huge_or_empty_files_load_or_explain(count: int, filler: str) -> None:
    """Empty, blank and very long files load or are explained."""
    assert_loads_or_explains("\n".join([filler] * count))


@FUZZ
@given(data=st.binary(max_size=200))
def test_random_bytes_on_disk_load_or_explain(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Any bytes in a file, UTF-8 or not, load or raise WorkflowDefinitionError naming that file."""
    path = tmp_path_factory.mktemp("bytes") / "random.yaml"
    path.write_bytes(data)
    problems = load_or_problems(lambda: load_workflow_file(path))
    if problems is not None:
        assert problems
        assert all(p.file == str(path) and p.line >= 0 and p.message for p in problems)


def test_the_real_workflow_text_is_what_the_mutations_start_from() -> None:
    """The unmutated shipped text loads, so the mutation tests really start from a valid file."""
    assert parse_workflow(REAL_TEXT, "real.yaml").name == "freelance-mission"
