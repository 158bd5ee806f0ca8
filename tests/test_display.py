"""Tables and provenance notes render the same way on every run."""

import html as html_module

import pandas as pd
import pytest
from conftest import EDITORIAL_ROWS, EDITORIAL_SCHEMA

from netbook import load_table
from netbook.display import markdown_table, provenance, table


def test_table_html_has_caption_and_no_index(tiny):
    df = pd.DataFrame({"b": [2, 1], "a": ["x", None]}, index=[7, 9])
    html = table(df, "Two rows")._repr_html_()
    assert "<caption>Two rows</caption>" in html
    assert ">7<" not in html and "—" in html
    assert repr(table(df)) == repr(table(df))  # no memory address in the text form


def test_provenance_names_files_and_locators(tiny):
    findings = load_table("findings", tiny.descriptor)
    note = provenance(findings)
    assert note.files == ["tables/findings.csv"]
    assert note.places == ["case: Case presentation"]
    assert 'href="../tables/findings.csv"' in note._repr_html_()
    assert "tables/findings.csv" in repr(table(findings[["finding_id"]], "F", findings))


def test_provenance_of_the_sources_table(tiny):
    note = provenance(load_table("sources", tiny.descriptor))
    assert note.files == ["sources/sources.csv"] and note.places == []
    assert 'href="../sources/sources.csv"' in note._repr_html_()


def test_provenance_refuses_a_derived_frame_without_origin():
    with pytest.raises(ValueError, match="DataFrames as returned by load_table"):
        provenance(pd.DataFrame({"source_id": ["a"], "locator": ["b"]}))


def test_markdown_table_escapes_pipes_and_backticks():
    md = markdown_table(pd.DataFrame({"quote": ["| 08/2016 | `x` |"], "n": [None]}))._repr_markdown_()
    assert md.splitlines()[2] == "| \\| 08\\/2016 \\| \\`x\\` \\| | — |"


def test_editorial_tables_are_listed_apart_as_judgement(tiny):
    tiny.add_table("readings", "editorial", EDITORIAL_SCHEMA, EDITORIAL_ROWS)
    findings, readings = load_table("findings", tiny.descriptor), load_table("readings", tiny.descriptor)
    note = provenance(findings, readings)
    assert note.files == ["tables/findings.csv"] and note.judgements == ["editorial/readings.csv"]
    assert repr(note) == (
        "Data: tables/findings.csv\nThe book's judgement: editorial/readings.csv\n"
        "Sources:\ncase: Case presentation"
    )
    html = note._repr_html_()
    assert html.index("verbatim quote") < html.index("The book's judgement") < html.index("rationale")
    assert 'href="../editorial/readings.csv"' in html
    alone = provenance(readings)
    assert alone.files == [] and repr(alone) == "The book's judgement: editorial/readings.csv"
    assert "Sources" not in alone._repr_html_()


def test_missing_cells_of_nullable_columns_print_as_a_dash():
    df = pd.DataFrame(
        {"count": pd.array([1, None], dtype="Int64"), "word": pd.array(["x", None], dtype="string")}
    )
    shown = table(df, "t")
    assert "<NA>" not in repr(shown) and "&lt;NA&gt;" not in shown._repr_html_()
    assert shown._repr_html_().count("<td>—</td>") == 2


def test_the_pdf_form_of_a_table_never_cuts_a_long_cell():
    """pandas cuts cells longer than display.max_colwidth to '...'; the PDF showed
    'IFN + depot octreotide (background, every arm):…' without its value."""
    cell = "IFN + depot octreotide (background, every arm): 67% and a long tail of words"
    markdown = table(pd.DataFrame({"Comparator arm": [cell]}))._repr_markdown_()
    assert "67\\% and a long tail of words" in markdown and "\\.\\.\\." not in markdown


MARKUP = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[link](javascript:alert(1))",
    '<svg onload="alert(1)"></svg>',
    "\\input{/etc/passwd} $x$ {glue:text}`n`",
]


@pytest.mark.parametrize("markup", MARKUP)
def test_escape_leaves_no_markup_for_html(markup):
    from netbook.display import escape

    out = escape(markup, "html")
    assert "<" not in out and ">" not in out and '"' not in out
    assert html_module.unescape(out) == markup


@pytest.mark.parametrize("markup", MARKUP)
def test_escape_leaves_no_markup_for_markdown(markup):
    """Every ASCII punctuation character is backslash-escaped: CommonMark reads each as
    itself, so nothing is raw HTML, a link, a role or math."""
    from markdown_it import MarkdownIt

    from netbook.display import escape

    out = escape(markup, "markdown")
    rendered = MarkdownIt("commonmark").render(out)
    assert "<img" not in rendered and "<script" not in rendered and "<svg" not in rendered
    assert "<a " not in rendered
    assert html_module.unescape(rendered).strip() == f"<p>{markup}</p>"


def test_a_markdown_table_escapes_its_cells():
    from markdown_it import MarkdownIt

    from netbook.display import markdown_table

    md = markdown_table(pd.DataFrame({"note": MARKUP[:2]}))._repr_markdown_()
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<img" not in rendered and "<script" not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered


def test_the_caption_is_the_tables_first_child_and_escaped():
    from netbook import markup

    out = table(pd.DataFrame({"a": [1]}), 'Rates <for> "arms" & more')._repr_html_()
    document = markup.parse(out)
    first = document.find_all("table")[0].children[0]
    assert first.name == "caption" and document.text_of(first) == 'Rates <for> "arms" & more'
    assert out.startswith('<table class="dataframe netbook-table">\n<caption>')
