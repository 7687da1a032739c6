"""The HTML reports as a person sees them: rendered by a real headless Chromium (Debian's
``chromium``), their text read back from the rendered DOM, screenshots decoded and checked not
to be blank, and the status page printed to PDF. The pages carry no script at all, so any
console message is a defect."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from missionflow import open_store
from missionflow.reports import clients_report, pipeline_report, status_report
from tests.reports_scenario import AT, build, clock

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)
WINDOW = (1200, 1600)


@dataclass(frozen=True)
class Rendered:
    """What Chromium made of a page: the DOM after rendering, its console messages, a screenshot."""

    dom: str
    console: list[str]
    screenshot: Path


@dataclass(frozen=True)
class Browser:
    """Debian's chromium, run headless with a fresh profile for every page."""

    program: str
    workdir: Path

    def _run(self, page: Path, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
        profile = self.workdir / f"profile-{name}"
        return subprocess.run(
            [self.program, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )

    def render(self, page: Path) -> Rendered:
        """Load ``page``, dump its rendered DOM and take a screenshot of the window."""
        shot = self.workdir / f"{page.stem}.png"
        done = self._run(
            page, page.stem, "--dump-dom", f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}"
        )
        console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
        return Rendered(done.stdout, console, shot)

    def print_pdf(self, page: Path) -> bytes:
        """Print ``page`` to PDF the way a person's browser would (A4, no header or footer)."""
        out = self.workdir / f"{page.stem}.pdf"
        self._run(page, f"{page.stem}-pdf", "--no-pdf-header-footer", f"--print-to-pdf={out}")
        return out.read_bytes()


@pytest.fixture
def browser(require_binary: Callable[[str, str], str], tmp_path: Path) -> Browser:
    """A headless Chromium; the test skips (fails under CI=true) with `apt-get install chromium`."""
    return Browser(require_binary("chromium", "chromium"), tmp_path)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The three HTML reports of the scripted autumn, written to files."""
    folder = tmp_path_factory.mktemp("pages")
    with open_store(f"sqlite:///{folder / 'autumn.db'}", clock=clock) as store:
        build(store)
        texts = {
            "status": status_report(store, "M-5", fmt="html", at=AT),
            "clients": clients_report(store, fmt="html", at=AT),
            "pipeline": pipeline_report(store, fmt="html", at=AT),
        }
    written = {}
    for name, text in texts.items():
        path = folder / f"{name}.html"
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written


class _VisibleText(HTMLParser):
    """The text a person can see: everything but styles, scripts and (tooltip) titles."""

    hidden = frozenset({"style", "script", "title", "head"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.hidden:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.hidden and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(dom: str) -> str:
    """The page's visible text, one piece per line."""
    parser = _VisibleText()
    parser.feed(dom)
    return "\n".join(parser.parts)


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit, non-interlaced PNG, checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks = 8, []
    header = b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        position += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0)
    size = {2: 3, 6: 4}[colour]
    stride = width * size
    raw = zlib.decompress(b"".join(chunks))
    assert len(raw) == height * (stride + 1)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        method = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if method == 1:
            for i in range(size, stride):
                line[i] = (line[i] + line[i - size]) & 255
        elif method == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous, strict=True))
        elif method == 3:
            for i in range(stride):
                left = line[i - size] if i >= size else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif method == 4:
            for i in range(stride):
                a = line[i - size] if i >= size else 0
                b = previous[i]
                c = previous[i - size] if i >= size else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, [row if size == 3 else _rgb(row) for row in rows]


def _rgb(row: bytes) -> bytes:
    return b"".join(row[i : i + 3] for i in range(0, len(row), 4))


def assert_not_blank(png: Path) -> None:
    """The screenshot is a real picture: window-sized, many colours, a fair share of ink."""
    width, height, rows = decode_png(png.read_bytes())
    assert (width, height) == WINDOW
    colours: set[bytes] = set()
    inked = sampled = 0
    for row in rows[::4]:
        for x in range(0, len(row), 12):
            pixel = row[x : x + 3]
            colours.add(pixel)
            sampled += 1
            inked += pixel != b"\xff\xff\xff"
    assert len(colours) > 50, f"only {len(colours)} colours: a blank or flat page"
    assert inked * 100 > sampled * 3, f"only {inked} of {sampled} sampled pixels are not white"


def _check_clean(rendered: Rendered) -> str:
    assert rendered.console == [], rendered.console
    assert "<script" not in rendered.dom.lower()
    assert_not_blank(rendered.screenshot)
    return visible_text(rendered.dom)


def test_status_page_reads_right_in_chromium(browser: Browser, pages: dict[str, Path]) -> None:
    """The status page renders without a console message and shows what the client must read."""
    text = _check_clean(browser.render(pages["status"]))
    for expected in (
        "Status report: Landing page",
        "For Dr Petit, from Camille Martin · As of 15 December 2026",
        "Current step: In progress",
        "Next step: your approval of the work.",
        "the delivery of: hosting access (access code)",
        "Who acts next: your freelancer (Camille Martin).",
        "delivered on 1 December 2026",
        "0 of 2 used, 2 left (2 included in the contract, 0 agreed as extras).",
        "1,000.00 EUR",
        "The mission's lifecycle",
    ):
        assert expected in text, expected
    steps = text.split("Steps done", 1)[1].split("Steps that remain", 1)[0]
    assert steps.index("23 November 2026") < steps.index("24 November 2026") < steps.index("1 December 2026")


def test_status_page_shows_the_diagram_when_graphviz_is_there(
    browser: Browser, pages: dict[str, Path], require_binary: Callable[[str, str], str]
) -> None:
    """With Graphviz installed, the rendered page holds the lifecycle diagram with its state names."""
    require_binary("dot", "graphviz")
    rendered = browser.render(pages["status"])
    diagram = rendered.dom.split('<figure class="diagram">', 1)[1].split("</figure>", 1)[0]
    assert diagram.lstrip().startswith("<svg")
    assert "Contract signed" in visible_text(diagram)


def test_clients_page_reads_right_in_chromium(browser: Browser, pages: dict[str, Path]) -> None:
    """The clients page shows the 80/20 headline, the Pareto chart and the clients in revenue order."""
    rendered = browser.render(pages["clients"])
    text = _check_clean(rendered)
    assert "2 of 5 clients (40 %) bring 80 % of the revenue." in text.replace("\u00a0", " ")
    chart = rendered.dom.split('class="chart pareto"', 1)[1].split("</svg>", 1)[0]
    assert chart.count('class="bar') == 5
    assert 'class="cumulative"' in chart
    table = text.split("Clients\n", 1)[1]
    names = [
        "Atelier Dupont (C-1)",
        "Brasserie Lune (C-2)",
        "Cabinet Morel (C-3)",
        "Studio Nord (C-5)",
        "Dr Petit (C-4)",
    ]
    assert [table.index(name) for name in names] == sorted(table.index(name) for name in names)
    assert "14,700.00" in table
    assert "1 effort point = 1 per transition" in text


def test_pipeline_page_reads_right_in_chromium(browser: Browser, pages: dict[str, Path]) -> None:
    """The pipeline page shows the summary, the funnel and each state with its money."""
    rendered = browser.render(pages["pipeline"])
    text = _check_clean(rendered)
    assert "10 missions: 2 waiting on clients, 4 waiting on you. Overdue: 1,800.00 EUR." in text
    funnel = rendered.dom.split('class="chart funnel"', 1)[1].split("</svg>", 1)[0]
    assert funnel.count('class="stage"') == 10
    assert "M-3 Menu design (since 2026-11-05)" in text
    assert re.search(r"Total\n10\n2\n4\n28,000.00\n16,000.00\n1,800.00\n2,900.00", text)


def test_status_page_prints_on_a_few_pages(browser: Browser, pages: dict[str, Path]) -> None:
    """Printing the status page gives a real PDF of one to three A4 pages."""
    pdf = browser.print_pdf(pages["status"])
    assert pdf.startswith(b"%PDF-")
    count = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= count <= 3, count


def test_console_errors_would_be_caught(browser: Browser, tmp_path: Path) -> None:
    """The console check is real: a page with a script error is reported."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><title>x</title><p>x</p><script>undefinedFunction()</script>", encoding="utf-8"
    )
    rendered = browser.render(page)
    assert any("undefinedFunction" in line for line in rendered.console)


def test_blank_screenshots_would_be_caught(browser: Browser, tmp_path: Path) -> None:
    """The screenshot check is real: an empty white page fails it."""
    page = tmp_path / "blank.html"
    page.write_text(
        "<!DOCTYPE html><title>blank</title><body style='background:#fff'></body>", encoding="utf-8"
    )
    rendered = browser.render(page)
    with pytest.raises(AssertionError, match="colours"):
        assert_not_blank(rendered.screenshot)


def test_missing_chromium_skips_with_the_install_command_or_fails_under_ci(
    require_binary: Callable[[str, str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without chromium on the PATH the browser tests skip saying `apt-get install chromium`; under CI=true they fail."""
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_binary("chromium", "chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        require_binary("chromium", "chromium")
