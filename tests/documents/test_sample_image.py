"""The sample invoice image committed under docs/images is what the current code draws."""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "render_sample_invoice.py"


def load_script() -> ModuleType:
    """scripts/render_sample_invoice.py as a module (scripts are not a package)."""
    spec = importlib.util.spec_from_file_location("render_sample_invoice", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_sample_image_is_current(program: Callable[[str], str]) -> None:
    """The PNG regenerated from the sample invoice matches the committed one, pixel by pixel within a tiny
    tolerance: pixels rather than a hash of the inputs, because a change of template, CSS or wording must
    show, and pixels rather than bytes, because another build of the PNG encoder or of the font
    rasteriser may shift anti-aliasing without changing what a reader sees (run `make invoice-sample`)."""
    program("pdftoppm")
    script = load_script()
    fresh = Image.open(io.BytesIO(script.render_sample_png())).convert("L")
    committed = Image.open(script.IMAGE).convert("L")
    assert fresh.size == committed.size, f"page size changed: {committed.size} -> {fresh.size}"
    difference = ImageChops.difference(fresh, committed)
    changed = sum(difference.histogram()[48:])  # pixels that moved by more than a grey shade
    share = changed / (fresh.size[0] * fresh.size[1])
    assert share < 0.002, f"{share:.2%} of the pixels differ: run `make invoice-sample` and commit the image"
