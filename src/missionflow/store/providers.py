"""Facts providers: the application's functions that read, from its own tables, the facts the
guards of its subjects read (an article's word count, its author, a reserved slot).

A provider is given the subject and the connection of the transaction the store is in: the
fire's write transaction (so the facts a fire decides on are those it commits with), or the read
transaction of ``triggers``, ``path_to``, a diagram or a report, so that a listing never disagrees
with a fire. Its facts go to the guards as ``ctx.facts``; they are not copied into the history
(pass what the history should keep as ``data=``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from missionflow.errors import InvalidValueError
from missionflow.store.database import application_code
from missionflow.workflow import Subject, TransactionConnection
from missionflow.workflow.awaiting import refuse_async, settle

FactsProvider = Callable[
    [Subject, TransactionConnection], Mapping[str, object] | Awaitable[Mapping[str, object]]
]
"""``provider(subject, connection) -> {fact: value}``; ``async def`` only under the async store,
where ``connection`` is an AsyncConnection (a SQLAlchemy Connection under the synchronous store)."""


class Providers:
    """The facts providers of a store: for every workflow, or for one."""

    def __init__(self, *, allow_async: bool) -> None:
        self._allow_async = allow_async
        self._every: list[FactsProvider] = []
        self._by_workflow: dict[str, list[FactsProvider]] = {}

    def add(self, provider: FactsProvider, workflow: str | None = None) -> None:
        """Give the guards of ``workflow``'s subjects (of every subject when None) the facts
        ``provider`` reads; a later provider's fact replaces an earlier one's of the same name."""
        if not callable(provider):
            raise InvalidValueError(
                "provider", f"a facts provider must be callable, got {type(provider).__name__}"
            )
        if not self._allow_async:
            refuse_async(provider, f"facts provider {_name(provider)}")
        if workflow is None:
            self._every.append(provider)
        else:
            self._by_workflow.setdefault(workflow, []).append(provider)

    def __bool__(self) -> bool:
        return bool(self._every or self._by_workflow)

    def facts(self, subject: Subject, connection: TransactionConnection) -> dict[str, object]:
        """Every fact the providers of ``subject``'s workflow give, read on ``connection``."""
        found: dict[str, object] = {}
        for provider in [*self._every, *self._by_workflow.get(subject.workflow, ())]:
            with application_code():
                given = settle(provider(subject, connection), f"facts provider {_name(provider)}")
                if not isinstance(given, Mapping):
                    raise TypeError(
                        f"facts provider {_name(provider)} returned {type(given).__name__}; return a mapping"
                    )
            found.update(given)
        return found


def _name(provider: object) -> str:
    return str(getattr(provider, "__name__", "") or type(provider).__name__)
