"""netbook.toc: the pages _toc.yml lists and the chapter each sub-page sits under."""

from netbook import paths
from netbook.toc import chapter_of_page, toc_files

NESTED_TOC = (
    "format: jb-book\nroot: intro\nparts:\n  - chapters:\n"
    "      - file: chapters/a\n        sections:\n          - file: chapters/a_sub\n"
    "            sections:\n              - file: chapters/a_sub_sub\n"
    "      - file: chapters/b\n"
)


def test_pages_are_listed_root_first_then_each_chapter_before_its_sections(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(NESTED_TOC, encoding="utf-8")
    assert toc_files(toc) == ["intro", "chapters/a", "chapters/a_sub", "chapters/a_sub_sub", "chapters/b"]


def test_a_page_at_any_depth_maps_to_its_chapter_and_a_chapter_to_nothing(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(NESTED_TOC, encoding="utf-8")
    assert chapter_of_page(toc) == {"a_sub": "a", "a_sub_sub": "a"}


def test_every_page_the_book_lists_exists():
    missing = [
        page
        for page in toc_files()
        if not any((paths.ROOT / f"{page}{suffix}").exists() for suffix in (".md", ".ipynb"))
    ]
    assert toc_files()[0] == "intro" and not missing, missing
