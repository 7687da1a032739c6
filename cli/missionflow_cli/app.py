"""What every command shares: the database option, JSON output, tables, colour and exit codes.

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
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from missionflow import Store

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
def store_for(db: str | None) -> Iterator[Store]:
    """Open the store for one command and close it afterwards."""
    from missionflow import open_store

    store = open_store(db)
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


def emit_json(value: object) -> None:
    """Print ``value`` as one JSON document."""
    click.echo(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))


def use_colour() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


def style(text: str, **styles: object) -> str:
    """``click.style`` when colour is wanted, the plain text otherwise."""
    return click.style(text, **styles) if use_colour() else text  # type: ignore[arg-type]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print aligned columns; an empty table says so."""
    if not rows:
        click.echo("(none)")
        return
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    click.echo("  ".join(style(h.ljust(w), bold=True) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def fail(code: int, lines: Sequence[str]) -> None:
    """Print the message lines on stderr and exit with ``code``."""
    for line in lines:
        click.echo(line, err=True)
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
    """A YYYY-MM-DD date typed by a person (exit 2 with a clear message otherwise)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date like 2027-01-15", param_hint=f"--{field}") from None


def parse_moment(text: str | None) -> datetime | None:
    """An ISO 8601 date-time; without an offset it is taken in the local timezone."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date-time like 2027-01-15T10:00+01:00") from None
    return moment if moment.tzinfo is not None else moment.astimezone()


def parse_percent(text: str | None, option: str = "deposit") -> Decimal | None:
    """ "30%" or "30" (0 to 100) as a Decimal, by the library's strict parser: "0.3" is ambiguous
    and refused, like "30%%" or "1,5" (exit 2 naming the value)."""
    from missionflow.money import parse_percent as strict_percent

    return None if text is None else strict_percent(text, option)


def write_document(data: bytes, output: Path | None, *, binary: bool) -> None:
    """Write a rendered document to ``output`` (folders created) and print where, or print it.

    A PDF is never written to a terminal: give ``-o FILE`` or redirect the output."""
    if output is None:
        if binary and sys.stdout.isatty():
            raise click.UsageError("a PDF is not printed on a terminal: give -o FILE or redirect the output")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    click.echo(str(output))


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of printing (folders are created).",
)
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
