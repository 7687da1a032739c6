"""What every command shares: the database option, printing (JSON, tables, colour, and user text
shown safely), output files, dates and times typed by a person, and exit codes.

Exit codes (documented in ``missionflow --help`` and the README):

    0  success
    1  any other failure (one-line message)
    2  usage error or invalid value (an amount that is not a plain decimal like 1350.50, a
       thousands separator, more decimals than the currency has, 0.3 for a percentage, a
       malformed date, a date in the future or before the last step)
    3  transition blocked by a guard (the reasons on stderr, one per line)
    4  trigger not allowed from the current state (the allowed ones listed)
    5  not found (mission, client, workflow, invoice)
    6  concurrent update (someone else changed the mission; try again)
    7  invalid workflow definition (every problem listed)
    8  refused by a rule of the trade: the values are fine, the record says no (a second final
       invoice, an amendment without a contract, a plan when nothing is due, an invoice before
       the freelancer's identity is set, a client matching a blocked one)
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from missionflow import Store
    from missionflow.store import KeyRing

from missionflow_cli.exit_codes import (
    EXIT_BLOCKED,
    EXIT_CONCURRENT,
    EXIT_CONFLICT,
    EXIT_FAILURE,
    EXIT_INVALID_WORKFLOW,
    EXIT_NOT_ALLOWED,
    EXIT_NOT_FOUND,
    EXIT_USAGE,
)

F = TypeVar("F", bound=Callable[..., object])


@dataclasses.dataclass
class AppState:
    """Options of the root command, shared with every subcommand."""

    debug: bool = False


def db_option(func: F) -> F:
    """``--db PATH|URL`` (or MISSIONFLOW_DB): which database a command works on."""
    return click.option(
        "--db",
        "db",
        envvar="MISSIONFLOW_DB",
        metavar="PATH|URL",
        help="Database file or SQLAlchemy URL (default: MISSIONFLOW_DB, else a file in your data folder).",
    )(func)


def json_option(func: F) -> F:
    """``--json``: print one JSON document on stdout and nothing else."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")(
        func
    )


@contextmanager
def store_for(db: str | None, ledger_key: KeyRing | None = None) -> Iterator[Store]:
    """Open the store for one command and close it afterwards (``ledger_key``: another key ring
    than the user's)."""
    from missionflow import open_store

    if db is not None and not db.strip():
        raise click.BadParameter(
            "give a database file or URL (or leave --db out for the default one)", param_hint="'--db'"
        )
    store = open_store(db, ledger_key=ledger_key)
    try:
        yield store
    finally:
        store.close()


def to_jsonable(value: object) -> object:
    """Turn library objects into JSON values: Decimal and dates as exact strings, never floats."""
    from missionflow import Money

    if isinstance(value, Money):
        return {"amount": f"{value.amount:.2f}", "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


# --- printing: user text never reaches the terminal as control characters ----------------------

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""What a terminal would act on instead of showing (escape sequences, carriage returns, bidi
overrides that reorder a line) and what cannot be printed (bytes that were not UTF-8)."""
_CONTROL_IN_CELL = re.compile(_CONTROL.pattern[:-1] + "\\n\\t]")
_JSON_CONTROL = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, *, cell: bool = False) -> str:
    r"""User text as it may be printed: control characters written as escapes like ``\x1b`` (line
    breaks and tabs kept, except in a table ``cell``).

    >>> print(shown("Acme\x1b]0;pwned\x07 Ltd"))
    Acme\x1b]0;pwned\x07 Ltd
    """
    return (_CONTROL_IN_CELL if cell else _CONTROL).sub(_escaped, text)


@dataclasses.dataclass(frozen=True)
class Styled:
    """A piece of a printed line in colour (when colour is wanted), its text shown safely."""

    text: str
    fg: str | None = None
    bold: bool = False


def use_colour() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


def style(text: str, *, fg: str | None = None, bold: bool = False) -> Styled:
    """A coloured piece of a line for :func:`echo`."""
    return Styled(text, fg, bold)


def _piece(part: object, colour: bool) -> str:
    if isinstance(part, Styled):
        text = shown(part.text)
        return click.style(text, fg=part.fg, bold=part.bold) if colour else text
    return shown(str(part))


def echo(*parts: object, err: bool = False, nl: bool = True) -> None:
    """Print one line made of ``parts`` (Styled ones in colour): every printer of the command line
    goes through here, so that no text from a user, a file or the database reaches the terminal
    (or a pipe) as control characters."""
    colour = use_colour()
    click.echo("".join(_piece(part, colour) for part in parts), err=err, nl=nl)


def emit_json(value: object) -> None:
    """Print ``value`` as one JSON document; characters a terminal would act on are escaped the
    way JSON escapes them (``\\u009b``)."""
    text = json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)
    click.echo(_JSON_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def emit_bytes(data: bytes) -> None:
    """Write a binary document (a PDF) to stdout as it is: never to a terminal."""
    if sys.stdout.isatty():
        raise click.UsageError("a PDF is not printed on a terminal: give -o FILE or redirect the output")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print aligned columns; an empty table says so."""
    if not rows:
        echo("(none)")
        return
    cells = [[shown(str(c), cell=True) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    heads = [style(h.ljust(w), bold=True) for h, w in zip(headers, widths, strict=True)]
    echo(*_joined(heads))
    for row in cells:
        echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _joined(pieces: Sequence[Styled]) -> list[object]:
    joined: list[object] = []
    for number, piece in enumerate(pieces):
        if number:
            joined.append("  ")
        joined.append(
            piece if number < len(pieces) - 1 else Styled(piece.text.rstrip(), piece.fg, piece.bold)
        )
    return joined


def fail(code: int, lines: Sequence[str]) -> None:
    """Print the message lines on stderr and exit with ``code``."""
    for line in lines:
        echo(line, err=True)
    sys.exit(code)


def explain_error(exc: BaseException) -> tuple[int, list[str]] | None:
    """The exit code and message lines for a missionflow error, or None for a programming error."""
    from missionflow import (
        ConcurrentUpdateError,
        ConflictError,
        InvalidValueError,
        MissionflowError,
        NotFoundError,
        TransitionBlockedError,
        TransitionNotAllowedError,
        WorkflowDefinitionError,
        WorkflowNotFoundError,
    )

    if isinstance(exc, TransitionBlockedError):
        return EXIT_BLOCKED, [f"error: {exc.trigger} is blocked for mission {exc.subject}:", *exc.reasons]
    if isinstance(exc, TransitionNotAllowedError):
        allowed = ", ".join(exc.allowed) or "none (final state)"
        why = [exc.reason] if exc.reason else []
        return EXIT_NOT_ALLOWED, [
            f"error: {exc.trigger} is not possible from state {exc.state} (mission {exc.subject})",
            *why,
            f"possible triggers: {allowed}",
        ]
    if isinstance(exc, NotFoundError | WorkflowNotFoundError):
        return EXIT_NOT_FOUND, [f"error: {exc}"]
    if isinstance(exc, ConcurrentUpdateError):
        return EXIT_CONCURRENT, [f"error: {exc}"]
    if isinstance(exc, WorkflowDefinitionError):
        return EXIT_INVALID_WORKFLOW, [f"error: {exc}"]
    if isinstance(exc, InvalidValueError):
        return EXIT_USAGE, [f"error: {exc}"]
    if isinstance(exc, ConflictError):
        return EXIT_CONFLICT, [f"error: {exc}"]
    if isinstance(exc, MissionflowError):
        return EXIT_FAILURE, [f"error: {exc}"]
    return None


def parse_date(text: str | None, field: str = "date") -> date | None:
    """A YYYY-MM-DD date typed by a person, within the years the store keeps (exit 2 with a clear
    message otherwise)."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date like 2027-01-15", param_hint=f"'--{field}'"
        ) from None
    _within_calendar(day, text, f"--{field}")
    return day


def parse_moment(text: str | None, field: str = "at") -> datetime | None:
    """An ISO 8601 date-time; without an offset it is taken in the local timezone."""
    if text is None:
        return None
    hint = f"'--{field}'"
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date-time like 2027-01-15T10:00+01:00", param_hint=hint
        ) from None
    _within_calendar(moment.date(), text, hint)
    try:
        moment = moment if moment.tzinfo is not None else moment.astimezone()
        _within_calendar(moment.astimezone(UTC).date(), text, hint)
    except (OverflowError, OSError):
        _within_calendar(date.min, text, hint)
    return moment


def _within_calendar(day: date, text: str, hint: str) -> None:
    from missionflow.store import FIRST_DAY, LAST_DAY

    if not FIRST_DAY <= day <= LAST_DAY:
        raise click.BadParameter(
            f"{text!r} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}", param_hint=hint
        )


def parse_percent(text: str | None, option: str = "deposit") -> Decimal | None:
    """ "30%" or "30" (0 to 100) as a Decimal, by the library's strict parser: "0.3" is ambiguous
    and refused, like "30%%" or "1,5" (exit 2 naming the value)."""
    from missionflow.money import parse_percent as strict_percent

    return None if text is None else strict_percent(text, option)


lang_option = click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default=None,
    help="The document's language (default: the client's).",
)


def default_actor() -> str:
    """Who is acting when --by is not given: the login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "me"


by_option = click.option("--by", "actor", default=None, help="Who does it (default: your login name).")
