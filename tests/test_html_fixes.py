"""The pure functions of _ext/html_fixes.py (the build step that fixes every HTML page)."""

from __future__ import annotations

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


def test_static_files_newer_than_their_built_copy_are_stale(tmp_path):
    import os

    source, built = tmp_path / "_static", tmp_path / "html" / "_static"
    source.mkdir()
    built.mkdir(parents=True)
    for name in ("a.css", "b.css"):
        (source / name).write_text("x")
        (built / name).write_text("x")
        os.utime(built / name, (2_000_000_000, 2_000_000_000))  # copies newer than the sources
    assert hf.stale_static_files(source, built) == []
    os.utime(source / "b.css", (2_000_000_100, 2_000_000_100))  # edited after the copy
    (source / "c.css").write_text("new")  # never copied
    assert hf.stale_static_files(source, built) == ["b.css", "c.css"]


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


def test_the_navigation_s_sub_page_toggle_gets_a_name():
    page = '<li><details open="open"><summary><span class="toctree-toggle" role="presentation"><svg></svg></span></summary></details></li>'
    labelled = hf.label_nav_toggles(page)
    assert '<summary aria-label="Show or hide the pages of this chapter">' in labelled
    assert hf.label_nav_toggles(labelled) == labelled
