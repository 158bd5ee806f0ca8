"""Flags beside the values a chapter shows: the consistency audit and the sources'
contradictions.

The audit (:mod:`netbook.audit`, table ``printed_arithmetic``) recomputes printed numbers;
the table ``source_contradictions`` lists pairs of statements of one source that cannot
both hold. Both are shown in full in the reading view of the sources (chapter
``source_texts``, rows anchored ``#audit-<check_id>`` and ``#contradiction-<id>``). A
chapter that shows one of those values says so where it shows it:

* :meth:`Flags.for_value`: the flags touching one value a chapter shows, found from the
  data, never from a hand-kept list: a flagged audit check touches a value when its quote
  and the value's quote overlap in the source and the check's printed number is the value;
  a contradiction touches a value when one of its two statements overlaps the value's
  quote and that statement's printed value holds the number.
* :func:`mark`: the value's text with its flags beside it, as plain text (a table cell,
  a glued string); :func:`linked` makes each flag in a table's HTML a link to its row in
  the reading view.
* :meth:`Flags.contradictions_touching`: the contradictions whose statements the rows a
  chapter uses quote; :meth:`Flags.note` shows them after the chapter's clinical content
  ("Where the source contradicts itself"), each with a link.

Pairs of statements that differ but can both hold (table ``source_differences``: a detail
an overview table does not list, figures for what may be different quantities) are not
flags: :class:`Differences` lists the ones a chapter's rows quote, each with why it is not
a contradiction, and puts nothing beside the value.

Two quotes *overlap* when some occurrence of one in the whitespace-normalised source text
shares at least :data:`MIN_OVERLAP` characters with some occurrence of the other.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from netbook import audit, coverage, markup
from netbook.display import READING_VIEW, _markdown_text
from netbook.numbers import followed_by, normalise_whitespace, numbers_in
from netbook.values import is_missing

#: Shared characters for two quotes to overlap (as in the reading view's highlighting).
MIN_OVERLAP = 8


def _spans(source_id: str, quote: str) -> list[tuple[int, int]]:
    if source_id not in coverage.source_files() or is_missing(quote):
        return []
    return coverage.quote_spans(str(quote), coverage.normalised_text(source_id))


def quotes_overlap(source_id: str, quote_a: str, quote_b: str, minimum: int = MIN_OVERLAP) -> bool:
    """Do two quotes of one source share at least ``minimum`` characters somewhere in its text?"""
    spans_b = _spans(source_id, quote_b)
    return any(
        min(a[1], b[1]) - max(a[0], b[0]) >= minimum for a in _spans(source_id, quote_a) for b in spans_b
    )


def value_printed_within(
    source_id: str, quote: str, values: set[float], others: list[str], unit: str | None = None
) -> bool:
    """Is the value of a row (its quote, its number or numbers) printed where another quote
    is? True when, in some occurrence of ``quote`` in the source, the value is printed and
    every place it is printed lies inside an occurrence of one of ``others``. A quote that
    prints the same number twice, once elsewhere, is not tied to the other quote: a
    passage on two cohorts that both print 52% does not carry the flag of one of them.
    With ``unit``, only a number printed with that unit counts ("18%", not "18 weeks";
    the low end of a range counts with the unit after its high end: "15-20%")."""
    text = coverage.normalised_text(source_id) if source_id in coverage.source_files() else ""
    inside = [span for other in others for span in _spans(source_id, other)]
    with_unit = unit and not is_missing(unit)
    for start, end in _spans(source_id, quote):
        # numbers as printed, words too ("Seventeen"); "29,924" is one number
        places = [
            (start + n.start, start + n.end)
            for n in numbers_in(text[start:end], words=True)
            if n.value in values and (not with_unit or followed_by(text, start + n.end, unit))
        ]
        if places and all(any(a <= ps and pe <= b for a, b in inside) for ps, pe in places):
            return True
    return False


def _numbers(text) -> set[float]:
    """The numbers printed in a value ('15-20%' -> {15, 20}; '05/2017 11/2017' -> {5, 2017, 11};
    '29,924' -> {29924})."""
    if is_missing(text):
        return set()
    return {n.value for n in numbers_in(str(text)) if n.value is not None}


def touching(pairs: pd.DataFrame, *loaded: pd.DataFrame) -> pd.DataFrame:
    """The rows of a table of statement pairs (``quote`` and ``quote_b`` of one source:
    ``source_contradictions``, ``source_differences``) either of whose statements a row
    of ``loaded`` quotes (same source, overlapping quotes)."""
    rows = [
        (s, q)
        for df in loaded
        if "quote" in df and "source_id" in df
        for s, q in df[["source_id", "quote"]].astype(str).drop_duplicates().itertuples(index=False)
    ]
    keep = [
        any(
            s == row.source_id and (quotes_overlap(s, q, row.quote) or quotes_overlap(s, q, row.quote_b))
            for s, q in rows
        )
        for row in pairs.itertuples(index=False)
    ]
    return pairs[keep].reset_index(drop=True)


@dataclass(frozen=True)
class Flag:
    """One flag: what kind, which row of the reading view, the words beside the value."""

    kind: str  # "audit" or "contradiction"
    key: str  # check_id or contradiction_id
    text: str  # plain text, begins with "⚠"
    detail: str  # a longer explanation (the link's title)

    @property
    def href(self) -> str:
        return f"{READING_VIEW}#{markup.anchor(self.kind, self.key)}"

    def html(self) -> str:
        return (
            f'<a class="{self.kind}-flag" href="{markup.escape(self.href)}" '
            f'title="{markup.escape(self.detail)}">{markup.escape(self.text)}</a>'
        )


class Flags:
    """The audit's flagged checks and the contradictions, from the loaded tables
    ``printed_arithmetic`` and ``source_contradictions`` (the chapter loads them with
    ``load_table``, so the build knows it depends on them)."""

    def __init__(self, checks: pd.DataFrame, contradictions: pd.DataFrame):
        self.results = audit.run(checks)
        flagged = set(self.results.loc[self.results["flagged"], "check_id"])
        by_id = self.results.set_index("check_id")
        self.checks = [
            (
                row.source_id,
                row.quote,
                audit.parse_number(row.printed.split(";")[0]).value,
                Flag(
                    "audit",
                    row.check_id,
                    f"⚠ audit: {by_id.loc[row.check_id, 'result']} ({by_id.loc[row.check_id, 'recomputed']})",
                    f"{row.statement}; printed {row.printed}. {row.rationale}",
                ),
            )
            for row in checks.sort_values("check_id").itertuples(index=False)
            if row.check_id in flagged
        ]
        self.contradictions = contradictions.sort_values("contradiction_id").reset_index(drop=True)

    def _contradiction_flag(self, row) -> Flag:
        return Flag(
            "contradiction",
            row.contradiction_id,
            f"⚠ contradicted within the source: {row.what_conflicts}",
            row.rationale,
        )

    def for_value(self, source_id: str, quote: str, values: Iterable, unit: str | None = None) -> list[Flag]:
        """The flags touching a value shown from a row (its source, its quote, its number
        or numbers: a range gives both ends; its unit as printed, if it has one)."""
        wanted = {float(v) for v in values if not is_missing(v)}
        if not wanted or is_missing(quote):
            return []
        out = [
            flag
            for s, q, printed, flag in self.checks
            if s == source_id
            and printed in wanted
            and value_printed_within(source_id, quote, {printed}, [q], unit)
        ]
        for row in self.contradictions.itertuples(index=False):
            if row.source_id != source_id:
                continue
            sides = [
                side
                for value, side in ((row.value_a, row.quote), (row.value_b, row.quote_b))
                if _numbers(value) & wanted
            ]
            if sides and value_printed_within(source_id, quote, wanted, sides, unit):
                out.append(self._contradiction_flag(row))
        return out

    def for_rows(self, df: pd.DataFrame, *value_columns: str, unit: str | None = None) -> pd.Series:
        """Per row of a loaded table: the flags touching the value(s) in ``value_columns``,
        printed with the row's ``unit`` column (or with ``unit``, for a table without one)."""
        return pd.Series(
            [
                self.for_value(
                    row["source_id"],
                    row["quote"],
                    [row[c] for c in value_columns],
                    row["unit"] if unit is None and "unit" in df else unit,
                )
                for _, row in df.iterrows()
            ],
            index=df.index,
            dtype=object,
        )

    def contradictions_touching(self, *loaded: pd.DataFrame) -> pd.DataFrame:
        """The contradictions either of whose statements a row of ``loaded`` quotes (same
        source, overlapping quotes), sorted by id."""
        return touching(self.contradictions, *loaded)

    def note(self, *loaded: pd.DataFrame, title: str = "Where the source contradicts itself") -> Note:
        """An admonition listing the contradictions touching the rows of ``loaded``, each
        with both statements and a link to its row in the reading view."""
        return Note(self.contradictions_touching(*loaded), title)


def mark(text: str, flags: list[Flag]) -> str:
    """``text`` with its flags beside it (plain text); unchanged when there is none."""
    return " ".join([str(text), *(f.text for f in flags)])


class Linked:
    """A displayed object (a :func:`netbook.display.table`) whose HTML has each flag's
    text turned into a link to its row in the reading view; its other forms unchanged."""

    def __init__(self, shown, flags: Iterable[Flag]):
        self.shown = shown
        self.flags = sorted(set(flags), key=lambda f: (-len(f.text), f.kind, f.key))

    def _repr_html_(self) -> str:
        out = self.shown._repr_html_()
        for flag in self.flags:
            # the flag's text as the table writes it (pandas escapes &, < and >; escape()
            # quotes as well), found in the page's text runs only, never in a tag or a link
            for written in dict.fromkeys((html.escape(flag.text, quote=False), markup.escape(flag.text))):
                out, count = markup.replace_in_text(out, written, flag.html())
                if count:
                    break
            else:
                raise ValueError(f"flag {flag.key!r} is not in the table it should link from")
        return out

    def _repr_markdown_(self) -> str:
        return self.shown._repr_markdown_()

    def __repr__(self) -> str:
        return repr(self.shown)


def linked(shown, flags: Iterable[Flag]) -> Linked:
    """``shown`` with its flags linked (pass every flag the table's cells carry)."""
    return Linked(shown, flags)


class _StatementPairNote:
    """Pairs of statements of one source a chapter's values touch, as an admonition after
    its content: one item per pair (what, source, kind, the two statements, the book's
    rationale), in HTML, Markdown and plain text. A subclass names its admonition class,
    its columns and the words for an empty list, and how an item's HTML opens."""

    ADMONITION: str
    KEY: str
    WHAT: str
    EMPTY: str

    def __init__(self, pairs: pd.DataFrame, title: str):
        self.df, self.title = pairs, title

    def _items(self):
        raise NotImplementedError

    def _item_html(self, row, what: str) -> str:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        if self.df.empty:
            body = f"<p>{self.EMPTY}</p>"
        else:
            items = "".join(
                f"{self._item_html(row, markup.escape(getattr(row, self.WHAT)))} "
                f"({markup.escape(row.source_id)}, {markup.escape(row.kind)}). {markup.escape(statements)} "
                f"{markup.escape(row.rationale)}</li>"
                for row, statements in self._items()
            )
            body = f"<ul>{items}</ul>"
        return (
            f'<div class="admonition {self.ADMONITION}"><p class="admonition-title">'
            f"{markup.escape(self.title)}</p>{body}</div>"
        )

    def _repr_markdown_(self) -> str:
        lines = [f"**{_markdown_text(self.title)}**", ""]
        if self.df.empty:
            lines.append(self.EMPTY)
        for row, statements in self._items():
            lines.append(
                f"- {_markdown_text(getattr(row, self.WHAT))} ({_markdown_text(row.source_id)}, "
                f"{_markdown_text(row.kind)}). {_markdown_text(statements)} {_markdown_text(row.rationale)}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        lines = [self.title]
        for row, statements in self._items():
            lines.append(f"- {getattr(row, self.KEY)}: {getattr(row, self.WHAT)}. {statements}")
        return "\n".join(lines)


class Note(_StatementPairNote):
    """The contradictions a chapter's values touch, as a warning after its content; each
    links to the pair in the reading view."""

    ADMONITION = "warning contradictions-note"
    KEY, WHAT = "contradiction_id", "what_conflicts"
    EMPTY = "None of the values this chapter uses is touched by a contradiction within its source."

    def _items(self):
        """(row, its two statements in words): one statement when both values are in it."""
        for row in self.df.itertuples(index=False):
            first = f"{row.locator}: “{row.quote}”"
            if normalise_whitespace(row.quote) == normalise_whitespace(row.quote_b):
                yield row, f"{first} (both values in one statement)."
            else:
                yield row, f"{first}; but {row.locator_b}: “{row.quote_b}”."

    def _item_html(self, row, what: str) -> str:
        href = f"{READING_VIEW}#{markup.escape(markup.anchor('contradiction', row.contradiction_id))}"
        return f'<li><a href="{href}">{what}</a>'


class Differences:
    """Pairs of statements of one source that differ but can both hold (table
    ``source_differences``): a detail an overview does not list, figures for what may be
    different quantities. They put no ⚠ beside a value (nothing is wrong with it); a
    chapter lists the ones its rows quote after its clinical content, so that a reader who
    notices the difference finds why the book does not call it a contradiction."""

    TITLE = "Where the source differs in detail without contradicting itself"

    def __init__(self, differences: pd.DataFrame):
        self.differences = differences.sort_values("difference_id").reset_index(drop=True)

    def touching(self, *loaded: pd.DataFrame) -> pd.DataFrame:
        """The differences either of whose statements a row of ``loaded`` quotes."""
        return touching(self.differences, *loaded)

    def note(self, *loaded: pd.DataFrame, title: str = TITLE) -> DifferencesNote:
        return DifferencesNote(self.touching(*loaded), title)


class DifferencesNote(_StatementPairNote):
    """The differences a chapter's rows touch, as a (non-warning) admonition; each item
    is the target of the reading view's links."""

    ADMONITION = "note differences-note"
    KEY, WHAT = "difference_id", "what_differs"
    EMPTY = "None of the values this chapter uses differs in detail from another statement of its source."

    def _items(self):
        for row in self.df.itertuples(index=False):
            yield row, f"{row.locator}: “{row.quote}”; and {row.locator_b}: “{row.quote_b}”."

    def _item_html(self, row, what: str) -> str:
        return f'<li id="{markup.escape(markup.anchor("difference", row.difference_id))}">{what}'
