"""The store's contract for an application in another domain, run against the synchronous store and
the async store alike, each on SQLite and on PostgreSQL: subjects without a client under the
application's references, facts from the application's tables, composed transactions, hooks whose
errors propagate unchanged, and one winner among concurrent fires."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from missionflow import (
    ConcurrentUpdateError,
    ConflictError,
    InvalidValueError,
    MissionNotFoundError,
    TransitionBlockedError,
    TransitionNotAllowedError,
    parse_workflow,
    register_guard,
    register_workflow,
)
from missionflow.diagrams import render_diagram
from missionflow.reports import view_diagram
from missionflow.workflow import GuardContext, GuardParam, Subject
from tests.store_drivers import AT, KINDS, Driver, run_scenario

ARTICLE = """
name: article
version: 1
title: Article
initial: draft
states:
  - {id: draft, label: Draft}
  - {id: in_review, label: In review}
  - {id: approved, label: Approved}
  - {id: published, label: Published, final: true}
transitions:
  - trigger: submit
    source: draft
    dest: in_review
    guards:
      - enough_words: {minimum: 300}
  - trigger: approve
    source: in_review
    dest: approved
    guards: [not_the_author]
  - trigger: publish
    source: approved
    dest: published
"""
APP_TABLE = "CREATE TABLE app_articles (ref VARCHAR(100) PRIMARY KEY, author VARCHAR(50), words INTEGER)"
FACTS_SQL = "SELECT author, words FROM app_articles WHERE ref = :ref"


def register_article() -> None:
    """The application's workflow and its parameterised guards (one reads the actor: four eyes)."""

    @register_guard("enough_words", params={"minimum": int}, words="long enough", reads=())
    def enough_words(subject: Subject, ctx: GuardContext, params: dict[str, GuardParam]) -> str | None:
        words = ctx.facts.get("words") or 0
        minimum = params.get("minimum", 0)
        assert isinstance(words, int)
        assert isinstance(minimum, int)
        return None if words >= minimum else f"the article has {words} words, {minimum} are needed"

    @register_guard("not_the_author", words="approved by someone else", reads=())
    def not_the_author(subject: Subject, ctx: GuardContext, params: dict[str, GuardParam]) -> str | None:
        author = ctx.facts.get("author")
        return "an author cannot approve their own article" if ctx.actor == author else None

    register_workflow(parse_workflow(ARTICLE, "article.yaml"))


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """Which store a contract test runs against: "sync" or "async"."""
    value: str = request.param
    return value


@pytest.fixture
def app_url(store_url: str) -> str:
    """The test's database with the application's own table beside missionflow's, and its workflow."""
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text(APP_TABLE))
    engine.dispose()
    register_article()
    return store_url


def articles(url: str) -> list[str]:
    """The application's rows, read from outside any store."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(text("SELECT ref FROM app_articles ORDER BY ref"))]
    finally:
        engine.dispose()


async def new_article(driver: Driver, ref: str, *, author: str = "ann", words: int = 500) -> None:
    """The application creates its row and the subject in one transaction."""
    async with driver.transaction() as tx:
        await tx.execute(
            "INSERT INTO app_articles (ref, author, words) VALUES (:ref, :author, :words)",
            ref=ref,
            author=author,
            words=words,
        )
        await driver.create_subject("article", ref=ref, title="An article")


def test_a_subject_without_client_is_fired_on_the_applications_facts(kind: str, app_url: str) -> None:
    """triggers, path_to and the diagram agree with fire on the provider's facts, which the history does not keep."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))
        await new_article(store, "post-1", words=120)
        subject = await store.get_subject("post-1")
        assert (subject.ref, subject.client, subject.state, subject.version) == ("post-1", None, "draft", 0)
        reason = "the article has 120 words, 300 are needed"
        [option] = await store.triggers("post-1", at=AT)
        assert (option.trigger, option.allowed, option.reasons) == ("submit", False, (reason,))
        path = await store.path_to("post-1", "published", at=AT)
        assert path.steps is not None
        assert path.steps[0].reasons == (reason,)
        drawing = view_diagram(await store.view("post-1", at=AT))
        assert drawing.edges[0].reason == reason
        assert reason in render_diagram(drawing, "mermaid").decode()
        with pytest.raises(TransitionBlockedError) as blocked:
            await store.fire("post-1", "submit", at=AT)
        assert blocked.value.reasons == (reason,)

        async with store.transaction() as tx:
            await tx.execute("UPDATE app_articles SET words = 640 WHERE ref = :ref", ref="post-1")
            await store.bump_version("post-1")
        [option] = await store.triggers("post-1", at=AT)
        assert option.allowed
        record = await store.fire("post-1", "submit", actor="ann", at=AT, data={"channel": "web"})
        assert (record.dest, record.data) == ("in_review", {"channel": "web"})
        [entry] = await store.history("post-1")
        assert entry.record == record
        assert (entry.record.data, entry.record.note) == ({"channel": "web"}, "")  # no fact of the provider
        assert await store.verify() == []

    run_scenario(kind, app_url, scenario)


def test_four_eyes_is_a_guard_on_the_actor_that_triggers_and_fire_agree_on(kind: str, app_url: str) -> None:
    """The author is refused approval in the listing and at fire time alike; someone else may approve."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))
        await new_article(store, "post-2", author="ann")
        await store.fire("post-2", "submit", actor="ann", at=AT)
        [mine] = await store.triggers("post-2", actor="ann", at=AT)
        [theirs] = await store.triggers("post-2", actor="bob", at=AT)
        assert (mine.allowed, mine.reasons) == (False, ("an author cannot approve their own article",))
        assert theirs.allowed
        with pytest.raises(TransitionBlockedError):
            await store.fire("post-2", "approve", actor="ann", at=AT)
        assert (await store.fire("post-2", "approve", actor="bob", at=AT)).dest == "approved"

    run_scenario(kind, app_url, scenario)


def test_an_application_row_and_a_fire_roll_back_together(kind: str, app_url: str) -> None:
    """When the fire is refused, the application's row goes; when the application's insert fails, the fire goes."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))
        await new_article(store, "post-3", words=10)

        async def row_then_refused_fire() -> None:
            async with store.transaction() as tx:
                await tx.execute("INSERT INTO app_articles (ref, author, words) VALUES ('log-1', 'x', 0)")
                await store.fire("post-3", "submit", at=AT)

        with pytest.raises(TransitionBlockedError):
            await row_then_refused_fire()
        assert articles(app_url) == ["post-3"]

        async with store.transaction() as tx:
            await tx.execute("UPDATE app_articles SET words = 900 WHERE ref = 'post-3'")

        async def fire_then_failing_row() -> None:
            async with store.transaction() as tx:
                await store.fire("post-3", "submit", at=AT)
                await tx.execute("INSERT INTO app_articles (ref, author, words) VALUES ('post-3', 'x', 0)")

        with pytest.raises(IntegrityError):
            await fire_then_failing_row()
        subject = await store.get_subject("post-3")
        assert (subject.state, subject.history) == ("draft", [])

        async def subject_then_failing_row() -> None:
            async with store.transaction() as tx:
                await store.create_subject("article", ref="post-4")
                await tx.execute("INSERT INTO app_articles (ref, author, words) VALUES ('post-3', 'x', 0)")

        with pytest.raises(IntegrityError):
            await subject_then_failing_row()
        with pytest.raises(MissionNotFoundError):
            await store.get_subject("post-4")
        assert await store.verify() == []

    run_scenario(kind, app_url, scenario)


def test_a_refused_fire_leaves_the_applications_transaction_usable(kind: str, app_url: str) -> None:
    """Caught inside the transaction, a refused fire undoes only itself: the rest commits."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))
        await new_article(store, "post-5", words=1)
        async with store.transaction() as tx:
            with pytest.raises(TransitionBlockedError):
                await store.fire("post-5", "submit", at=AT)
            with pytest.raises(TransitionNotAllowedError):
                await store.fire("post-5", "publish", at=AT)
            await tx.execute("UPDATE app_articles SET words = 400 WHERE ref = 'post-5'")
            assert (await store.fire("post-5", "submit", at=AT)).dest == "in_review"
        assert (await store.get_subject("post-5")).state == "in_review"

    run_scenario(kind, app_url, scenario)


def test_an_after_hooks_own_database_error_propagates_unchanged(kind: str, app_url: str) -> None:
    """The application's IntegrityError from an after-hook reaches the caller as is, and nothing is recorded."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))
        await new_article(store, "post-6")
        store.after_sql("INSERT INTO app_articles (ref, author, words) VALUES (:ref, 'dup', 0)")
        with pytest.raises(IntegrityError):
            await store.fire("post-6", "submit", at=AT)
        subject = await store.get_subject("post-6")
        assert (subject.state, subject.version) == ("draft", 0)

    run_scenario(kind, app_url, scenario)


def test_after_commit_hooks_wait_for_the_applications_commit(kind: str, app_url: str) -> None:
    """Inside a transaction, after_commit hooks run once it commits, and never when it rolls back."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))
        told: list[str] = []
        store.hooks.after_commit()(lambda event: told.append(f"{event.subject.ref}:{event.dest}"))
        await new_article(store, "post-7")
        await new_article(store, "post-8")

        async def fire_then_change_of_mind() -> None:
            async with store.transaction():
                await store.fire("post-7", "submit", at=AT)
                assert told == []
                raise RuntimeError("the application changed its mind")

        with pytest.raises(RuntimeError):
            await fire_then_change_of_mind()
        assert told == []
        async with store.transaction():
            await store.fire("post-8", "submit", at=AT)
            assert told == []
        assert told == ["post-8:in_review"]

    run_scenario(kind, app_url, scenario)


def test_eight_concurrent_fires_have_exactly_one_winner(kind: str, app_url: str) -> None:
    """Eight fires of the same trigger at once: one moves the subject, the others are told why they did not."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))
        await new_article(store, "post-9")
        results = await asyncio.gather(
            *(store.fire("post-9", "submit", actor=f"writer-{n}", at=AT) for n in range(8)),
            return_exceptions=True,
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1
        assert all(isinstance(e, ConcurrentUpdateError | TransitionNotAllowedError) for e in losers), losers
        [entry] = await store.history("post-9")
        assert entry.record == winners[0]
        assert (await store.get_subject("post-9")).version == 1
        assert await store.verify() == []

    run_scenario(kind, app_url, scenario)


def test_references_are_the_applications_unique_and_never_the_stores_own(kind: str, app_url: str) -> None:
    """A taken reference is a conflict; one shaped like M-<n> is refused; without one the store numbers it."""

    async def scenario(store: Driver) -> None:
        await store.create_subject("article", ref="post-10")
        with pytest.raises(ConflictError):
            await store.create_subject("article", ref="post-10")
        for bad in ("M-3", "12", "", "with space", "x" * 101):
            with pytest.raises(InvalidValueError):
                await store.create_subject("article", ref=bad)
        numbered = await store.create_subject("article")
        assert numbered.ref.startswith("M-")
        assert (await store.get_subject(numbered.ref)).workflow == "article"
        with pytest.raises(MissionNotFoundError):
            await store.fire("post-404", "submit")

    run_scenario(kind, app_url, scenario)


def test_idempotent_fires_of_a_subject_record_once(kind: str, app_url: str) -> None:
    """The same idempotency key again returns the first record and writes nothing more."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))
        await new_article(store, "post-11")
        first = await store.fire("post-11", "submit", actor="ann", at=AT, idempotency_key="req-1")
        again = await store.fire("post-11", "submit", actor="ann", at=AT, idempotency_key="req-1")
        assert first == again
        assert len(await store.history("post-11")) == 1

    run_scenario(kind, app_url, scenario)


def test_a_nested_transaction_is_a_savepoint_of_the_open_one(kind: str, app_url: str) -> None:
    """A nested transaction that fails undoes only its own work; the outer one commits the rest."""

    async def scenario(store: Driver) -> None:
        store.provide_sql_facts("article", FACTS_SQL, ("author", "words"))

        async def nested_failure() -> None:
            async with store.transaction() as tx:
                await tx.execute("INSERT INTO app_articles (ref, author, words) VALUES ('inner', 'x', 1)")
                await store.create_subject("article", ref="inner")
                raise LookupError("the inner step failed")

        async with store.transaction() as tx:
            await tx.execute("INSERT INTO app_articles (ref, author, words) VALUES ('outer', 'ann', 400)")
            await store.create_subject("article", ref="outer")
            with pytest.raises(LookupError):
                await nested_failure()
            await store.fire("outer", "submit", at=AT)
        assert articles(app_url) == ["outer"]
        assert (await store.get_subject("outer")).state == "in_review"
        with pytest.raises(MissionNotFoundError):
            await store.get_subject("inner")

    run_scenario(kind, app_url, scenario)
