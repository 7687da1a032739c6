"""The one exception tree of missionflow; every error a caller can act on.

::

    MissionflowError
    ├── WorkflowDefinitionError      a workflow file is invalid (every problem, with file and line)
    ├── WorkflowNotFoundError        no workflow of that name (or version)
    ├── NotFoundError                a subject, mission, client or record does not exist
    │   ├── MissionNotFoundError
    │   ├── ClientNotFoundError
    │   ├── InvoiceNotFoundError
    │   ├── LetterNotFoundError
    │   └── QuoteNotFoundError
    ├── TransitionError              a trigger could not be fired
    │   ├── TransitionNotAllowedError   the trigger does not leave the current state
    │   └── TransitionBlockedError      a guard (or a hook) refused, with every reason
    ├── ConcurrentUpdateError        another process changed the subject first; try again
    ├── InvalidValueError            a value given by the caller is wrong (negative amount, bad date)
    │   └── InterchangeError            a document is no workflow in its format, or a workflow
    │                                   says what the format cannot (every problem, with its line)
    ├── ConflictError                the request contradicts the record (already invoiced, nothing due)
    │   └── InvoiceRulesError           the e-invoice would break rules of EN 16931 or BR-FR (each listed)
    ├── HistoryTamperedError         the history chain does not verify
    ├── StorageError                 the database failed (URL passwords are never shown)
    │   └── LedgerKeyError              the ledger's key is missing, unsafe or not the one that sealed it
    ├── MailError                    the mail server refused the login or the message; nothing was sent
    └── DiagramRenderError           Graphviz is missing or failed
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class MissionflowError(Exception):
    """Root of every error raised by missionflow on purpose."""


@dataclass(frozen=True)
class DefinitionProblem:
    """One problem of a workflow file: where it is and what to do about it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class WorkflowDefinitionError(MissionflowError):
    """A workflow definition is invalid; ``problems`` lists every problem at once."""

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"invalid workflow definition ({count} problem{'s' if count != 1 else ''})"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class WorkflowNotFoundError(MissionflowError):
    """No workflow with this name (and version) is known."""

    def __init__(self, name: str, version: int | None = None, known: Sequence[str] = ()) -> None:
        self.name = name
        self.version = version
        self.known = tuple(known)
        what = f"{name} version {version}" if version is not None else name
        hint = f" (known: {', '.join(self.known)})" if self.known else ""
        super().__init__(f"unknown workflow {what!r}{hint}")


class NotFoundError(MissionflowError):
    """A record the caller named does not exist."""

    kind = "record"

    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(f"no {self.kind} {ref!r}")


class MissionNotFoundError(NotFoundError):
    """No mission with this reference."""

    kind = "mission"


class ClientNotFoundError(NotFoundError):
    """No client with this reference."""

    kind = "client"


class InvoiceNotFoundError(NotFoundError):
    """No invoice with this number."""

    kind = "invoice"


class LetterNotFoundError(NotFoundError):
    """No reminder letter with this number."""

    kind = "letter"


class QuoteNotFoundError(NotFoundError):
    """No quote with this number."""

    kind = "quote"


@dataclass(frozen=True)
class GuardResult:
    """The verdict of one guard: ``reason`` is None when it lets the transition through."""

    guard: str
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the guard allows the transition."""
        return self.reason is None


class TransitionError(MissionflowError):
    """A trigger could not be fired on a subject (``subject`` is its reference)."""

    def __init__(self, message: str, *, subject: str, state: str, trigger: str) -> None:
        self.subject = subject
        self.state = state
        self.trigger = trigger
        super().__init__(message)


class TransitionNotAllowedError(TransitionError):
    """The trigger does not leave the subject's current state (or only its timer fires it:
    ``reason`` says so)."""

    def __init__(
        self, *, subject: str, state: str, trigger: str, allowed: Sequence[str], reason: str | None = None
    ) -> None:
        self.allowed = tuple(allowed)
        self.reason = reason
        listed = ", ".join(self.allowed) if self.allowed else "none (final state)"
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"{trigger!r} is not possible from state {state!r}{why}; possible triggers: {listed}",
            subject=subject,
            state=state,
            trigger=trigger,
        )


class TransitionBlockedError(TransitionError):
    """Guards refused the transition; ``failed`` holds every refusal with its reason."""

    def __init__(self, *, subject: str, state: str, trigger: str, failed: Sequence[GuardResult]) -> None:
        self.failed = tuple(failed)
        reasons = "; ".join(f"{r.reason}" for r in self.failed)
        super().__init__(
            f"{trigger!r} is blocked for {subject}: {reasons}",
            subject=subject,
            state=state,
            trigger=trigger,
        )

    @property
    def reasons(self) -> tuple[str, ...]:
        """The human reasons, one per failed guard."""
        return tuple(r.reason or r.guard for r in self.failed)


class ConcurrentUpdateError(MissionflowError):
    """Another writer changed the subject between our read and our write; nothing was written."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        super().__init__(
            f"{subject} was changed by someone else at the same time; nothing was written, try again"
        )


class InvalidValueError(MissionflowError):
    """A value given by the caller is not acceptable (for example a negative amount)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.reason = message
        """What is wrong with the value, without the field's name."""
        super().__init__(f"invalid {field}: {message}")


class InterchangeError(InvalidValueError):
    """A document cannot be read as a workflow, or a workflow cannot be written in a format.

    ``problems`` lists every problem with its file and line, as WorkflowDefinitionError does;
    the CLI reports it as an invalid value (exit 2), apart from a workflow the validator refuses
    (exit 7).

    >>> from missionflow.workflow import import_workflow
    >>> import_workflow("{", "xstate", source="m.json")
    Traceback (most recent call last):
    ...
    missionflow.errors.InterchangeError: invalid XState document: 1 problem
      m.json:1: not JSON: Expecting property name enclosed in double quotes (column 2)
    """

    def __init__(self, what: str, problems: Sequence[DefinitionProblem]) -> None:
        self.what = what
        self.problems = tuple(problems)
        count = len(self.problems)
        listed = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(what, f"{count} problem{'s' if count != 1 else ''}\n{listed}")


class ConflictError(MissionflowError):
    """What was asked contradicts the record: the value is well formed, but the rules of the
    trade refuse it now (a second final invoice, an amendment to a contract that does not exist,
    a plan when nothing is due). Distinct from InvalidValueError, a mistake in the value itself."""

    def __init__(self, topic: str, message: str) -> None:
        self.topic = topic
        super().__init__(message)


class InvoiceRulesError(ConflictError):
    """An invoice refused before it takes a number: its e-invoice (Factur-X EN 16931) breaks the
    rules listed in ``failures`` (each with its identifier, such as BR-FR-05_BT-22_PMT, and why)."""

    def __init__(self, what: str, failures: Sequence[object]) -> None:
        self.failures = tuple(failures)
        count = len(self.failures)
        head = (
            f"{what} would break {count} rule{'s' if count != 1 else ''} of the e-invoice (EN 16931, BR-FR)"
        )
        super().__init__("invoice", "\n".join([head, *(f"  {failure}" for failure in self.failures)]))


class HistoryTamperedError(MissionflowError):
    """Histories do not verify; ``failures`` names the first bad entry of each subject."""

    def __init__(self, failures: Sequence[object]) -> None:
        self.failures = tuple(failures)
        count = len(self.failures)
        head = f"the history of {count} subject{'s' if count != 1 else ''} does not verify"
        super().__init__("\n".join([head, *(f"  {failure}" for failure in self.failures)]))


class StorageError(MissionflowError):
    """The database could not be used; the message never contains a password."""


class LedgerKeyError(StorageError):
    """The ledger's key cannot be used: missing, readable by others, malformed, or not the key the
    ledger was sealed with (nothing is written without it)."""


class MailError(MissionflowError):
    """An e-mail could not be sent (the server refused the login, the connection or the message):
    nothing is recorded as sent. The message never contains a password."""


class DiagramRenderError(MissionflowError):
    """A diagram could not be rendered (for example Graphviz's ``dot`` is missing)."""


__all__ = [
    "ClientNotFoundError",
    "ConcurrentUpdateError",
    "ConflictError",
    "DefinitionProblem",
    "DiagramRenderError",
    "GuardResult",
    "HistoryTamperedError",
    "InterchangeError",
    "InvalidValueError",
    "InvoiceNotFoundError",
    "InvoiceRulesError",
    "LedgerKeyError",
    "LetterNotFoundError",
    "MailError",
    "MissionNotFoundError",
    "MissionflowError",
    "NotFoundError",
    "StorageError",
    "TransitionBlockedError",
    "TransitionError",
    "TransitionNotAllowedError",
    "WorkflowDefinitionError",
    "WorkflowNotFoundError",
]
