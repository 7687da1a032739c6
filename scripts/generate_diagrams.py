#!/usr/bin/env python3
"""Regenerate the committed lifecycle diagrams: diagrams/<workflow>.svg, .mmd and .dot.

Usage: .venv/bin/python scripts/generate_diagrams.py [-o diagrams]
It does what ``make diagrams`` (``missionflow diagram --all -o diagrams``) does; the test
suite fails while the committed files differ from what this writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from missionflow import MissionflowError
from missionflow.diagrams import generate_workflow_diagrams

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Write the diagrams of every known workflow and list the files written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "diagrams", help="folder to write into")
    args = parser.parse_args(argv)
    try:
        written = generate_workflow_diagrams(args.output)
    except MissionflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
