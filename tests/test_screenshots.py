"""Screenshots of every page of the built book, in Chromium, to test-artifacts/screenshots/:
at a laptop's width (1280 px) and a phone's (390 px), in light and dark mode, named
``<page>__<width>__<mode>.png`` (``chapters__hepatic_metastases__390__dark.png``). The one
place the book's screenshots are taken (its own file so pytest-xdist can run it on
another worker).

Light mode full-page at both widths, except pages taller than FULL_PAGE_MAX_PX (the
provenance ledger is about 240,000 px tall: a full-page PNG of it takes some 20 s and
15 MB, and no one reads it as one picture); dark mode, and those tall pages, show the
first screen, which is where a dark-mode fault shows (page colours, header, key points,
first table). Full-page shots in both modes made this file the suite's longest by far
(193 s of 261 s on this machine), for pictures that differ only in colour.
"""

from __future__ import annotations

import pytest
from conftest import DESKTOP, PHONE

from netbook import paths
from netbook.toc import toc_files

SCREENSHOTS = paths.ROOT / "test-artifacts" / "screenshots"
PAGES = toc_files()
WIDTHS = {1280: DESKTOP, 390: PHONE}
MODES = ("light", "dark")
FULL_PAGE_MAX_PX = 150_000


def screenshot_path(entry: str, width: int, mode: str):
    return SCREENSHOTS / f"{entry.replace('/', '__')}__{width}__{mode}.png"


SET_MODE = """mode => {
    document.documentElement.dataset.mode = mode;  // what the theme's own switch sets
    document.documentElement.dataset.theme = mode;
    window.scrollTo(0, 0);
}"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", sorted(WIDTHS, reverse=True))
@pytest.mark.parametrize("entry", PAGES)
def test_screenshot(entry, width, mode, visits):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = screenshot_path(entry, width, mode)
    # the page the other browser tests of this worker share, switched to dark and back
    # (a page load per dark screenshot cost more than the screenshot itself)
    visit = visits(entry, WIDTHS[width])
    page = visit.page
    try:
        page.evaluate(SET_MODE, mode)
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        height = page.evaluate("document.scrollingElement.scrollHeight")
        full = mode == "light" and height <= FULL_PAGE_MAX_PX
        if full:  # the lazy images below the first screen load only when scrolled to
            visit.load_images()
        # animations="disabled" ends the theme's colour transitions at once (a fixed wait
        # for them cost 13 s over the 44 shots)
        page.screenshot(path=str(path), full_page=full, animations="disabled", timeout=120_000)
    finally:
        page.evaluate(SET_MODE, "light")
    assert path.stat().st_size > 10_000, "the screenshot is suspiciously small (blank page?)"
