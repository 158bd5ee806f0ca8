"""The pure functions of _ext/html_fixes.py (the build step that fixes every HTML page)."""

from __future__ import annotations

import html
import importlib.util

from bs4 import BeautifulSoup

from netbook import paths

_spec = importlib.util.spec_from_file_location("html_fixes", paths.ROOT / "_ext" / "html_fixes.py")
hf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hf)

TABLE = (
    '<table tabindex="0" class="dataframe netbook-table">\n<caption>Options &amp; <em>results</em>\n'
    "per arm</caption><thead><tr><th>Option</th></tr></thead><tbody><tr><td>TACE</td></tr></tbody></table>"
    '<p class="provenance-note">Data</p>'
)


def test_each_book_table_gets_a_scrolling_box_labelled_by_its_caption():
    body = (
        "<p>before</p>"
        + TABLE
        + '<table class="netbook-table" tabindex="0"><caption>Second</caption></table>'
    )
    soup = BeautifulSoup(hf.box_tables(body), "html.parser")
    boxes = soup.select("div.netbook-table-box")
    assert [b["aria-label"] for b in boxes] == ["Options & results per arm", "Second"]
    assert all(b["role"] == "region" and b["tabindex"] == "0" for b in boxes)
    assert [len(b.find_all("table", recursive=False)) for b in boxes] == [1, 1]
    # the box is the region a keyboard scrolls: the table is no longer a tab stop
    assert not soup.select("table[tabindex]")
    # nothing else moved: the note stays after the box, the text before it
    assert soup.select_one("div.netbook-table-box + p.provenance-note").text == "Data"
    assert soup.p.text == "before"
    assert soup.select_one("div.netbook-table-box table td").text == "TACE"


def test_other_tables_are_left_alone():
    body = (
        '<table class="table"><tr><td>a</td></tr></table><table class="dataframe"><tr><td>b</td></tr></table>'
    )
    assert hf.box_tables(body) == body


def test_a_table_without_caption_is_labelled_table():
    soup = BeautifulSoup(
        hf.box_tables('<table class="netbook-table"><tr><td>x</td></tr></table>'), "html.parser"
    )
    assert soup.select_one("div.netbook-table-box")["aria-label"] == "Table"


def test_a_caption_quote_cannot_break_out_of_the_label():
    box = hf.box_tables('<table class="netbook-table"><caption>The "best" &lt;one&gt;</caption></table>')
    assert BeautifulSoup(box, "html.parser").div["aria-label"] == 'The "best" <one>'


def _static_and_built_copies(tmp_path, source_text: str, built_text: str):
    """``_static`` with a.css and b.css, and their built copies, the copies newer."""
    import os

    source, built = tmp_path / "_static", tmp_path / "html" / "_static"
    source.mkdir()
    built.mkdir(parents=True)
    for name in ("a.css", "b.css"):
        (source / name).write_text(source_text)
        (built / name).write_text(built_text)
        os.utime(built / name, (2_000_000_000, 2_000_000_000))  # copies newer than the sources
    return source, built


def test_static_files_newer_than_their_built_copy_are_stale(tmp_path):
    import os

    source, built = _static_and_built_copies(tmp_path, "x", "x")
    assert hf.stale_static_files(source, built) == []
    os.utime(source / "b.css", (2_000_000_100, 2_000_000_100))  # edited after the copy
    (source / "c.css").write_text("new")  # never copied
    assert hf.stale_static_files(source, built) == ["b.css", "c.css"]


def test_stale_static_copies_are_deleted_before_sphinx_copies(tmp_path):
    """An edited stylesheet's old copy goes, so Sphinx writes the new one without its
    "will overwrite data" notice; up-to-date copies stay."""
    import os

    source, built = _static_and_built_copies(tmp_path, "new", "old")
    os.utime(source / "b.css", (2_000_000_100, 2_000_000_100))  # edited after the copy
    (source / "c.css").write_text("never copied")
    assert hf.drop_stale_static_copies(source, built) == ["b.css", "c.css"]
    assert sorted(p.name for p in built.iterdir()) == ["a.css"]
    assert hf.stale_static_files(source, built) == ["b.css", "c.css"]  # still to be copied


# ---------------------------------------------------------------- the policy's script hashes

PAGE = (
    "<!DOCTYPE html>\n<html><head>\n"
    '<meta charset="utf-8" /><meta http-equiv="Content-Security-Policy" content="default-src \'self\' file:; '
    "script-src 'self' file:; style-src 'self' file: 'unsafe-inline'\">\n"
    '<script>let a = 1;</script>\n<script src="x.js"></script>\n'
    '<script type="text/x-thebe-config">{"a": 1}</script>\n'
    "</head><body>\n"
    '<button onclick="window.print()"\n  class="btn">Print</button>\n'
    "<script>\n  let b = '<p>';\n</script>\n"
    "</body></html>\n"
)


def _policy(page: str) -> str:
    return BeautifulSoup(page, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})[
        "content"
    ]


def test_each_inline_script_is_allowed_by_its_hash_and_nothing_else_changes():
    out = hf.harden(PAGE)
    script_src = _policy(out).split("script-src", 1)[1].split(";")[0]
    assert "unsafe-inline" not in script_src
    assert hf.script_hash("let a = 1;") in script_src and hf.script_hash("\n  let b = '<p>';\n") in script_src
    assert script_src.count("sha256-") == 2  # not the src script, not the data block
    assert '<button data-netbook-action="print"\n  class="btn">' in out
    # outside the policy and the handler the page keeps its bytes
    assert out.replace(_policy(out), "").replace(
        'data-netbook-action="print"', 'onclick="window.print()"'
    ) == PAGE.replace(_policy(PAGE), "")


def test_a_page_hardened_twice_is_the_page_hardened_once():
    # an incremental build used to harden pages it had not written again, adding every hash once more
    once = hf.harden(PAGE)
    assert hf.harden(once) == once


def test_only_the_pages_this_build_wrote_are_finished(tmp_path):
    import written_pages as wp

    class Builder:
        format = "html"

        def get_outfilename(self, name):
            return str(tmp_path / f"{name}.html")

    class App:
        builder = Builder()

    app = App()
    wp._reset(app)
    for name in ("intro", "chapters/sources", "intro"):
        wp._record(app, name, "page.html", {}, None)
    assert wp.written_pages(app) == [tmp_path / "chapters/sources.html", tmp_path / "intro.html"]
    wp._reset(app)  # a new build starts with none
    assert wp.written_pages(app) == []


def test_the_hash_is_the_base64_sha256_of_the_script_text():
    # the value the CSP specification gives for alert('Hello, world.');
    assert (
        hf.script_hash("alert('Hello, world.');") == "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    )


def test_an_unknown_inline_handler_stops_the_build():
    import pytest

    with pytest.raises(hf.CSPError, match="onload"):
        hf.harden(PAGE.replace("<body>", '<body><svg onload="alert(1)"></svg>'))


def test_a_policy_that_allows_inline_script_is_refused():
    import pytest

    with pytest.raises(hf.CSPError, match="script-src"):
        hf.harden(PAGE.replace("script-src 'self' file:", "script-src 'self' file: 'unsafe-inline'"))


def test_a_sidebar_toggle_is_named_after_its_chapter():
    page = (
        '<ul><li class="toctree-l1"><a href="a.html">Plain</a></li>'
        '<li class="toctree-l1 current active has-children"><a class="reference internal" href="b.html">'
        'A case report: interferon-&alpha; &amp; more</a><details open="open"><summary>'
        '<span class="toctree-toggle" role="presentation"><svg></svg></span></summary><ul>'
        '<li class="toctree-l2"><a href="b_sub.html">Checks</a></li></ul></details></li></ul>'
    )
    labelled = hf.name_controls(page)
    summary = BeautifulSoup(labelled, "html.parser").find("summary")
    assert summary["aria-label"] == "Pages under A case report: interferon-α & more"
    assert labelled.replace(f' aria-label="{html.escape(summary["aria-label"], quote=True)}"', "") == page
    assert hf.name_controls("<details><summary>Show code</summary></details>") == (
        "<details><summary>Show code</summary></details>"
    )


def test_a_table_nested_in_a_book_table_leaves_the_outer_box_closed_after_the_outer_table():
    # the box used to close at the first </table>, the nested one's, inside the outer cell
    body = (
        '<table class="netbook-table"><caption>Outer</caption><tr><td>'
        '<table class="netbook-table"><caption>Inner</caption><tr><td>x</td></tr></table>'
        "</td></tr></table><p>after</p>"
    )
    soup = BeautifulSoup(hf.box_tables(body), "html.parser")
    outer = soup.find("div", class_="netbook-table-box")
    assert outer["aria-label"] == "Outer"
    assert outer.find("table", recursive=False).caption.text == "Outer"
    assert outer.find_next_sibling("p").text == "after"
    inner = outer.table.find("div", class_="netbook-table-box")
    assert inner["aria-label"] == "Inner" and inner.parent.name == "td"


def test_the_body_fixes_are_made_in_one_pass_and_keep_the_other_bytes():
    body = (
        '<ul role="list"><li role="doc-biblioentry">A</li></ul>\n'
        '<table class="dataframe"><tr><td>1</td></tr></table>\n'
        '<table class="dataframe" tabindex="-1"><tr><td>2</td></tr></table>\n'
    )
    assert hf.fix_body(body) == (
        '<ul role="list"><li role="listitem">A</li></ul>\n'
        '<table tabindex="0" class="dataframe"><tr><td>1</td></tr></table>\n'
        '<table class="dataframe" tabindex="-1"><tr><td>2</td></tr></table>\n'
    )


def test_a_toggle_already_named_or_outside_a_chapter_item_is_left_alone():
    named = (
        '<li class="toctree-l1 has-children"><a href="b.html">B</a><details><summary aria-label="x">'
        "</summary></details></li>"
    )
    assert hf.name_controls(named) == named
    no_link = '<li class="toctree-l1 has-children"><span>B</span><details><summary></summary></details></li>'
    assert hf.name_controls(no_link) == no_link


def test_a_control_is_named_by_the_words_it_shows_not_by_a_hidden_label():
    fold = (
        '<details class="admonition hide above-input">\n<summary aria-label="Toggle hidden content">\n'
        '<p class="collapsed admonition-title">Show code cell source</p>\n'
        '<p class="expanded admonition-title">Hide code cell source</p>\n</summary>\n</details>'
    )
    search = (
        '<button aria-label="Search" class="search-button"><svg aria-hidden="true"><path d="M0"/></svg>'
        "<span>Search</span><span><kbd>Ctrl</kbd>+<kbd>K</kbd></span></button>"
    )
    icon_only = '<button aria-label="Color mode"><svg aria-hidden="true"><title>x</title></svg></button>'
    toggle = '<summary aria-label="Pages under A"><span class="toctree-toggle"></span></summary>'
    matching = '<button aria-label="Search Ctrl+K">Search</button>'
    region = '<div role="region" aria-label="A caption"><table><tr><td>cell</td></tr></table></div>'
    out = hf.name_controls(fold + search + icon_only + toggle + matching + region)
    assert out == (
        fold.replace(' aria-label="Toggle hidden content"', "")
        + search.replace(' aria-label="Search"', "")
        + icon_only
        + toggle
        + matching
        + region
    )
