"""Every built page loads at most BUDGET_KIB of resources on first load (issue 14).

Measured in Chromium (conftest's PageVisit: what the browser fetched before the
network went quiet, in a fresh context), at a phone's and a desktop's width; and no page
loads the theme's full icon bundle or icon fonts, nor (except the search page) the search
index, on first load.
"""

from __future__ import annotations

import pytest
from conftest import DESKTOP, PHONE

from netbook import paths
from netbook.toc import toc_files

BUDGET_KIB = 1000
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
BUILT_PAGES = (
    sorted(
        str(p.relative_to(paths.BUILD_HTML).with_suffix("")).replace("\\", "/")
        for p in paths.BUILD_HTML.rglob("*.html")
        if "_static" not in p.parts
    )
    if paths.BUILD_HTML.exists()
    else toc_files()
)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("entry", BUILT_PAGES)
def test_first_load_within_byte_budget(entry, viewport, visits, server):
    # the first load of the page the other browser tests of this worker share (conftest
    # PageVisit.load_received): a load of its own for this test cost some 40 s in all
    sizes = visits(entry, VIEWPORTS[viewport]).load_received
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
