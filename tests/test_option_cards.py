"""The hepatic chapter's pages in Chromium: each option's card fits one 1280 x 900 screen,
every page stays within MAX_SCREENS screens at 1280 px, the evidence map's every cell
links to a card that exists on the built pages. Screenshots of every card go to
``test-artifacts/option-cards/`` (at 1280 and 390 px, light and dark)."""

from __future__ import annotations

import re

import pytest
from conftest import DESKTOP, PHONE

from netbook import paths
from netbook.chapters import hepatic_metastases as hm

SHOTS = paths.ROOT / "test-artifacts" / "option-cards"
HEPATIC_PAGES = [
    "chapters/hepatic_metastases",
    *(f"chapters/{p}" for p in hm.OPTION_PAGES),
    "chapters/hepatic_across_options",
    "chapters/hepatic_audit",
]
MAX_SCREENS = 15  # of 900 px, at 1280 px wide
CARDS = [(page, option_id) for page, option_ids in hm.OPTION_PAGES.items() for option_id in option_ids]


@pytest.mark.parametrize("entry", HEPATIC_PAGES)
def test_hepatic_page_is_at_most_fifteen_screens_tall(entry, visits):
    page = visits(entry).page
    height = page.evaluate("document.scrollingElement.scrollHeight")
    assert height <= MAX_SCREENS * DESKTOP["height"], (
        f"{entry}: {height} px tall at 1280 px, {height / DESKTOP['height']:.1f} screens (at most {MAX_SCREENS})"
    )


@pytest.mark.parametrize(("page_name", "option_id"), CARDS)
def test_each_option_card_fits_one_screen(page_name, option_id, visits):
    page = visits(f"chapters/{page_name}").page
    card = page.locator(f"#{hm.card_anchor(option_id)}")
    assert card.count() == 1, f"no card #{hm.card_anchor(option_id)} on {page_name}"
    box = card.bounding_box()
    assert box["height"] <= DESKTOP["height"], (
        f"{option_id}: its card is {box['height']:.0f} px tall at 1280 px (one screen: {DESKTOP['height']} px)"
    )
    # the full evidence is folded under the card, closed until a click
    fold = page.locator(f"#{hm.card_anchor(option_id)} + details.option-evidence")
    assert fold.count() == 1 and fold.evaluate("e => e.open") is False
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / f"{option_id}__1280__light.png"), animations="disabled")


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_cards_screenshots_at_both_widths_and_modes(width, mode, visits):
    """A picture of one card of each page at each width and colour mode (read by eye)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page_name, option_ids in hm.OPTION_PAGES.items():
        page = visits(f"chapters/{page_name}", DESKTOP if width == 1280 else PHONE).page
        page.evaluate(
            "m => { document.documentElement.dataset.mode = m; document.documentElement.dataset.theme = m; }",
            mode,
        )
        try:
            card = page.locator(f"#{hm.card_anchor(option_ids[0])}")
            card.scroll_into_view_if_needed()
            card.screenshot(
                path=str(SHOTS / f"{page_name}__{option_ids[0]}__{width}__{mode}.png"), animations="disabled"
            )
        finally:
            page.evaluate(
                "() => { document.documentElement.dataset.mode = 'light'; document.documentElement.dataset.theme = 'light'; }"
            )


def test_every_evidence_map_link_opens_a_card_that_exists():
    """Every link of the built evidence map points to an option card present on the
    built page it names, and every option of the review has a row with such a link."""
    from bs4 import BeautifulSoup

    built = paths.BUILD_HTML / "chapters"
    soup = BeautifulSoup((built / "hepatic_metastases.html").read_text(encoding="utf-8"), "html.parser")
    table = soup.find("table", class_="evidence-map")
    assert table is not None, "no evidence map on the overview page"
    ids_on = {}
    hrefs = [a["href"] for a in table.find_all("a")]
    assert len(hrefs) >= 2 * len(CARDS)  # each row: its name and at least one cell
    for href in hrefs:
        page_file, _, anchor = href.partition("#")
        if page_file not in ids_on:
            page_soup = BeautifulSoup((built / page_file).read_text(encoding="utf-8"), "html.parser")
            ids_on[page_file] = {t["id"] for t in page_soup.select("section.option-card[id]")}
        assert anchor in ids_on[page_file], f"the evidence map links {href}, where there is no option card"
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == len(CARDS)
    linked = {re.sub(r"^.*#", "", a["href"]) for a in table.find_all("a")}
    assert linked == {hm.card_anchor(o) for _, o in CARDS}


def test_every_link_of_every_card_reaches_its_target():
    """Each card's links (its studies' references and its results' passages in the reading
    view, the evidence map, the across-sources sections about the option) point to an id
    that exists on the built page they name."""
    from bs4 import BeautifulSoup

    built = paths.BUILD_HTML / "chapters"
    ids: dict[str, set[str]] = {}
    checked = 0
    for page_name in hm.OPTION_PAGES:
        soup = BeautifulSoup((built / f"{page_name}.html").read_text(encoding="utf-8"), "html.parser")
        for card in soup.select("section.option-card"):
            for a in card.find_all("a", href=True):
                target, _, anchor = a["href"].partition("#")
                if target not in ids:
                    target_soup = BeautifulSoup((built / target).read_text(encoding="utf-8"), "html.parser")
                    ids[target] = {t["id"] for t in target_soup.find_all(id=True)}
                assert anchor in ids[target], f"{page_name}: {a['href']} leads nowhere"
                checked += 1
    assert checked > 100
    assert {"source_texts.html", "hepatic_metastases.html", "across_sources.html"} <= set(ids)
