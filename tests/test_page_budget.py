"""Every built page loads at most BUDGET_KIB of resources on first load (issue 14).

Measured in Chromium (see first_load), at a phone's and a desktop's width; and no page
loads the theme's full icon bundle or icon fonts, nor (except the search page) the search
index, on first load.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from conftest import toc_files

from netbook import paths

BUDGET_KIB = 1000
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
BUILT_PAGES = (
    sorted(
        str(p.relative_to(paths.BUILD_HTML).with_suffix("")).replace("\\", "/")
        for p in paths.BUILD_HTML.rglob("*.html")
        if "_static" not in p.parts
    )
    if paths.BUILD_HTML.exists()
    else toc_files()
)


def first_load(browser, url: str, viewport: dict) -> dict[str, int]:
    """Every response of a first load (fresh context, no cache) and its body size in bytes.

    Measured in Chromium rather than computed from the HTML, because what a page downloads
    is the browser's decision: which @font-face serves a glyph, which lazy images are near
    enough the screen to fetch. The local server does not compress, so sizes are the
    uncompressed bytes. The same build at the same viewport gives the same requests.
    """
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.ok else None)
    try:
        page.goto(url, wait_until="networkidle")
    finally:
        context.close()
    return sizes


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("entry", BUILT_PAGES)
def test_first_load_within_byte_budget(entry, viewport, browser, server):
    sizes = first_load(browser, urljoin(server, f"{entry}.html"), VIEWPORTS[viewport])
    total = sum(sizes.values())
    biggest = sorted(((n, u.replace(server, "")) for u, n in sizes.items()), reverse=True)[:5]
    assert sizes, "nothing loaded"
    assert total <= BUDGET_KIB * 1024, (
        f"{entry} ({viewport}) loads {total / 1024:,.0f} KiB > {BUDGET_KIB} KiB; largest: {biggest}"
    )
    heavy = [
        u
        for u in sizes
        if "fontawesome.js" in u or "/webfonts/" in u or ("searchindex.js" in u and entry != "search")
    ]  # the search page runs the search
    assert not heavy, f"{entry} loads what it should not on first load: {heavy}"
