"""The Zilembo chapter: a six-page article of which the book holds the abstract, with every
detail of its citation said to come from the portal record or from the note that came with
the texts."""

from __future__ import annotations

from conftest import notebook_cells, stored_glue

from netbook import load_table, paths

NOTEBOOK = paths.CHAPTERS / "salvage_after_interferon.ipynb"


def test_zilembo_is_an_article_of_which_the_book_holds_the_abstract():
    cells = notebook_cells(NOTEBOOK)
    key_points = "".join(next(c for c in cells if "Key points" in "".join(c["source"]))["source"])
    assert "reported as an abstract" not in key_points
    assert "only the abstract of the\n  {glue:text}`salv_article_pages`-page article" in key_points
    glued = stored_glue(NOTEBOOK)
    assert (glued["salv_article_pages"], glued["salv_article_page_range"]) == ("6", "'245-250'")
    sources = load_table("sources").set_index("source_id")
    assert sources.loc["zilembo1993", "kind"].startswith("journal article")


def test_every_citation_says_where_its_details_come_from():
    """The Zilembo volume (32) is printed by no source text: its citation_basis says it comes
    from the note that came with the texts; every row says where its citation comes from."""
    sources = load_table("sources").set_index("source_id")
    assert sources["citation_basis"].str.len().gt(20).all()
    zilembo = sources.loc["zilembo1993"]
    text = (paths.DATA / "sources" / zilembo["file"]).read_text(encoding="utf-8")
    assert "32" not in text.split("Original language")[1]  # the portal record prints no volume
    assert "The volume (32) is printed by no source text" in zilembo["citation_basis"]
