"""The first page's link to book.pdf is honest: `make book` does not build the PDF, so
the link says which command does, and where the PDF has been built it is there."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from netbook import paths

INTRO = paths.BUILD_HTML / "intro.html"


def _pdf_paragraph() -> str:
    if not INTRO.exists():
        pytest.skip("no _build/html/intro.html: run make book first")
    soup = BeautifulSoup(INTRO.read_text(encoding="utf-8"), "html.parser")
    links = soup.select('a[href="book.pdf"]')
    assert links, "the first page no longer links book.pdf (README and the workflow say it does)"
    return " ".join(links[0].find_parent("p").get_text().split())


def test_the_link_names_the_command_that_builds_the_pdf():
    text = _pdf_paragraph()
    assert "make pdf" in text and "make book alone does not" in text, text


def test_a_built_pdf_is_where_the_link_points():
    pdf = paths.ROOT / "_build" / "pdf" / "_build" / "latex" / "book.pdf"
    if not pdf.exists():
        pytest.skip("make pdf has not run here")
    assert (paths.BUILD_HTML / "book.pdf").exists(), (
        "make pdf built the PDF but did not copy it beside the pages"
    )
