"""One full-page screenshot per page of the built book, in Chromium, to
test-artifacts/screenshots/. (Was part of test_browser.py; its own file so pytest-xdist
can run it on another worker: the ledger's screenshot alone is a 277,000 px tall PNG.)"""

from __future__ import annotations

import pytest
from conftest import toc_files

from netbook import paths

SCREENSHOTS = paths.ROOT / "test-artifacts" / "screenshots"
PAGES = toc_files()


@pytest.mark.parametrize("entry", PAGES)
def test_screenshot(entry, visits):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{entry.replace('/', '__')}.png"
    visits(entry).load_images().screenshot(path=str(path), full_page=True, timeout=120_000)
    assert path.stat().st_size > 10_000, "the screenshot is suspiciously small (blank page?)"
