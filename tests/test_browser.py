"""Every page of the built book in a real browser (Debian's headless Chromium).

Served on 127.0.0.1, each page in the toc must load with no console error, make no
request that leaves localhost, decode every image, render every table, link only to
pages and anchors that exist, and pass an axe-core audit with no serious or critical
violation. One screenshot per page goes to test-artifacts/screenshots/.

Where Chromium is absent the tests skip with a message, except in CI (CI=true), where
they fail: .ci/run installs it.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

from netbook import paths
from conftest import toc_files

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = paths.ROOT / "test-artifacts" / "screenshots"
# Without these, Chromium phones home at start-up and the closed network refuses it.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps"]
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests, but no chromium is on PATH "
                        "(.ci/run installs Debian's chromium package)")
        pytest.skip("Chromium is not installed here (Debian: apt-get install chromium); "
                    "skipping the browser tests")
    return CHROMIUM


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    assert paths.BUILD_HTML.exists(), "no _build/html: run `make book` (make test does) first"
    handler = functools.partial(_QuietHandler, directory=str(paths.BUILD_HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageVisit:
    """A page loaded in a fresh context, with everything it asked for recorded."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        self.response = self.page.goto(url, wait_until="networkidle")

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def visits(browser, server):
    loaded = {}
    yield lambda entry: loaded.setdefault(entry, PageVisit(browser, urljoin(server, f"{entry}.html")))
    for visit in loaded.values():
        visit.close()


PAGES = toc_files()


@pytest.mark.parametrize("entry", PAGES)
def test_page_loads_cleanly(entry, visits):
    visit = visits(entry)
    assert visit.response is not None and visit.response.status == 200
    assert not visit.console_errors, visit.console_errors
    assert not visit.failed, visit.failed


@pytest.mark.parametrize("entry", PAGES)
def test_no_request_leaves_localhost(entry, visits):
    visit = visits(entry)
    outside = [u for u in visit.requests
               if urlparse(u).scheme not in {"data", "blob", "about"}
               and urlparse(u).hostname not in {"127.0.0.1", "localhost"}]
    assert not outside, outside


@pytest.mark.parametrize("entry", PAGES)
def test_images_decoded_and_tables_rendered(entry, visits):
    page = visits(entry).page
    broken = page.eval_on_selector_all(
        "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)")
    assert not broken, f"images not decoded: {broken}"
    empty = page.eval_on_selector_all(
        "article table",
        "els => els.filter(t => t.querySelectorAll('td, th').length === 0"
        " || t.getBoundingClientRect().height === 0).map(t => t.outerHTML.slice(0, 80))")
    assert not empty, f"tables that did not render: {empty}"


@pytest.mark.parametrize("entry", PAGES)
def test_figure_text_readable_at_page_width(entry, visits):
    """A figure shrunk to the column by more than 1.5x has text too small to read."""
    sizes = visits(entry).page.eval_on_selector_all(
        "article img", "els => els.map(e => [e.src, e.naturalWidth, e.getBoundingClientRect().width])")
    shrunk = [f"{src}: {natural}px shown at {shown:.0f}px" for src, natural, shown in sizes
              if shown and natural / shown > 1.5]
    assert not shrunk, shrunk


@pytest.mark.parametrize("entry", PAGES)
def test_internal_links_resolve(entry, visits, server):
    page = visits(entry).page
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    broken = []
    for href in sorted(set(hrefs)):
        url, fragment = urldefrag(href)
        if not url.startswith(server):
            continue
        target = paths.BUILD_HTML / urlparse(url).path.lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(href)
            continue
        if fragment and target.suffix == ".html":
            soup = _soup(target)
            if soup.find(id=fragment) is None and soup.find(attrs={"name": fragment}) is None:
                broken.append(href)
    assert not broken, f"links to missing pages or anchors: {broken}"


@functools.lru_cache(maxsize=None)
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("entry", PAGES)
def test_accessibility_audit(entry, visits):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visits(entry).page)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} nodes"
               for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert not serious, "\n".join(serious)


@pytest.mark.parametrize("entry", PAGES)
def test_screenshot(entry, visits):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{entry.replace('/', '__')}.png"
    visits(entry).page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, "the screenshot is suspiciously small (blank page?)"


def test_csp_blocks_a_foreign_request(browser, server):
    """The policy is real: a script asking another host is refused by the browser."""
    visit = PageVisit(browser, urljoin(server, "intro.html"))
    try:
        blocked = visit.page.evaluate(
            "() => fetch('http://192.0.2.1/x').then(() => 'fetched', e => 'blocked: ' + e.message)")
    finally:
        visit.close()
    assert blocked.startswith("blocked"), blocked
    assert any("Content Security Policy" in e or "Refused to connect" in e
               for e in visit.console_errors), visit.console_errors


@pytest.mark.parametrize("entry", ["index", "chapters/sources"])
def test_opens_from_disk(entry, browser):
    """The book also works opened as files (file://), as a reader without a server would."""
    visit = PageVisit(browser, (paths.BUILD_HTML / f"{entry}.html").as_uri())
    try:
        visit.page.wait_for_load_state("load")
        title = visit.page.title()
        broken = visit.page.eval_on_selector_all(
            "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)")
    finally:
        visit.close()
    assert "Metastatic neuroendocrine tumours" in title or "sources" in title.lower()
    assert not visit.console_errors, visit.console_errors
    assert not broken, broken
    assert all(urlparse(u).scheme in {"file", "data", "about"} for u in visit.requests), visit.requests
