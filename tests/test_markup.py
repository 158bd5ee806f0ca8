"""netbook.markup: HTML edited through a parser, at the places it reports."""

from __future__ import annotations

import pytest

from netbook import markup


def test_escape_is_safe_in_an_element_and_a_quoted_attribute():
    assert markup.escape('<a href="x">&\'</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;&lt;/a&gt;"
    assert markup.escape("'self' \"x\"", single_quote=False) == "'self' &quot;x&quot;"
    assert markup.escape(None) == ""


def test_element_escapes_text_and_attributes():
    assert markup.element("caption", "A <b> & C") == "<caption>A &lt;b&gt; &amp; C</caption>"
    assert markup.element("a", "x", href='"><script>', class_="y") == (
        '<a href="&quot;&gt;&lt;script&gt;" class="y">x</a>'
    )


def test_elements_have_their_places_and_nesting():
    text = '<div id="a"><table><tr><td><table class="t"><tr><td>x</td></tr></table></td></tr></table></div>'
    document = markup.parse(text)
    outer, inner = document.find_all("table")
    assert document.outer(outer) == text[len('<div id="a">') : -len("</div>")]
    assert document.outer(inner) == '<table class="t"><tr><td>x</td></tr></table>'
    assert outer in inner.ancestors() and inner in outer.descendants()
    assert document.find_all(class_="t") == [inner] and document.find_all(id="a")[0].name == "div"


def test_text_runs_skip_tags_scripts_and_decode_entities():
    document = markup.parse('<p title="x &amp; y">a &amp; <b>b</b></p><script>if (a < b) {}</script>c')
    assert document.text_of() == "a & bc"
    assert [t.raw for t in document.texts] == ["a &amp; ", "b", "c"]


def test_void_and_self_closed_elements_take_no_children():
    document = markup.parse('<p>a<br>b<img src="x" />c</p>')
    p = document.find_all("p")[0]
    assert [c.name for c in p.children] == ["br", "img"] and document.text_of(p) == "abc"


def test_attributes_are_set_replaced_and_removed_in_place():
    text = "<table  class='x' tabindex=0 data-a=\"1\"><tr></tr></table>"
    document = markup.parse(text)
    table = document.find_all("table")[0]
    edits = markup.Edits(document)
    edits.set_attribute(table, "class", "y & z")
    edits.remove_attribute(table, "tabindex")
    edits.set_attribute(table, "role", "grid")
    assert edits.apply() == '<table role="grid"  class="y &amp; z" data-a="1"><tr></tr></table>'


def test_overlapping_edits_are_refused():
    document = markup.parse("<p>abc</p>")
    edits = markup.Edits(document)
    edits.replace(0, 5, "")
    edits.replace(3, 6, "")
    with pytest.raises(ValueError, match="overlapping edits"):
        edits.apply()


def test_replace_in_text_never_touches_a_tag_an_attribute_or_a_link():
    text = '<td title="64%">64%</td><td><a href="#64%">64%</a></td><td>64% and 64%</td>'
    out, count = markup.replace_in_text(text, "64%", "<b>64%</b>")
    assert count == 3
    assert out == (
        '<td title="64%"><b>64%</b></td><td><a href="#64%">64%</a></td><td><b>64%</b> and <b>64%</b></td>'
    )


def test_insert_after_element_goes_after_the_first_element_or_at_the_end():
    text = "<table>\n<tr></tr></table><p>note</p>"
    assert markup.insert_after_element(text, "table", "\n<caption>C</caption>", first_child=True) == (
        "<table>\n<caption>C</caption>\n<tr></tr></table><p>note</p>"
    )
    assert (
        markup.insert_after_element(text, "table", "<p>x</p>")
        == "<table>\n<tr></tr></table><p>x</p><p>note</p>"
    )
    assert markup.insert_after_element("<p>no table</p>", "table", "<p>x</p>") == "<p>no table</p><p>x</p>"


def test_one_anchor_format_for_a_row_and_its_links():
    assert markup.anchor("audit", "A1") == "audit-A1"
    assert markup.anchor("contradiction", 3) == "contradiction-3"


def test_shown_text_leaves_out_what_aria_hidden_hides():
    document = markup.parse(
        '<button><svg aria-hidden="true"><title>Dark</title></svg><span>Search</span></button>'
    )
    button = document.find_all("button")[0]
    assert document.text_of(button) == "DarkSearch"
    assert document.text_of(button, shown=True) == "Search"
    assert document.text_of(shown=True) == "Search"
