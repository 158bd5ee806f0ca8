"""Static checks on the chapter notebooks, before nbval re-executes them."""

from __future__ import annotations

import re

import pytest
from conftest import CONTENT_CHAPTERS, notebook_cells

from netbook import paths
from netbook.toc import toc_files

NOTEBOOKS = sorted(paths.CHAPTERS.glob("*.ipynb"))
VOLATILE = [
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "a memory address"),
    (re.compile(r"\b20\d\d-\d\d-\d\d[T ]\d\d:\d\d"), "a timestamp"),
    (re.compile(r"/work/|/home/|/tmp/"), "a machine-specific path"),
]


def test_every_notebook_is_in_the_toc():
    listed = set(toc_files())
    missing = [nb.name for nb in NOTEBOOKS if f"chapters/{nb.stem}" not in listed]
    assert not missing, f"notebooks not in _toc.yml: {missing}"


def test_every_toc_entry_exists():
    for entry in toc_files():
        candidates = [paths.ROOT / f"{entry}{ext}" for ext in (".ipynb", ".md")]
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stored(nb):
    code = [c for c in notebook_cells(nb) if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    unexecuted = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unexecuted, f"code cells never executed (nbval would compare nothing): {unexecuted}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_nothing_volatile(nb):
    for index, cell in enumerate(notebook_cells(nb)):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                pytest.fail(f"cell {index} stored an error: {output.get('ename')}")
            texts = ["".join(output.get("text", []))]
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("text/plain") or mime.endswith("text/html"):
                    texts.append("".join(data) if isinstance(data, list) else str(data))
            for text in texts:
                for pattern, what in VOLATILE:
                    match = pattern.search(text)
                    assert not match, f"cell {index} output holds {what}: {match.group(0)!r}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_no_execution_timestamps_in_cell_metadata(nb):
    stamped = [i for i, c in enumerate(notebook_cells(nb)) if "execution" in c.get("metadata", {})]
    assert not stamped, f"cells with timing metadata (use python -m netbook.execute): {stamped}"


def _glued_and_used(nb) -> tuple[set[str], set[tuple[str, str]]]:
    """The keys a notebook glues, and the (notebook, key) pairs its prose pastes: a key of
    its own, or ``other.ipynb::key`` from another chapter (a path relative to it)."""
    glued, used = set(), set()
    for cell in notebook_cells(nb):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            glued |= set(re.findall(r"glue\(\s*[\"']([^\"']+)[\"']", source))
        else:
            for path, key in re.findall(
                r"\{glue(?::\w+)?\}`(?:([^`:]+\.ipynb)::)?([^`:]+)(?::[^`]*)?`", source
            ):
                used.add((path or nb.name, key))
    return glued, used


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_every_glue_reference_is_glued(nb):
    _, used = _glued_and_used(nb)
    missing = []
    for path, key in sorted(used):
        source = (nb.parent / path).resolve()
        if not source.exists() or key not in _glued_and_used(source)[0]:
            missing.append(key if path == nb.name else f"{path}::{key}")
    assert not missing, f"referenced but never glued: {missing}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_have_caption_and_alt_text(nb):
    for index, cell in enumerate(notebook_cells(nb)):
        # glued figures are stored under application/papermill.record/... keys instead
        makes_image = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        if not makes_image:
            continue
        meta = cell.get("metadata", {}).get("mystnb", {})
        assert meta.get("figure", {}).get("caption"), f"cell {index}: figure without a caption"
        assert meta.get("figure", {}).get("name"), f"cell {index}: figure without a label"
        assert meta.get("image", {}).get("alt"), f"cell {index}: figure without alt text"


def glossary_terms() -> list[str]:
    text = (paths.ROOT / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line and not line.startswith(" ")]


def test_glossary_has_the_sources_abbreviations():
    expected = {"NET", "NEN", "SSA", "SSR", "IFN-α", "PRRT", "TACE", "SIRT", "5-HIAA", "CgA"}
    assert expected <= set(glossary_terms())


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_first_use_of_an_abbreviation_links_the_glossary(nb):
    prose = "\n".join("".join(c["source"]) for c in notebook_cells(nb) if c["cell_type"] == "markdown")
    # drop code spans and roles other than {term}, which are not prose
    prose = re.sub(r"\{(?!term\})[\w:-]+\}`[^`]*`", " ", prose)
    prose = re.sub(r"(?<!\})`[^`]*`", " ", prose)
    unlinked = []
    for term in glossary_terms():
        word = re.compile(rf"(?<![\w-]){re.escape(term)}s?(?![\w-])")
        first = word.search(prose)
        if first is None:
            continue
        linked = re.compile(r"\{term\}`[^`]*`")
        if not any(m.start() <= first.start() < m.end() for m in linked.finditer(prose)):
            unlinked.append(term)
    assert not unlinked, f"first use not linked with {{term}}: {unlinked}"


def _html(output: dict) -> str:
    data = output.get("data", {}).get("text/html", "")
    return "".join(data) if isinstance(data, list) else data


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_every_table_and_figure_has_a_provenance_note(nb):
    """Under each table and figure: the data files and source locators it came from."""
    all_cells = notebook_cells(nb)
    missing = []
    for index, cell in enumerate(all_cells):
        outputs = cell.get("outputs", [])
        for output in outputs:
            html = _html(output)
            if "<table" in html and "provenance-note" not in html:
                missing.append(f"cell {index}: table")
        if any("image/png" in o.get("data", {}) for o in outputs):
            following = outputs + next(
                (c.get("outputs", []) for c in all_cells[index + 1 :] if c["cell_type"] == "code"), []
            )
            if not any("provenance-note" in _html(o) for o in following):
                missing.append(f"cell {index}: figure")
    assert not missing, f"no provenance note under: {missing}"


# Chapters that present findings open with key points (CONTENT_CHAPTERS, in conftest.py:
# tests/test_reader_pages.py checks the same on the built pages).
_KEY_POINTS = re.compile(r":::\{admonition\} Key points\n(?::class:[^\n]*\n)?(.*?)\n:::", re.S)
_GLUE_OR_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
# a number typed into prose, "18-week" included (but not the 1 of "PD-1" or "IFN-α2a")
_BARE_NUMBER = re.compile(r"(?<![\w.-])\d+(?:[.,]\d+)?(?!\w)")


@pytest.mark.parametrize("name", CONTENT_CHAPTERS)
def test_content_chapter_opens_with_key_points(name):
    markdown = [
        ("".join(c["source"]))
        for c in notebook_cells(paths.CHAPTERS / f"{name}.ipynb")
        if c["cell_type"] == "markdown"
    ]
    before_first_section = "\n".join(
        m for m in markdown[: next(i for i, m in enumerate(markdown) if re.search(r"(?m)^## ", m))]
    )
    block = _KEY_POINTS.search(before_first_section)
    assert block, f"{name}: no key-points admonition before the first section"
    points = re.findall(r"(?m)^- ", block.group(1))
    assert 3 <= len(points) <= 6, f"{name}: {len(points)} key points (3 to 6 wanted)"
    typed = _BARE_NUMBER.findall(_GLUE_OR_ROLE.sub(" ", block.group(1)))
    assert not typed, f"{name}: numbers typed into the key points instead of glued: {typed}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_code_is_folded(nb):
    """Every code cell is folded in the HTML (tag hide-input); nbval still runs it."""
    unfolded = [
        i
        for i, c in enumerate(notebook_cells(nb))
        if c["cell_type"] == "code" and "hide-input" not in c.get("metadata", {}).get("tags", [])
    ]
    assert not unfolded, f"code cells without the hide-input tag: {unfolded}"


def test_every_extraction_note_reaches_a_chapter_page():
    """Nothing the extraction knows is kept in a CSV only: the note (or remark) of every
    row of every extracted table is shown on a chapter page, not only in the ledger or the
    reading view (the reference pages)."""
    import html as html_module
    import json

    from bs4 import BeautifulSoup

    from netbook import load_all_tables, paths

    shown = []
    for notebook in sorted(paths.CHAPTERS.glob("*.ipynb")):
        if notebook.stem in {"provenance_ledger", "source_texts"}:
            continue
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                html_text = "".join(data.get("text/html", ""))
                shown.append(BeautifulSoup(html_text, "html.parser").get_text(" ") if html_text else "")
                markdown = "".join(data.get("text/markdown", ""))
                shown.append(html_module.unescape(markdown.replace("\\", "")))
    text = " ".join(" ".join(shown).split())
    missing, checked = [], 0
    for name, df in load_all_tables().items():
        for column in ("note", "remark"):
            if column not in df.columns:
                continue
            for index, note in df[column].dropna().items():
                for item in note if isinstance(note, list) else [note]:
                    checked += 1
                    if " ".join(str(item).split()) not in text:
                        missing.append(f"{name}.csv row {index + 2}, {column}: {str(item)[:60]}")
    assert checked > 100
    assert not missing, missing
