"""The built HTML book: every toc entry a page, images described, no warnings,
nothing fetched from another host. `make test` builds the book first."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from conftest import as_shown, stored_glue

from netbook import paths
from netbook.toc import toc_files

HTML = paths.BUILD_HTML
BUILD_LOG = paths.ROOT / "_build" / "build.log"


@pytest.fixture(scope="module")
def pages() -> dict[str, BeautifulSoup]:
    assert HTML.exists(), "no _build/html: run `make book` (make test does) before these tests"
    return {
        str(p.relative_to(HTML)): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in sorted(HTML.rglob("*.html"))
        if "_static" not in p.parts
    }


def test_every_toc_entry_became_a_page(pages):
    missing = [e for e in toc_files() if f"{e}.html" not in pages]
    assert not missing, f"toc entries without a page: {missing}"


def test_build_emitted_no_warnings():
    assert BUILD_LOG.exists(), "make book writes _build/build.log"
    log = BUILD_LOG.read_text(encoding="utf-8")
    assert "build succeeded" in log
    warnings = [
        line
        for line in log.splitlines()
        if re.search(r"\bWARNING\b|\bERROR\b", line) and "Kernel is running over TCP" not in line
    ]
    assert not warnings, "\n".join(warnings[:20])


def test_every_image_has_alt_text(pages):
    missing = [
        f"{name}: {img.get('src')}"
        for name, soup in pages.items()
        for img in soup.find_all("img")
        if not (img.get("alt") or "").strip()
    ]
    assert not missing, missing


def test_every_figure_has_a_caption(pages):
    bare = [
        f"{name}: {fig.get('id')}"
        for name, soup in pages.items()
        for fig in soup.find_all("figure")
        if not fig.find("figcaption")
    ]
    assert not bare, bare


def test_no_resource_from_another_host(pages):
    external = re.compile(r"^(https?:)?//", re.I)
    found = []
    for name, soup in pages.items():
        for tag, attr in (
            ("script", "src"),
            ("link", "href"),
            ("img", "src"),
            ("iframe", "src"),
            ("source", "src"),
            ("video", "src"),
            ("audio", "src"),
        ):
            for element in soup.find_all(tag):
                url = element.get(attr) or ""
                if (
                    tag == "link"
                    and "stylesheet" not in (element.get("rel") or [])
                    and "preload" not in (element.get("rel") or [])
                ):
                    continue
                if external.match(url):
                    found.append(f"{name}: <{tag} {attr}={url}>")
    assert not found, found


def test_glued_values_were_substituted(pages):
    leftovers = [name for name, soup in pages.items() if "{glue" in soup.get_text()]
    assert not leftovers, f"unrendered glue roles on: {leftovers}"


def test_not_medical_advice_is_stated(pages):
    assert "not medical advice" in pages["intro.html"].get_text()


def test_ledger_quotes_are_in_the_search_index():
    import json

    import snowballstemmer

    from netbook import extracted_values, load_all_tables

    raw = (HTML / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    ledger = index["docnames"].index("chapters/provenance_ledger")
    quotes = " ".join(extracted_values(load_all_tables())["quote"])
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z]{9,}", quotes)})[:40]
    assert words, "the ledger has no quotes to search for"

    def docs(term_docs):
        return term_docs if isinstance(term_docs, list) else [term_docs]

    stem = snowballstemmer.stemmer("english").stemWord  # the stemmer Sphinx's search uses
    terms = index["terms"]
    missing = [w for w in words if stem(w) not in terms or ledger not in docs(terms[stem(w)])]
    assert not missing, f"quote words the search cannot find on the ledger page: {missing}"


# ------------------------------------------------------------------ page weight (issue 14,
# _ext/page_weight.py); the byte budget itself is measured in Chromium (test_page_budget.py)


def test_every_page_has_a_meta_description(pages):
    bad = []
    for name, soup in pages.items():
        if name == "index.html":  # the redirect to intro.html that jupyter-book writes
            continue
        tags = soup.find_all("meta", attrs={"name": "description"})
        content = tags[0].get("content", "").strip() if len(tags) == 1 else ""
        if not content or len(content) > 160:
            bad.append(f"{name}: {[t.get('content') for t in tags]}")
    assert not bad, bad


def test_a_chapter_description_is_its_first_paragraph(pages):
    for entry in [e for e in toc_files() if e.startswith("chapters/")]:
        soup = pages[f"{entry}.html"]
        description = soup.find("meta", attrs={"name": "description"})["content"].rstrip("…")
        first = " ".join(soup.find("article").find("section").find("p", recursive=False).get_text().split())
        assert first.startswith(description), (entry, description, first[:200])


def test_images_carry_their_file_size_and_load_lazily_after_the_first(pages):
    import imagesize

    problems = []
    for name, soup in pages.items():
        for index, img in enumerate(soup.find_all("img")):
            path = (HTML / name).parent / img["src"]
            if (img.get("width"), img.get("height")) != tuple(str(n) for n in imagesize.get(str(path))):
                problems.append(
                    f"{name}: {img['src']} is {imagesize.get(str(path))}, "
                    f"tagged {img.get('width')}x{img.get('height')}"
                )
            if index > 0 and img.get("loading") != "lazy":
                problems.append(f"{name}: image {index + 1} ({img['src']}) is not lazy")
    assert not problems, problems


def test_pages_load_neither_the_icon_bundle_nor_the_search_index(pages):
    found = []
    for name, soup in pages.items():
        sources = [s.get("src", "") for s in soup.find_all("script")]
        if any("fontawesome.js" in s for s in sources):
            found.append(f"{name}: fontawesome.js")
        if name != "search.html" and any(s.endswith(("searchindex.js", "searchtools.js")) for s in sources):
            found.append(f"{name}: search scripts")
        left = [
            str(t)[:80]
            for t in soup.find_all(
                ["i", "span"], class_=re.compile(r"^fa-(solid|regular|brands)$|^fa[sbr]?$")
            )
        ]
        found += [f"{name}: icon left for fontawesome.js: {t}" for t in left]
    assert not found, found
    assert not (HTML / "_static" / "scripts" / "fontawesome.js").exists()
    assert (HTML / "search.html").read_text(encoding="utf-8").count("searchindex.js") == 1


PASTED = re.compile(r"\{glue:text\}`([\w/]+\.ipynb)::(\w+):([^`]*)`")


def test_intro_summary_shows_the_chapters_current_values(pages):
    """The intro's "what the sources say" pastes values glued in the chapters: each shows
    what the chapter's stored output holds now (a stale page would show an old value)."""
    pasted = PASTED.findall((paths.ROOT / "intro.md").read_text(encoding="utf-8"))
    assert len({nb for nb, _, _ in pasted}) >= 4, "the summary should draw on the chapters"
    section = pages["intro.html"].find(id="what-the-sources-say").get_text(" ")
    section = re.sub(r"\s+", " ", section)
    missing = []
    for notebook, key, spec in pasted:
        value = as_shown(stored_glue(paths.ROOT / notebook)[key], spec)
        if value not in section:
            missing.append(f"{notebook}::{key} = {value!r}")
    assert not missing, f"values not on the intro page: {missing}"
