"""Every built page loads at most BUDGET_KIB of resources on first load (issue 14).

Measured in Chromium (see _first_loads), at a phone's and a desktop's width; and no page
loads the theme's full icon bundle or icon fonts, nor (except the search page) the search
index, on first load.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from urllib.parse import urljoin

import pytest
from conftest import CHROMIUM_ARGS, toc_files

from netbook import paths

BUDGET_KIB = 1000
LOADS_AT_ONCE = 4
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


async def _first_loads(chromium_path: str, urls: dict[tuple, str]) -> dict[tuple, dict | Exception]:
    """Every response of each page's first load (fresh context, no cache) and its body size
    in bytes, keyed as ``urls`` is; LOADS_AT_ONCE pages at a time.

    Measured in Chromium rather than computed from the HTML, because what a page downloads
    is the browser's decision: which @font-face serves a glyph, which lazy images are near
    enough the screen to fetch. Sizes are the body bytes received (Playwright's
    ``request.sizes()``, which still answers after a page navigates on, as index.html
    does; ``response.body()`` then has nothing); the local server does not compress, so
    they are the uncompressed bytes. The same build at the same viewport gives the same requests,
    whatever else loads at the same time: each page has its own context (its own cache).
    Several at a time because most of a load is waiting (``networkidle`` waits for half a
    second of quiet), which pages can do together; one at a time took some 40 s.
    """
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        at_once = asyncio.Semaphore(LOADS_AT_ONCE)

        async def first_load(url: str, viewport: dict) -> dict[str, int]:
            async with at_once:
                context = await browser.new_context(viewport=viewport)
                page = await context.new_page()
                sizes: dict[str, int] = {}
                bodies: list[asyncio.Future] = []
                loaded = False

                async def record(response):
                    if response.ok:
                        try:
                            sizes[response.url] = (await response.request.sizes())["responseBodySize"]
                        except Exception as error:
                            raise AssertionError(f"{url}: no body for {response.url}: {error}") from error

                def on_response(response):
                    # a response after the load (the favicon, fetched when the browser
                    # gets to it) is not part of it
                    if not loaded:
                        bodies.append(asyncio.ensure_future(record(response)))

                page.on("response", on_response)
                try:
                    await page.goto(url, wait_until="networkidle")
                    loaded = True
                    await asyncio.gather(*bodies)
                finally:
                    await context.close()
                return sizes

        try:
            keys = sorted(urls)
            # a page that fails to load fails its own test, not the others'
            loads = await asyncio.gather(
                *(first_load(urls[k], VIEWPORTS[k[1]]) for k in keys), return_exceptions=True
            )
        finally:
            await browser.close()
    return dict(zip(keys, loads, strict=True))


@pytest.fixture(scope="module")
def first_loads(chromium_path, server) -> dict[tuple, dict | Exception]:
    """The first load of every built page at every viewport, by (page, viewport). In a
    thread of its own with Playwright's asyncio API: the browser fixtures' sync API
    already runs an event loop in this one."""
    urls = {(e, v): urljoin(server, f"{e}.html") for e in BUILT_PAGES for v in VIEWPORTS}
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, _first_loads(chromium_path, urls)).result()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("entry", BUILT_PAGES)
def test_first_load_within_byte_budget(entry, viewport, first_loads, server):
    sizes = first_loads[entry, viewport]
    if isinstance(sizes, Exception):
        raise sizes
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
