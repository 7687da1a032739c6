"""Shell completion of mission references, client references and trigger names."""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem


def _db(ctx: click.Context) -> str | None:
    db = ctx.params.get("db")
    return db if isinstance(db, str) else None


def complete_mission(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Mission references that start with what was typed."""
    try:
        from missionflow import open_store

        with open_store(_db(ctx)) as store:
            missions = store.list_missions()
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [
        CompletionItem(m.ref, help=f"{m.title} [{m.state}]")
        for m in missions
        if m.ref.lower().startswith(incomplete.lower())
    ]


def complete_client(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Client references that start with what was typed."""
    try:
        from missionflow import open_store

        with open_store(_db(ctx)) as store:
            clients = store.list_clients()
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [
        CompletionItem(c.ref, help=c.name) for c in clients if c.ref.lower().startswith(incomplete.lower())
    ]


def complete_trigger(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Triggers from the mission's current state (all known triggers when no mission is given)."""
    try:
        from missionflow import load_workflow, open_store
        from missionflow.freelance import DEFAULT_WORKFLOW

        ref = ctx.params.get("mission")
        if isinstance(ref, str):
            with open_store(_db(ctx)) as store:
                names = [o.trigger for o in store.triggers(ref)]
        else:
            names = list(load_workflow(DEFAULT_WORKFLOW).triggers)
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]
