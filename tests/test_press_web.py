"""The web press release in a real browser: Debian's headless Chromium, driven by Playwright, loads
press-release/ over HTTP from a local server (as the office's CMS serves it) and from the disk.

The browser is the system's /usr/bin/chromium (tools/system-deps.sh installs it); Playwright's own
browser download is never used. Without Chromium these tests fail: they are the proof that the page
works. Full-page screenshots land in the pytest temporary folder (``--basetemp=DIR`` puts them in
``DIR/screenshots/``): look at them after changing press-web.css; docs/images/press-web-*.png are
downscaled copies.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Request,
    Response,
    sync_playwright,
)

from docgen import context, edition, fonts, generate

from .conftest import SAMPLE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium calls Google hosts on its own; the test network refuses them.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_SIZE = {"width": 375, "height": 812}
DESKTOP_SIZE = {"width": 1280, "height": 900}
# is_mobile: honour <meta name="viewport"> as a phone does (without it a phone lays out 980 px).
PHONE = {"viewport": PHONE_SIZE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": DESKTOP_SIZE}
MAX_PX = 1600
MAX_CSS_BYTES = 20_000
HEADERS = ["序号", "单位", "活动内容"]

LOADED = edition.load(SAMPLE)
E = LOADED.edition

# What the page shows, read in the browser. textContent is the text exactly as written.
STRUCTURE_JS = """() => {
  const text = (el) => (el ? el.textContent : null);
  const cells = (row) => Array.from(row.cells, text);
  return {
    articles: document.querySelectorAll("article").length,
    h1: Array.from(document.querySelectorAll("article h1"), text),
    figures: Array.from(document.querySelectorAll("article figure"), (f) => ({
      images: f.querySelectorAll("img").length,
      caption: text(f.querySelector(":scope > figcaption")),
    })),
    tables: Array.from(document.querySelectorAll("article table"), (t) => ({
      caption: text(t.caption),
      head: t.tHead ? Array.from(t.tHead.rows, cells) : null,
      body: Array.from(t.tBodies, (b) => Array.from(b.rows, cells)).flat(),
    })),
  };
}"""
IMAGES_JS = """() => Array.from(document.images, (img) => {
  const r = img.getBoundingClientRect();
  return {src: img.currentSrc, complete: img.complete,
          natural: [img.naturalWidth, img.naturalHeight],
          left: r.left, right: r.right, width: r.width, height: r.height,
          fit: getComputedStyle(img).objectFit};
})"""
STYLESHEETS_JS = """() => ({
  sheets: Array.from(document.styleSheets, (s) => s.href),
  styleElements: document.querySelectorAll("style").length,
  styleAttributes: document.querySelectorAll("[style]").length,
})"""
# The box each table takes on the page: its scrolling wrapper if it has one, else the table.
TABLE_BOXES_JS = """() => Array.from(document.querySelectorAll("table"), (t) => {
  let box = t;
  for (let el = t.parentElement; el && el !== document.body; el = el.parentElement) {
    if (["auto", "scroll"].includes(getComputedStyle(el).overflowX)) { box = el; break; }
  }
  const r = box.getBoundingClientRect();
  return {left: r.left, right: r.right};
})"""
MEASURE_JS = """() => {
  const a = document.querySelector("article").getBoundingClientRect();
  const p = document.querySelector("article section p");
  return {left: a.left, right: a.right, line: p.clientWidth,
          fontSize: parseFloat(getComputedStyle(p).fontSize)};
}"""


@dataclass
class Visit:
    """One page load and what the browser reported while loading it."""

    page: Page
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def evaluate(self, script: str) -> Any:
        return self.page.evaluate(script)

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def on_request_failed(self, request: Request) -> None:
        self.failures.append(f"{request.url}: {request.failure}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failures.append(f"{response.url}: HTTP {response.status}")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            self.console.append(f"{message.type}: {message.location['url']}: {message.text}")

    def on_page_error(self, error: Error) -> None:
        self.console.append(f"page error: {error}")


def visit(ctx: BrowserContext, url: str) -> Visit:
    page = ctx.new_page()
    seen = Visit(page)
    page.on("request", seen.on_request)
    page.on("requestfailed", seen.on_request_failed)
    page.on("response", seen.on_response)
    page.on("console", seen.on_console)
    page.on("pageerror", seen.on_page_error)
    page.goto(url, wait_until="load")  # "load" waits for every image
    page.evaluate("document.fonts.ready")
    return seen


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """press-release/ of the sample edition, generated once for this module."""
    out = tmp_path_factory.mktemp("press") / "out"
    generate.generate(SAMPLE, out, only=["press"])
    return out / "press-release"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The folder served over HTTP on the loopback, as a CMS would serve it: its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(scope="module")
def fonts_conf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fontconfig file adding the bundled CJK faces, as every reader's device has some.

    It also replaces the FONTCONFIG_FILE that docgen.pdf sets in this process for WeasyPrint,
    which would leave Chromium with no real font at all.
    """
    home = tmp_path_factory.mktemp("fontconfig")
    conf = home / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts.FONTS_DIR}</dir>\n"
        f"  <cachedir>{home / 'cache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


@pytest.fixture(scope="module")
def browser(fonts_conf: Path) -> Iterator[Browser]:
    """One Chromium for the module; Playwright gives each launch a fresh temporary profile."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `tools/system-deps.sh test` as root")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            env={**os.environ, "FONTCONFIG_FILE": str(fonts_conf)},
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def phone(browser: Browser, server: str) -> Iterator[Visit]:
    ctx = browser.new_context(**PHONE)
    try:
        yield visit(ctx, server)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def desktop(browser: Browser, server: str) -> Iterator[Visit]:
    ctx = browser.new_context(**DESKTOP)
    try:
        yield visit(ctx, server)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def from_disk(browser: Browser, site: Path) -> Iterator[Visit]:
    ctx = browser.new_context(**DESKTOP)
    try:
        yield visit(ctx, (site / "index.html").as_uri())
    finally:
        ctx.close()


@pytest.mark.parametrize("name", ["phone", "desktop", "from_disk"])
def test_page_loads_cleanly(name: str, request: pytest.FixtureRequest, site: Path) -> None:
    seen: Visit = request.getfixturevalue(name)
    base = site.as_uri() + "/" if name == "from_disk" else request.getfixturevalue("server")
    assert seen.console == []
    assert seen.failures == []
    assert [url for url in seen.requests if not url.startswith(base)] == []
    # Every file of the folder is used and nothing else is asked for: the folder is self-contained.
    asked = {url.removeprefix(base) or "index.html" for url in seen.requests}
    assert asked == {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    for img in seen.evaluate(IMAGES_JS):
        assert img["complete"] and img["natural"][0] > 0, img["src"]


def test_no_request_leaves_the_local_server(phone: Visit, desktop: Visit, server: str) -> None:
    hosts = {urlsplit(url).netloc for url in phone.requests + desktop.requests}
    assert hosts == {urlsplit(server).netloc}


def test_images_are_web_sized_jpegs(desktop: Visit, site: Path) -> None:
    photos = [img for img in desktop.evaluate(IMAGES_JS) if "/images/" in img["src"]]
    assert len(photos) == sum(len(g.files) for g in E.photos)
    for img in photos:
        assert 0 < max(img["natural"]) <= MAX_PX, img
    for path in (site / "images").iterdir():
        assert path.suffix == ".jpg" and path.read_bytes()[:3] == b"\xff\xd8\xff", path


def test_semantic_structure(desktop: Visit) -> None:
    page = desktop.evaluate(STRUCTURE_JS)
    assert page["articles"] == 1
    assert page["h1"] == [E.press.title]
    figures = Counter((f["images"], f["caption"]) for f in page["figures"])
    assert figures == Counter((len(g.files), g.caption) for g in E.photos)
    titles = [context.award_title(E, a.name) for a in E.awards]
    assert [t["caption"] for t in page["tables"]] == titles
    assert [t["head"] for t in page["tables"]] == [[HEADERS], [HEADERS]]
    assert [len(t["body"]) for t in page["tables"]] == [10, 14]


def test_every_unit_and_activity_exactly(desktop: Visit) -> None:
    tables = desktop.evaluate(STRUCTURE_JS)["tables"]
    shown = [row for table in tables for row in table["body"]]
    expected = [
        [str(rank), w.unit, w.activity]
        for a in E.awards
        for rank, w in enumerate(a.winners, start=1)
    ]
    assert len(expected) == 24
    assert shown == expected


def test_one_small_stylesheet(desktop: Visit, server: str, site: Path) -> None:
    assert desktop.evaluate(STYLESHEETS_JS) == {
        "sheets": [f"{server}style.css"],
        "styleElements": 0,
        "styleAttributes": 0,
    }
    assert (site / "style.css").stat().st_size < MAX_CSS_BYTES


def test_phone_layout_fits_the_screen(phone: Visit) -> None:
    width = PHONE_SIZE["width"]
    assert phone.evaluate("window.innerWidth") == width
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= width
    for img in phone.evaluate(IMAGES_JS):
        assert img["left"] >= 0 and img["right"] <= width, img
    # A table may scroll inside a wrapper, but neither may widen the page.
    for box in phone.evaluate(TABLE_BOXES_JS):
        assert box["left"] >= 0 and box["right"] <= width, box


@pytest.mark.parametrize("name", ["phone", "desktop"])
def test_photos_fit_the_screen_undistorted(name: str, request: pytest.FixtureRequest) -> None:
    seen: Visit = request.getfixturevalue(name)
    height = seen.evaluate("window.innerHeight")
    for img in seen.evaluate(IMAGES_JS):
        assert img["height"] <= height, img
        shown, natural = img["width"] / img["height"], img["natural"][0] / img["natural"][1]
        # object-fit crops (cover) or letterboxes (contain) a box of other proportions.
        assert abs(shown / natural - 1) < 0.01 or img["fit"] in {"cover", "contain"}, img


def test_desktop_article_has_a_readable_measure(desktop: Visit) -> None:
    width = DESKTOP_SIZE["width"]
    assert desktop.evaluate("document.scrollingElement.scrollWidth") <= width
    m = desktop.evaluate(MEASURE_JS)
    # A Chinese character is one em wide; 30 to 45 of them a line read comfortably.
    assert 30 <= m["line"] / m["fontSize"] <= 45, m
    assert abs(m["left"] - (width - m["right"])) <= 1, f"article not centred: {m}"


@pytest.mark.parametrize("name", ["phone", "desktop"])
def test_full_page_screenshot(
    name: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    seen: Visit = request.getfixturevalue(name)
    path = tmp_path_factory.getbasetemp() / "screenshots" / f"press-web-{name}.png"
    path.parent.mkdir(exist_ok=True)
    seen.page.screenshot(path=path, full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
