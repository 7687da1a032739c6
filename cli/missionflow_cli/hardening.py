"""Every option and argument of every command checked the same way before the command runs, so
that no value typed by a person ends in an internal error: texts without NUL characters or bytes
that were not UTF-8 and of a bounded length, integers that fit the database's columns, and a
value the library refuses named by the option it came from.

The root command applies :func:`harden` to each command it loads, so a new command is covered
without doing anything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import click

MAX_TEXT = 10_000
"""The longest text an option takes (the library's limit for free text: store.limits.MAX_TEXT)."""
INT32 = (-(2**31), 2**31 - 1)
"""What an integer option may be: what every integer column of the database holds."""
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_HARDENED = "_missionflow_hardened"
_PARAMS_OF_FIELD: dict[str, tuple[str, ...]] = {
    "time": ("at", "now"),
    "at": ("at", "now"),
    "included_revisions": ("revisions",),
    "sessions_planned": ("sessions",),
    "deposit_percent": ("deposit",),
    "signed_by": ("actor",),
    "installment": ("installments",),
    "deliverable": ("deliverables", "deliverable"),
    "file": ("path",),
}
"""The options a value the library names differently may come from (the library's name first)."""


def text_problem(value: str) -> str | None:
    """What is wrong with a text typed by a person, or None."""
    bad = _BAD_CHARACTER.search(value)
    if bad is not None:
        what = "a NUL character" if bad.group() == "\x00" else "bytes that are not UTF-8 text"
        return f"it contains {what} (at character {bad.start() + 1})"
    if len(value) > MAX_TEXT:
        return f"give at most {MAX_TEXT:,} characters ({len(value):,} given)"
    return None


class SafeText(click.types.StringParamType):
    """Text that every database stores as typed (see text_problem)."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = super().convert(value, param, ctx)
        problem = text_problem(text)
        if problem is not None:
            self.fail(problem, param, ctx)
        return text


SAFE_TEXT = SafeText()


class SafePath(click.Path):
    """A path option that refuses a NUL character first (no file name holds one; the OS would raise)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and ("\x00" in value or len(value) > MAX_TEXT):
            self.fail("it is not a file name", param, ctx)
        return super().convert(value, param, ctx)


def _safe_path(kind: click.Path) -> SafePath:
    safe = SafePath.__new__(SafePath)
    safe.__dict__.update(kind.__dict__)
    return safe


def _bounded(kind: click.ParamType[Any]) -> click.ParamType[Any]:
    if isinstance(kind, click.types.StringParamType):
        return SAFE_TEXT
    if isinstance(kind, click.IntRange):
        low = INT32[0] if kind.min is None else max(int(kind.min), INT32[0])
        high = INT32[1] if kind.max is None else min(int(kind.max), INT32[1])
        return click.IntRange(low, high, min_open=kind.min_open, max_open=kind.max_open, clamp=kind.clamp)
    if type(kind) is click.types.IntParamType:
        return click.IntRange(*INT32)
    if type(kind) is click.Path:
        return _safe_path(kind)
    return kind


def harden(command: click.Command) -> click.Command:
    """Bound every parameter of ``command`` (and of its subcommands) and name the option of a value
    the library refuses; done once per command."""
    if getattr(command, _HARDENED, False):
        return command
    for param in command.params:
        param.type = _bounded(param.type)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            harden(sub)
    elif command.callback is not None:
        command.callback = _naming_options(command.callback, command)
    setattr(command, _HARDENED, True)
    return command


def _naming_options(callback: Callable[..., Any], command: click.Command) -> Callable[..., Any]:
    """The callback, turning an InvalidValueError about one of the command's parameters into click's
    usage error for that option (exit 2, ``Invalid value for '--by': ...``)."""
    params = {param.name: param for param in command.params if param.name}

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except Exception as error:
            from missionflow.errors import InvalidValueError

            if not isinstance(error, InvalidValueError):
                raise
            for name in (error.field, *_PARAMS_OF_FIELD.get(error.field, ())):
                if name in params:
                    message = str(error).removeprefix(f"invalid {error.field}: ")
                    raise click.BadParameter(message, param=params[name]) from None
            raise

    return run
