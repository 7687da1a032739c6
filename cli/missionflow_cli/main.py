"""Entry point of the ``missionflow`` command; heavy libraries are imported by commands, not here."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="missionflow")
def cli() -> None:
    """Run freelance missions from lead to paid, with guarded steps.

    Example:

        missionflow demo
    """


@cli.command()
def demo() -> None:
    """Walk a sample mission from lead to paid, showing the refusals on the way.

    Example:

        missionflow demo
    """
    from missionflow_cli.demo import run_demo

    run_demo()


def main() -> None:
    """Console-script entry point."""
    cli()
