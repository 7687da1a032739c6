"""Copy diagrams/freelance-mission.mmd into the README's mermaid block (run by `make diagrams`)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Rewrite the README's mermaid block from the generated diagram."""
    readme = ROOT / "README.md"
    mermaid = (ROOT / "diagrams" / "freelance-mission.mmd").read_text(encoding="utf-8")
    text = readme.read_text(encoding="utf-8")
    updated = re.sub(
        r"```mermaid\n.*?```", lambda _: f"```mermaid\n{mermaid}```", text, count=1, flags=re.DOTALL
    )
    readme.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
