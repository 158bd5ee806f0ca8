def test_every_csv_link_of_the_reading_view_names_a_file_of_the_package():
    """The reading view links each quoting table's CSV where the package keeps it
    (tables/, derived/ or editorial/): a link to a missing file fails here, without a browser."""
    import re

    from netbook import paths

    stored = (paths.CHAPTERS / "source_texts.ipynb").read_text(encoding="utf-8")
    links = set(re.findall(r'href=\\"\.\./([\w/]+\.csv)\\"', stored))
    assert any(link.startswith("derived/") for link in links), "derived tables are quoted too"
    missing = sorted(link for link in links if not (paths.DATA / link).exists())
    assert not missing, f"links to CSV files the package does not have: {missing}"


def test_a_page_under_a_chapter_counts_as_its_chapter(tmp_path):
    """The reading view names the chapter, not each page under it: _toc.yml's sections
    map to their chapter at any depth, and a table two pages of one chapter load names
    the chapter once."""
    import json

    from netbook.chapters.source_texts import chapters_by_table
    from netbook.toc import chapter_of_page

    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: intro\nparts:\n  - chapters:\n"
        "      - file: chapters/a\n        sections:\n          - file: chapters/a_sub\n"
        "            sections:\n              - file: chapters/a_sub_sub\n"
        "      - file: chapters/b\n",
        encoding="utf-8",
    )
    assert chapter_of_page(toc) == {"a_sub": "a", "a_sub_sub": "a"}

    def notebook(stem, *tables):
        cells = [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": f'load_table("{t}")',
            }
            for t in tables
        ]
        (tmp_path / f"{stem}.ipynb").write_text(
            json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8"
        )

    notebook("a", "trial_outcomes")
    notebook("a_sub", "trial_outcomes", "harms")
    notebook("a_sub_sub", "epidemiology")
    notebook("b", "trial_outcomes")
    found = chapters_by_table(tmp_path, chapter_of_page(toc))
    assert found == {"trial_outcomes": ["a", "b"], "harms": ["a"], "epidemiology": ["a"]}
    assert chapters_by_table(tmp_path, {})["trial_outcomes"] == ["a", "a_sub", "b"]


def test_the_books_pages_under_chapters_map_to_them():
    from netbook.toc import chapter_of_page

    parents = chapter_of_page()
    assert parents["case_ozdirik2020_checks"] == "case_ozdirik2020"
    assert parents["across_sources_criteria"] == parents["across_sources_checks"] == "across_sources"
    assert "across_sources" not in parents and "source_texts" not in parents
