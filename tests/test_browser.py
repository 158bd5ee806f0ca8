"""Every page of the built book in a real browser (Debian's headless Chromium).

Served on 127.0.0.1, each page in the toc must load with no console error, make no
request that leaves localhost, decode every image, render every table, link only to
pages and anchors that exist, and pass an axe-core audit with no serious or critical
violation (test_accessibility.py). One screenshot per page goes to
test-artifacts/screenshots/ (test_screenshots.py). The theme's icons are drawn (inline
SVG), dark mode switches, and search finds a word of the provenance ledger; every built
page stays within its byte budget (test_page_budget.py). Split in files so that
pytest-xdist (--dist loadfile) can run them on different workers.

Where Chromium is absent the tests skip with a message, except in CI (CI=true), where
they fail: .ci/run installs it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from bs4 import BeautifulSoup
from conftest import DESKTOP, PHONE, PageVisit

from netbook import paths
from netbook.toc import toc_files

# chromium_path, server, browser, PageVisit and `visits` (each page loaded once per
# worker, shared by the browser test modules that worker runs) are in conftest.py: with
# pytest-xdist each worker starts one browser.

PAGES = toc_files()


@pytest.mark.parametrize("entry", PAGES)
def test_page_loads_cleanly(entry, visits):
    visit = visits(entry)
    assert visit.response is not None and visit.response.status == 200
    assert not visit.load_console_errors, visit.load_console_errors
    assert not visit.load_failed, visit.load_failed


@pytest.mark.parametrize("entry", PAGES)
def test_no_request_leaves_localhost(entry, visits):
    visit = visits(entry)
    outside = [
        u
        for u in visit.requests
        if urlparse(u).scheme not in {"data", "blob", "about"}
        and urlparse(u).hostname not in {"127.0.0.1", "localhost"}
    ]
    assert not outside, outside


@pytest.mark.parametrize("entry", PAGES)
def test_images_decoded_and_tables_rendered(entry, visits):
    page = visits(entry).load_images()
    broken = page.eval_on_selector_all(
        "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)"
    )
    assert not broken, f"images not decoded: {broken}"
    empty = page.eval_on_selector_all(
        "article table",
        "els => els.filter(t => t.querySelectorAll('td, th').length === 0"
        " || t.getBoundingClientRect().height === 0).map(t => t.outerHTML.slice(0, 80))",
    )
    assert not empty, f"tables that did not render: {empty}"


@pytest.mark.parametrize("entry", PAGES)
def test_figure_text_readable_at_page_width(entry, visits):
    """A figure shrunk to the column by more than 1.5x has text too small to read."""
    sizes = (
        visits(entry)
        .load_images()
        .eval_on_selector_all(
            "article img", "els => els.map(e => [e.src, e.naturalWidth, e.getBoundingClientRect().width])"
        )
    )
    shrunk = [
        f"{src}: {natural}px shown at {shown:.0f}px"
        for src, natural, shown in sizes
        if shown and natural / shown > 1.5
    ]
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


@functools.cache
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_csp_blocks_a_foreign_request(browser, server):
    """The policy is real: a script asking another host is refused by the browser."""
    visit = PageVisit(browser, urljoin(server, "intro.html"))
    try:
        blocked = visit.page.evaluate(
            "() => fetch('http://192.0.2.1/x').then(() => 'fetched', e => 'blocked: ' + e.message)"
        )
    finally:
        visit.close()
    assert blocked.startswith("blocked"), blocked
    assert any("Content Security Policy" in e or "Refused to connect" in e for e in visit.console_errors), (
        visit.console_errors
    )


@pytest.mark.parametrize("entry", ["index", "chapters/sources"])
def test_opens_from_disk(entry, browser):
    """The book also works opened as files (file://), as a reader without a server would."""
    visit = PageVisit(browser, (paths.BUILD_HTML / f"{entry}.html").as_uri())
    try:
        visit.page.wait_for_load_state("load")
        title = visit.page.title()
        broken = visit.load_images().eval_on_selector_all(
            "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)"
        )
    finally:
        visit.close()
    assert "Metastatic neuroendocrine tumours" in title or "sources" in title.lower()
    assert not visit.console_errors, visit.console_errors
    assert not broken, broken
    assert all(urlparse(u).scheme in {"file", "data", "about"} for u in visit.requests), visit.requests


# ------------------------------------------------------------------ icons, dark mode, search
# (issue 14; the byte budget is in test_page_budget.py, the axe audit in test_accessibility.py)


@pytest.mark.parametrize("entry", PAGES)
def test_icons_are_drawn(entry, visits):
    """Every theme icon is an inline SVG with a size; none is left for fontawesome.js."""
    page = visits(entry).page
    left = page.eval_on_selector_all(
        "i[class*='fa-'], span[class*='fa-']",
        "els => els.filter(e => /\\bfa(s|b|r|-solid|-regular|-brands)?\\b/.test(e.className))"
        ".map(e => e.outerHTML)",
    )
    assert not left, f"icons not replaced: {left}"
    icons = page.eval_on_selector_all(
        "svg.svg-inline--fa",
        "els => els.map(e => [e.dataset.icon, e.querySelector('path') !== null, getComputedStyle(e).height])",
    )
    assert icons, "no icon on the page"
    bad = [i for i in icons if not i[1] or i[2] in {"0px", "auto"}]
    assert not bad, bad


def test_theme_switch_icon_follows_the_mode(browser, server):
    """Dark mode still works: the switch cycles the modes, each showing its own icon."""
    visit = PageVisit(browser, urljoin(server, "intro.html"))
    expected = {"light": "sun", "dark": "moon", "auto": "circle-half-stroke"}
    try:
        page = visit.page
        seen = {}
        for _ in range(3):
            mode, theme = page.evaluate(
                "() => [document.documentElement.dataset.mode, document.documentElement.dataset.theme]"
            )
            shown = page.eval_on_selector_all(
                ".theme-switch-button svg.theme-switch",
                "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => e.dataset.icon)",
            )
            seen[mode] = (theme, shown)
            page.click(".theme-switch-button")
        assert set(seen) == set(expected), seen
        assert all(shown == [expected[mode]] for mode, (_, shown) in seen.items()), seen
        assert seen["dark"][0] == "dark" and seen["light"][0] == "light", seen
        assert not visit.console_errors, visit.console_errors
    finally:
        visit.close()


def _ledger_only_word() -> str:
    """A word of the ledger page's text that no other page of the book has (the reading
    view of the sources aside: it prints every source sentence, so every quote's words)."""

    def words(name):
        text = (
            BeautifulSoup((paths.BUILD_HTML / name).read_text(encoding="utf-8"), "html.parser")
            .find("article")
            .get_text(" ")
        )
        return {w.lower() for w in re.findall(r"[A-Za-z]{9,}", text)}

    others = set().union(
        *(
            words(f"{e}.html")
            for e in toc_files()
            if e not in ("chapters/provenance_ledger", "chapters/source_texts")
        )
    )
    only = sorted(words("chapters/provenance_ledger.html") - others)
    assert only, "the ledger has no word of its own to search for"
    return only[0]


def test_search_finds_a_ledger_word(browser, server):
    """Search works without its index on every page: the box prefetches it, the search page runs it."""
    word = _ledger_only_word()
    visit = PageVisit(browser, urljoin(server, "intro.html"))
    try:
        page = visit.page
        assert not any("searchindex.js" in u for u in visit.requests), "index loaded before searching"
        page.click("button.search-button__button")
        box = page.locator("#pst-search-dialog input[name='q']")
        box.wait_for(state="visible")
        box.fill(word)
        page.wait_for_function(
            "() => performance.getEntriesByType('resource').some(e => e.name.endsWith('searchindex.js'))"
        )
        with page.expect_navigation():
            box.press("Enter")
        page.wait_for_selector("#search-results ul.search li", timeout=15000)
        hits = page.eval_on_selector_all(
            "#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))"
        )
        assert any("provenance_ledger" in h for h in hits), (word, hits)
        assert not visit.console_errors, visit.console_errors
    finally:
        visit.close()


# ------------------------------------------------------------------ page length, one search (issue 21)

#: Reference pages a reader searches rather than reads through: exempt from the length limit.
REFERENCE_PAGES = {"chapters/provenance_ledger", "chapters/source_texts"}
#: The longest a chapter page may be at 1280 x 900, in screens of 900 px.
MAX_SCREENS = 15
CHAPTER_PAGES = [e for e in PAGES if e.startswith("chapters/") and e not in REFERENCE_PAGES]


def test_every_chapter_page_of_the_toc_is_measured():
    """The pages come from _toc.yml, sub-pages (``sections``) included, so a page added
    under a chapter is measured too; only the two reference pages are left out."""
    assert "chapters/case_ozdirik2020_checks" in CHAPTER_PAGES
    assert "chapters/across_sources_criteria" in CHAPTER_PAGES
    assert not REFERENCE_PAGES & set(CHAPTER_PAGES)
    assert REFERENCE_PAGES <= set(PAGES), "an exempt page is no longer in _toc.yml"


@pytest.mark.parametrize("entry", CHAPTER_PAGES)
def test_chapter_page_is_at_most_fifteen_screens(entry, visits):
    """No chapter page is a scroll of more than 15 screens at 1280 x 900 (issue 21): a
    clinician looking up one thing finds it; longer material goes on a page under the chapter."""
    page = visits(entry).load_images()  # lazy images keep their space, but load them all
    height = page.evaluate("document.scrollingElement.scrollHeight")
    screens = height / DESKTOP["height"]
    assert screens <= MAX_SCREENS, (
        f"{entry} is {height} px tall at {DESKTOP['width']} x {DESKTOP['height']}: {screens:.1f} screens, "
        f"more than {MAX_SCREENS}"
    )


WIDE_TABLES = """() => {
    const column = document.querySelector('article.bd-article > section').getBoundingClientRect().width;
    return [...document.querySelectorAll('article .netbook-table-box table')]
        .filter(t => t.getBoundingClientRect().width > column + 2)
        .filter(t => !t.closest('.tag_full-width, .full-width'))
        .map(t => (t.caption ? t.caption.textContent : t.outerHTML).slice(0, 80));
}"""


@pytest.mark.parametrize("entry", CHAPTER_PAGES)
def test_tables_wider_than_the_text_column_use_the_page_width(entry, visits):
    """At 1280 px a table wider than the text column sits in a full-width cell (the theme's
    full-width class: it spreads over the right margin) rather than in a box of the
    column's width that scrolls sideways."""
    narrow = visits(entry).page.evaluate(WIDE_TABLES)
    assert not narrow, (
        f"{entry}: tables wider than the column, not full width (tag the cell full-width): {narrow}"
    )


VISIBLE_SEARCH = """() => {
    const seen = el => {
        const r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    };
    const entries = [...document.querySelectorAll(
        'button.search-button__button, form.bd-search, input[type=search], input[name=q], a[href$="search.html"]')];
    return entries.filter(seen).map(el => [
        el.tagName.toLowerCase() + '.' + [...el.classList].join('.'),
        el.closest('.bd-header-article, header') !== null,
    ]);
}"""


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=lambda v: str(v["width"]))
@pytest.mark.parametrize("entry", PAGES)
def test_one_search_entry_point_in_the_header(entry, width, visits):
    """Exactly one search field or button shows, in the header, at a laptop's and a phone's
    width (the theme pair showed one in a bar above the page and one in the sidebar)."""
    shown = visits(entry, width).page.evaluate(VISIBLE_SEARCH)
    assert len(shown) == 1, f"{entry} at {width['width']} px: {len(shown)} search entry points: {shown}"
    assert shown[0][1], (
        f"{entry} at {width['width']} px: the search entry point is not in the header: {shown}"
    )


def test_the_header_search_opens_and_finds(browser, server):
    """At a phone's width too, the one search button opens the search box, and a search
    for a word of a chapter returns that chapter."""
    visit = PageVisit(browser, urljoin(server, "chapters/checkpoint_inhibitors.html"), PHONE)
    try:
        page = visit.page
        page.click("button.search-button__button")
        box = page.locator("#pst-search-dialog input[name='q']")
        box.wait_for(state="visible")
        box.fill("pembrolizumab")
        with page.expect_navigation():
            box.press("Enter")
        page.wait_for_selector("#search-results ul.search li", timeout=15000)
        hits = page.eval_on_selector_all(
            "#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))"
        )
        assert any("checkpoint_inhibitors" in h for h in hits), hits
        assert not visit.console_errors, visit.console_errors
    finally:
        visit.close()


# ------------------------------------------------------------------ no inline script allowed (issue 22)


def test_no_page_allows_inline_script():
    """Every built page's policy lists its inline scripts by hash; none says 'unsafe-inline'."""
    pages = [p for p in sorted(paths.BUILD_HTML.rglob("*.html")) if "_static" not in p.parts]
    checked = 0
    for page in pages:
        meta = _soup(page).find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        if meta is None:
            continue
        script_src = meta["content"].split("script-src", 1)[1].split(";")[0]
        assert "'unsafe-inline'" not in script_src, page
        assert not _soup(page).find(lambda t: any(a.lower().startswith("on") for a in t.attrs)), page
        checked += 1
    assert checked >= len(PAGES)


def test_widgets_work_under_the_policy(browser, server):
    """Code folds, the download menu, the table boxes and the header buttons work with no
    CSP violation (Chromium logs each as a console error; the page also counts them)."""
    visit = PageVisit(browser, urljoin(server, "chapters/hepatic_metastases.html"))
    try:
        page = visit.page
        page.evaluate(
            "() => { window.__violations = [];"
            " document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective)); }"
        )
        fold = page.locator("details.hide.above-input").first
        assert fold.evaluate("e => e.open") is False
        fold.locator("summary").click()
        assert fold.evaluate("e => e.open") is True
        page.click(".dropdown-download-buttons button.dropdown-toggle")
        page.locator(".dropdown-download-buttons .dropdown-menu").wait_for(state="visible")
        assert page.locator("[data-netbook-action='print']").count() == 1
        assert page.locator("[data-netbook-action='fullscreen']").count() == 1
        box = page.locator(".netbook-table-box").first
        box.focus()
        assert box.evaluate("e => document.activeElement === e")
        assert page.evaluate("() => window.__violations") == []
        assert not visit.console_errors, visit.console_errors
    finally:
        visit.close()


_COLLECT_VIOLATIONS = (
    "window.__violations = [];"
    " document.addEventListener('securitypolicyviolation', e =>"
    " window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"
)


def _exercise(page) -> list[str]:
    """Use every widget the page has: code folds and toggles, the download menu, the
    table boxes, the colour-mode switch (through its three modes), the search dialog."""
    done = []
    # visible ones: a sidebar toggle of a chapter's pages is hidden on a narrow screen
    for fold in page.locator("details summary:visible").all()[:12]:
        fold.scroll_into_view_if_needed()
        fold.click()
        done.append("fold")
    for toggle in page.locator("button.toggle-button").all()[:6]:
        toggle.scroll_into_view_if_needed()
        toggle.click()
        done.append("toggle")
    page.evaluate("() => window.scrollTo(0, 0)")
    if page.locator(".dropdown-download-buttons button.dropdown-toggle").count():
        page.click(".dropdown-download-buttons button.dropdown-toggle")
        page.locator(".dropdown-download-buttons .dropdown-menu").wait_for(state="visible")
        page.keyboard.press("Escape")
        done.append("download menu")
    for box in page.locator(".netbook-table-box").all()[:6]:
        box.focus()
        done.append("table box")
    for _ in range(3):
        page.click(".theme-switch-button")
        done.append("colour mode")
    page.click("button.search-button__button")
    page.locator("#pst-search-dialog input[name='q']").wait_for(state="visible")
    page.keyboard.press("Escape")
    done.append("search dialog")
    return done


def test_no_csp_violation_on_any_page_while_its_widgets_are_used(browser, server):
    """Every page of the book, in light and dark mode, loaded with a listener for
    securitypolicyviolation installed before any of the page's own scripts: using its
    widgets (code folds, the download menu, the table boxes, the colour-mode switch, the
    search dialog) and then searching (the search page runs the index) raises no CSP
    violation, and Chromium logs no console error."""
    used = set()
    for mode in ("light", "dark"):
        for entry in PAGES:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(
                f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"
                + _COLLECT_VIOLATIONS
            )
            page = context.new_page()
            page.set_default_timeout(120_000)
            errors = []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            try:
                page.goto(urljoin(server, f"{entry}.html"), wait_until="load")
                page.wait_for_load_state("networkidle")
                used |= set(_exercise(page))
                violations = page.evaluate("() => window.__violations")
            finally:
                context.close()
            assert violations == [], (entry, mode, violations)
            assert errors == [], (entry, mode, errors)
    assert used >= {"fold", "download menu", "table box", "colour mode", "search dialog"}, used
    # the search page: the query runs against the index under the same policy
    context = browser.new_context()
    context.add_init_script(_COLLECT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(120_000)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        page.goto(urljoin(server, f"search.html?q={_ledger_only_word()}"), wait_until="load")
        page.wait_for_selector("#search-results ul.search li", timeout=30000)
        violations = page.evaluate("() => window.__violations")
    finally:
        context.close()
    assert violations == [] and errors == [], (violations, errors)


def test_the_violation_listener_sees_a_violation(browser, server):
    """The listener the test above relies on reports a blocked inline script (so an empty
    list there means no violation, not a listener that never fires)."""
    context = browser.new_context()
    context.add_init_script(_COLLECT_VIOLATIONS)
    page = context.new_page()
    try:
        page.goto(urljoin(server, "intro.html"), wait_until="load")
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
            " document.body.appendChild(s); }"
        )
        page.wait_for_function("() => window.__violations.length > 0", timeout=10000)
        violations = page.evaluate("() => window.__violations")
        ran = page.evaluate("() => window.__ran || null")
    finally:
        context.close()
    assert ran is None
    assert any(v.startswith("script-src") for v in violations), violations
