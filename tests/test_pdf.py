"""`make pdf` builds the whole book as one PDF, and its text holds what the chapters glue.

Needs XeLaTeX and Debian's TeX packages (see README). Where XeLaTeX is absent the
build tests skip with a message, except in CI (CI=true), where they fail: .ci/run
installs the packages. The Markdown form of `netbook.display` tables (what the LaTeX
builder renders) is tested without TeX.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import as_shown, notebook_cells, stored_glue

from netbook import paths
from netbook.display import table

sys.path.insert(0, str(paths.ROOT / "_ext"))
from latex_tables import widths  # noqa: E402

PDF = paths.ROOT / "_build" / "pdf" / "_build" / "latex" / "book.pdf"  # make pdf
PUBLISHED = paths.BUILD_HTML / "book.pdf"
GLUE_REF = re.compile(r"\{glue(?::text)?\}`([A-Za-z_][A-Za-z0-9_]*)(?::([^`]*))?`")
NUMBER = re.compile(r"^-?\d[\d,.]*%?$")


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf_pages() -> list[str]:
    """Builds the PDF with `make pdf` and returns the text of each page."""
    missing = [tool for tool in ("xelatex", "latexmk", "xindy", "pdftotext") if shutil.which(tool) is None]
    if missing:
        message = (
            f"{', '.join(missing)} not on PATH; the PDF needs Debian's texlive-xetex "
            "texlive-latex-extra texlive-latex-recommended texlive-fonts-recommended "
            "latexmk fonts-freefont-otf xindy poppler-utils"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the PDF: {message} (.ci/run installs them)")
        pytest.skip(f"{message}; skipping the PDF tests")
    (paths.ROOT / "_build").mkdir(exist_ok=True)
    with open(paths.ROOT / "_build" / ".pdf.lock", "w") as lock:  # one build at a time (xdist)
        fcntl.flock(lock, fcntl.LOCK_EX)
        build = subprocess.run(
            ["make", "--no-print-directory", "pdf"], cwd=paths.ROOT, capture_output=True, text=True
        )
    assert build.returncode == 0, f"make pdf failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _glued_number(notebook: Path) -> tuple[str, str]:
    """The longest number this chapter glues into its prose, as the reader sees it
    (read from the stored glue outputs, not typed here)."""
    cells = notebook_cells(notebook)
    stored = stored_glue(notebook)
    shown = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for name, spec in GLUE_REF.findall("".join(cell["source"])):
            try:  # {glue:text}`name:.1f` formats the stored value
                value = as_shown(stored[name], spec)
            except ValueError:
                continue
            if NUMBER.match(value):
                shown.append((len(value), value, name))
    assert shown, f"{notebook.name}: no glued number in its prose"
    _, value, name = max(shown)
    return name, value


def _parent_chapter(notebook: Path) -> Path:
    """A sub-page (``sections:`` in _toc.yml) is a section of its chapter in the PDF: the
    notebook whose chapter holds it (itself for a chapter)."""
    import yaml

    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entry = f"chapters/{notebook.stem}"
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            if entry in [s["file"] for s in chapter.get("sections", [])]:
                return paths.ROOT / f"{chapter['file']}.ipynb"
    return notebook


def _chapter_title(notebook: Path) -> str:
    notebook = _parent_chapter(notebook)
    for cell in notebook_cells(notebook):
        for line in "".join(cell["source"]).splitlines():
            if cell["cell_type"] == "markdown" and line.startswith("# "):
                return line[2:].strip()
    raise AssertionError(f"{notebook.name}: no '# ' title")


def _chapter_text(pages: list[str], title: str) -> str:
    """The text of the chapter whose opening page reads "Chapter N" and then `title`."""
    opening = re.compile(r"Chapter \d+ ")
    start = next(
        (
            i
            for i, page in enumerate(pages)
            if opening.match(_words(page)) and _words(page)[:300].split(" ", 2)[2].startswith(title)
        ),
        None,
    )
    assert start is not None, f"no chapter titled {title!r} in the PDF"
    end = next((i for i in range(start + 1, len(pages)) if opening.match(_words(pages[i]))), len(pages))
    return _words(" ".join(pages[start:end]))


NOTEBOOKS = sorted(paths.CHAPTERS.glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_pdf_holds_a_glued_number_of_each_chapter(notebook, pdf_pages):
    """A page under a chapter in _toc.yml (its ``sections``) is a section of that chapter
    in the PDF: its title and its glued number are in the chapter's text."""
    from netbook.toc import chapter_of_page

    name, value = _glued_number(notebook)
    chapter = chapter_of_page().get(notebook.stem)
    text = _chapter_text(pdf_pages, _chapter_title(paths.CHAPTERS / f"{chapter or notebook.stem}.ipynb"))
    if chapter is not None:
        # (Sphinx sets the title's straight apostrophe as a typographic one)
        title = _words(_chapter_title(notebook)).replace("'", "\u2019")
        assert title in text, f"{notebook.stem}: its title is not in {chapter}'s chapter"
    assert value in text, f"{notebook.stem}: glued {name} = {value} not in its chapter of the PDF"


def test_pdf_has_the_notice_figures_tables_and_bibliography(pdf_pages):
    text = _words(" ".join(pdf_pages))
    assert "Not medical advice" in text and "It is not medical advice" in text
    figures = sum(
        '"figure"' in json.dumps(c.get("metadata", {}).get("mystnb", {}))
        for nb in NOTEBOOKS
        for c in notebook_cells(nb)
    )
    assert len(set(re.findall(r"Fig\. (\d+\.\d+):", text))) == figures
    images = subprocess.run(
        ["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(images) >= figures
    # every captioned table() is a numbered table in the PDF, none left as plain text
    captioned = sum(
        "".join(output.get("data", {}).get("text/markdown", "")).startswith(":::{table}")
        for nb in NOTEBOOKS
        for c in notebook_cells(nb)
        for output in c.get("outputs", [])
    )
    assert captioned and len(set(re.findall(r"Table (\d+\.\d+):", text))) >= captioned
    assert "Data: course_of_disease.csv (CSV, with a verbatim quote for every row)" in text
    bibliography = _chapter_text(pdf_pages, "Bibliography")
    assert "Özdirik" in bibliography and "Zilembo" in bibliography
    for glyph in "µα≥Ö":
        assert glyph in text, f"{glyph} missing from the PDF text (font without it?)"


def test_pdf_is_published_beside_the_html(pdf_pages):
    assert PUBLISHED.read_bytes() == PDF.read_bytes()


def test_table_markdown_matches_its_html_and_escapes_markup():
    df = pd.DataFrame({"Result (%)": [1.5, 20.25, None], "note": ["a|b *x*", "<i>x</i> {term}`NET`", "ok"]})
    shown = table(df, "A *caption* [1]")
    md = shown._repr_markdown_().splitlines()
    assert md[0] == ":::{table} A \\*caption\\* \\[1\\]" and md[-1] == ":::"
    assert md[3] == "| 1\\.50 | a\\|b \\*x\\* |"  # the decimals of the HTML: 1.50
    assert "<td>1.50</td>" in shown._repr_html_()
    assert md[4] == "| 20\\.25 | \\<i\\>x\\<\\/i\\> \\{term\\}\\`NET\\` |"
    assert md[5] == "| — | ok |"


def test_provenance_markdown_names_files_and_places(tiny):
    from netbook import load_table

    findings = load_table("findings", tiny.descriptor)
    md = table(findings[["finding_id"]], None, findings)._repr_markdown_()
    assert md.endswith(
        "**Data:** findings\\.csv (CSV, with a verbatim quote for every row)\\\n"
        "**Sources:**\\\ncase\\: Case presentation"
    )


def test_column_widths_keep_short_columns_and_whole_words():
    assert widths([5, 12, 30], [5, 8, 10], line=100) == [5, 12, 30]  # fits: natural widths
    result = widths([5, 12, 300], [5, 8, 14], line=100)
    assert result[:2] == [5, 12] and result[2] == 83  # the quote column takes the rest
    squeezed = widths([5, 200, 300], [5, 40, 14], line=100)
    assert squeezed[1] >= 40  # never narrower than the longest word


def _letters(text: str) -> str:
    """Letters and digits only: the PDF breaks, hyphenates and spaces the words of a cell."""
    return re.sub(r"[\W_]+", "", text).casefold()


def test_no_table_cell_is_cut_short_in_the_pdf(pdf_pages):
    """Every cell of every captioned table the chapters store is printed to its last word:
    the end of each long cell (longer than pandas' 50-character cut) is in the PDF's text,
    and no cell of those tables is printed ending in an ellipsis."""
    text = _letters(" ".join(pdf_pages))
    checked, missing = 0, []
    for nb in NOTEBOOKS:
        for cell in notebook_cells(nb):
            for output in cell.get("outputs", []):
                md = "".join(output.get("data", {}).get("text/markdown", ""))
                if not md.startswith(":::{table}"):
                    continue
                for row in md.splitlines()[3:]:
                    if not row.startswith("| "):
                        continue
                    for raw in re.split(r"(?<!\\)\|", row.strip().strip("|")):
                        words = re.sub(r"\\(.)", r"\1", raw).strip()
                        words = re.sub(r"\{sup\}`[^`]*`", "", words).strip()  # a footnote's letter
                        assert not words.endswith(("…", "...")), (
                            f"{nb.stem}: a cell ends cut: {words[-60:]!r}"
                        )
                        if len(words) > 50:
                            checked += 1
                            if _letters(words)[-24:] not in text:
                                missing.append(f"{nb.stem}: …{words[-50:]}")
    assert checked > 100
    assert not missing, missing[:10]
