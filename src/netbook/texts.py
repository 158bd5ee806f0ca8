"""Reading a source text: its file, its sentences, the sentences citing a reference.

:func:`source_text` is the one way to a source's text from the loaded sources table.
:func:`sentences` splits a text into sentences with the rule the reading view's anchors
rest on (:func:`netbook.coverage.split_text`, the book's one sentence splitter);
:func:`citing_sentences` keeps those whose citation markers (^[14], ^[14,27], ^[63-65])
include a reference number.
"""

from __future__ import annotations

import re

import pandas as pd

from netbook import coverage, paths
from netbook.numbers import normalise_whitespace
from netbook.references import expand_citations


def source_text(sources: pd.DataFrame, source_id: str) -> str:
    """The text of a source, from the loaded sources table (``load_table("sources")``)."""
    row = sources.loc[sources["source_id"] == source_id]
    if len(row) != 1:
        raise KeyError(f"no single source {source_id!r} in the sources table")
    return (paths.SOURCES / str(row["file"].iloc[0])).read_text(encoding="utf-8")


def figure_legend(text: str, number: int) -> str:
    """The legend paragraph 'Figure <number>. ...' of a text, whitespace collapsed."""
    match = re.search(rf"(?m)^Figure {number}\.(.+?)(?:\n\s*\n|\Z)", text, re.S)
    if match is None:
        raise KeyError(f"no legend of Figure {number}")
    return normalise_whitespace(f"Figure {number}.{match.group(1)}")


_MARKER = re.compile(r"\^\[([0-9,\s–-]+)\]")


def sentences(text: str) -> list[str]:
    """Sentences of a text, whitespace-normalised, by the book's one sentence splitter
    (:func:`netbook.coverage.split_text`: paragraphs first, so headings stay apart;
    abbreviations such as "e.g.", "vs." and "et al." and decimal numbers do not end a
    sentence; a citation marker after the full stop stays with its sentence)."""
    return coverage.split_text(text)


def citing_sentences(text: str, number: int, stop_at: str | None = None) -> list[str]:
    """The sentences of ``text`` whose citation markers (^[14], ^[14,27], ^[63-65])
    include ``number``. ``stop_at`` (e.g. "References") cuts the reference list off
    first. Each sentence is verbatim from the text up to whitespace."""
    if stop_at is not None:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.strip() in (stop_at, stop_at.upper()):
                text = "\n".join(lines[:i])
                break
    found = []
    for sentence in sentences(text):
        for marker in _MARKER.finditer(sentence):
            if number in expand_citations(marker.group(1).replace(" ", "")):
                found.append(sentence)
                break
    return found
