"""The reader's book in a real browser (issue 13): what a clinician sees on a laptop and a phone.

* Code is one click away: no code input shows until its cell's "Show code cell source"
  fold (myst-nb's ``hide-input``) is clicked, and one click shows it.
* Each content chapter opens with a key-points list (3 to 6 points) before its first
  section heading.
* At a phone's width (390 px) the page never scrolls sideways: whatever is wider than the
  screen sits in a box that scrolls by itself.
* A wide table scrolls inside its own box, keeping its first column and its caption in
  view (and, in a box shorter than the table, its header row), on an opaque background
  that reads in light and in dark mode.

The screenshots (1280 and 390 px, light and dark) are in test_screenshots.py.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from conftest import CONTENT_CHAPTERS, PHONE, PageVisit
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from netbook.toc import toc_files

PAGES = toc_files()
CHAPTER_PAGES = [e for e in PAGES if e.startswith("chapters/")]
# the intro and the other Markdown pages have no code cells; they are in the phone test
TOLERANCE_PX = 1

# ------------------------------------------------------------------------- code folded

# For each cell: [has a fold (details), input rendered (visible, with a size), input text length]
_CELL_INPUTS = """() => [...document.querySelectorAll('article div.cell')].map(cell => {
    const input = cell.querySelector('.cell_input');
    if (!input) return null;
    const box = input.getBoundingClientRect();
    const shown = input.checkVisibility({visibilityProperty: true, opacityProperty: true})
        && box.width > 0 && box.height > 0;
    return [cell.querySelector(':scope > details.hide.above-input') !== null, shown,
            input.textContent.trim().length];
}).filter(x => x !== null)"""

# any code block of a cell outside its outputs (printed text in an output is a result; a
# literal block in the prose is text: neither is checked)
_VISIBLE_CODE = """() => [...document.querySelectorAll('article div.cell pre')]
    .filter(pre => !pre.closest('.cell_output'))
    .filter(pre => pre.checkVisibility({visibilityProperty: true}) && pre.getBoundingClientRect().height > 0)
    .map(pre => pre.textContent.trim().slice(0, 60))"""


@pytest.mark.parametrize("entry", CHAPTER_PAGES)
def test_code_hidden_until_one_click(entry, visits):
    page = visits(entry).page
    before = page.evaluate(_CELL_INPUTS)
    assert before, f"{entry}: no code cell on the page (is it still a notebook?)"
    unfolded = [i for i, (folded, _, _) in enumerate(before) if not folded]
    assert not unfolded, f"{entry}: cells without a 'Show code cell source' fold: {unfolded}"
    shown = [i for i, (_, visible, _) in enumerate(before) if visible]
    assert not shown, f"{entry}: code visible without a click in cells {shown}"
    assert not page.evaluate(_VISIBLE_CODE), f"{entry}: code visible: {page.evaluate(_VISIBLE_CODE)}"

    toggles = page.locator("article div.cell > details.hide.above-input > summary")
    assert toggles.count() == len(before)
    try:
        for i in range(toggles.count()):
            toggles.nth(i).click()
        # the fold fades its content in (sphinx-togglebutton): wait for the fade to end
        try:
            page.wait_for_function(f"() => ({_CELL_INPUTS})().every(([, shown]) => shown)", timeout=5000)
        except PlaywrightTimeout:
            pass  # the assertion below names the cells
        after = page.evaluate(_CELL_INPUTS)
        still_hidden = [i for i, (_, visible, length) in enumerate(after) if not (visible and length)]
        assert not still_hidden, f"{entry}: one click did not show the code of cells {still_hidden}"
    finally:
        # the page is shared with the other browser tests of this worker: fold it again
        page.evaluate(
            "() => document.querySelectorAll('article details.hide.above-input')"
            ".forEach(d => { d.open = false; })"
        )
    assert not any(visible for _, visible, _ in page.evaluate(_CELL_INPUTS))


# --------------------------------------------------------------------- key points first

# The key-points admonitions and the first section heading (h2 of a section: output
# headings, such as the ledger's rubrics, are not sections), with their order.
_KEY_POINTS = """() => {
    const heading = document.querySelector('article section h2:not(.rubric)');
    const boxes = [...document.querySelectorAll('article .admonition')]
        .filter(a => (a.querySelector(':scope > .admonition-title') || {}).textContent === 'Key points');
    return {
        heading: heading ? heading.textContent.trim() : null,
        boxes: boxes.map(a => ({
            before: heading !== null
                && (a.compareDocumentPosition(heading) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0,
            above: heading !== null && a.getBoundingClientRect().bottom <= heading.getBoundingClientRect().top,
            shown: a.checkVisibility({visibilityProperty: true}) && a.getBoundingClientRect().height > 0,
            points: [...a.querySelectorAll(':scope > ul > li')].map(li => li.textContent.trim()),
        })),
    };
}"""


@pytest.mark.parametrize("name", CONTENT_CHAPTERS)
def test_key_points_before_first_section(name, visits):
    found = visits(f"chapters/{name}").page.evaluate(_KEY_POINTS)
    assert found["heading"], f"{name}: no section heading (h2) on the page"
    first = [box for box in found["boxes"] if box["before"]]
    assert first, f"{name}: no 'Key points' box before the first section ({found['heading']!r})"
    box = first[0]
    assert box["shown"] and box["above"], f"{name}: the key points are not shown above {found['heading']!r}"
    assert 3 <= len(box["points"]) <= 6, f"{name}: {len(box['points'])} key points (3 to 6 wanted)"
    assert all(box["points"]), f"{name}: an empty key point: {box['points']}"


# -------------------------------------------------------------- no sideways scroll at 390

# Elements whose box, or content overflowing it, reaches past the right edge of the screen
# and which no box that scrolls by itself (overflow-x auto or scroll) holds; or which a box
# with overflow hidden cuts off. Fixed-position layers (the theme's drawers, off-canvas
# until opened) and hidden elements do not widen the page. Only the deepest are listed.
_SIDEWAYS = """(tolerance) => {
    const vw = window.innerWidth;
    const fixed = el => { for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).position === 'fixed') return true; return false; };
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + [...el.classList].slice(0, 3).map(c => '.' + c).join('');
    const path = el => { const p = []; for (let e = el; e && e !== document.body && p.length < 4; e = e.parentElement) p.unshift(name(e)); return p.join(' > '); };
    const offenders = new Map();
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        const cs = getComputedStyle(el);
        const reach = Math.max(r.right, cs.overflowX === 'visible' ? r.left + el.scrollWidth : r.right);
        if (reach <= vw + tolerance) continue;
        if (!el.checkVisibility({visibilityProperty: true}) || fixed(el)) continue;
        let verdict = 'widens the page';
        for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
            const o = getComputedStyle(box).overflowX;
            if (o === 'auto' || o === 'scroll') { verdict = box.getBoundingClientRect().right <= vw + tolerance ? null : verdict; break; }
            if (o === 'hidden' || o === 'clip') { verdict = 'cut off by ' + name(box); break; }
        }
        if (verdict === null) continue;
        for (let a = el.parentElement; a; a = a.parentElement) offenders.delete(a);
        offenders.set(el, `${path(el)}: reaches ${Math.round(reach)} px, ${verdict}`
            + ` ${JSON.stringify((el.textContent || '').trim().slice(0, 40))}`);
    }
    return {scrollWidth: document.scrollingElement.scrollWidth, width: vw,
            offenders: [...offenders.values()].slice(0, 20)};
}"""


@pytest.mark.parametrize("entry", PAGES)
def test_no_sideways_scroll_on_a_phone(entry, visits):
    found = visits(entry, PHONE).page.evaluate(_SIDEWAYS, TOLERANCE_PX)
    assert found["width"] == PHONE["width"]
    offenders = "\n  ".join(found["offenders"])
    assert found["scrollWidth"] <= found["width"] + TOLERANCE_PX, (
        f"{entry}: the page scrolls sideways at {found['width']} px (content {found['scrollWidth']} px"
        f" wide); reaching past the edge:\n  {offenders}"
    )
    assert not found["offenders"], (
        f"{entry}: wider than the screen, outside a box that scrolls:\n  {offenders}"
    )


# ----------------------------------------------------- wide tables: own box, first column

# Every data table wider than its box at 390 px: scroll the box to its right end, then
# check that each row's first cell and the caption are still inside the box's visible
# area, and that the first cells paint an opaque background (so the columns sliding under
# them do not show through) whose text contrast is at least 4.5:1; where the box is also
# shorter than the table, scroll it to the bottom and check the header row is still at
# its top. The box is scrolled back afterwards (the page is shared).
_STICKY = """() => {
    const rgba = s => { const m = s.match(/[\\d.]+/g).map(Number); return m.length === 3 ? [...m, 1] : m; };
    const lum = ([r, g, b]) => { const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b); };
    const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const results = [];
    for (const table of document.querySelectorAll('article table.netbook-table')) {
        let box = table;
        while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
        const caption = table.querySelector('caption');
        const label = (caption ? caption.textContent : table.rows[0].textContent).trim().slice(0, 60);
        if (!box || box === document.body) { results.push({label, problems: ['no box of its own that scrolls']}); continue; }
        if (box.scrollWidth <= box.clientWidth + 1) continue;
        const saved = box.scrollLeft;
        box.scrollLeft = box.scrollWidth;
        const b = box.getBoundingClientRect();
        const problems = [];
        if (box.scrollLeft === 0) problems.push('the box does not scroll');
        const inside = el => { const r = el.getBoundingClientRect(); return r.left >= b.left - 1 && r.right <= b.right + 1; };
        for (const row of table.rows) {
            const cell = row.cells[0];
            if (!inside(cell)) { problems.push(`first cell ${JSON.stringify(cell.textContent.trim().slice(0, 30))} scrolled out of view`); break; }
            const bg = rgba(getComputedStyle(cell).backgroundColor);
            if (bg[3] < 1) { problems.push(`first cell background not opaque (${getComputedStyle(cell).backgroundColor})`); break; }
            const ratio = contrast(rgba(getComputedStyle(cell).color), bg);
            if (ratio < 4.5) { problems.push(`first cell text contrast ${ratio.toFixed(2)}:1`); break; }
        }
        if (caption && !inside(caption)) problems.push('caption scrolled out of view');
        // a box shorter than its table: the header row stays at the top of it
        const savedTop = box.scrollTop;
        box.scrollTop = box.scrollHeight;
        if (box.scrollTop > 0 && table.tHead) {
            const head = table.tHead.rows[0].cells[0].getBoundingClientRect();
            if (head.top < b.top - 1 || head.bottom > b.bottom + 1) problems.push('header row scrolled out of view');
        }
        box.scrollTop = savedTop;
        box.scrollLeft = saved;
        results.push({label, problems, overflow: box.scrollWidth - box.clientWidth});
    }
    return results;
}"""

TABLE_PAGES = [e for e in CHAPTER_PAGES if e not in ("chapters/source_texts",)]


def _check_wide_tables(page, entry):
    tables = page.evaluate(_STICKY)
    scrolled = [t for t in tables if "overflow" in t]
    bad = [f"{t['label']!r}: {'; '.join(t['problems'])}" for t in tables if t["problems"]]
    return scrolled, bad


@pytest.mark.parametrize("entry", TABLE_PAGES)
def test_wide_tables_scroll_in_their_box_first_column_kept(entry, visits):
    scrolled, bad = _check_wide_tables(visits(entry, PHONE).page, entry)
    assert not bad, f"{entry} at 390 px:\n  " + "\n  ".join(bad)
    if entry.removeprefix("chapters/") in CONTENT_CHAPTERS:
        assert scrolled, (
            f"{entry}: no table wider than the phone's screen: is this test still checking anything?"
        )


@pytest.mark.parametrize("entry", [f"chapters/{c}" for c in ("case_ozdirik2020", "across_sources")])
def test_wide_tables_read_in_dark_mode(entry, browser, server):
    """The first column's opaque background follows the theme: dark on dark pages."""
    visit = PageVisit(browser, urljoin(server, f"{entry}.html"), PHONE, mode="dark")
    try:
        assert visit.page.evaluate("document.documentElement.dataset.theme") == "dark"
        scrolled, bad = _check_wide_tables(visit.page, entry)
    finally:
        visit.close()
    assert scrolled, f"{entry}: no wide table to check"
    assert not bad, f"{entry} at 390 px, dark:\n  " + "\n  ".join(bad)
