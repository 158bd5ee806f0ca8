"""The book's table of contents, ``_toc.yml``, read one way for the build, the tests and the
benchmarks: which pages it lists, and which chapter each sub-page sits under."""

from __future__ import annotations

from pathlib import Path

import yaml

from netbook import paths


def _read(toc: Path | None) -> dict:
    return yaml.safe_load((paths.ROOT / "_toc.yml" if toc is None else toc).read_text(encoding="utf-8"))


def toc_files(toc: Path | None = None) -> list[str]:
    """The files _toc.yml lists (root first, then each chapter followed by the pages under
    it, its ``sections``, at any depth), without extension."""
    contents = _read(toc)
    files = [contents["root"]]

    def add(entries: list[dict]) -> None:
        for entry in entries:
            files.append(entry["file"])
            add(entry.get("sections", []))

    for part in contents.get("parts", []):
        add(part.get("chapters", []))
    return files


def chapter_of_page(toc: Path | None = None) -> dict[str, str]:
    """Notebook stem of each page that _toc.yml lists under a chapter (its ``sections``,
    at any depth) -> the stem of that chapter. A chapter's own page is not a key."""
    parents: dict[str, str] = {}

    def walk(entries: list[dict], chapter: str | None) -> None:
        for entry in entries:
            stem = Path(entry["file"]).stem
            if chapter is not None:
                parents[stem] = chapter
            walk(entry.get("sections", []), chapter or stem)

    for part in _read(toc).get("parts", []):
        walk(part.get("chapters", []), None)
    return parents
