"""The reading view of the sources (chapter ``source_texts``): every sentence with its
coverage status, the coverage figure, the audit table and the contradictions table.

Only rendering lives here; what counts as a sentence, a number and a quote is decided in
:mod:`netbook.coverage`, the recomputations in :mod:`netbook.audit`.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from netbook import cache_inputs, coverage, flags, markup, paths
from netbook.display import Provenance, escape
from netbook.plotting import PALETTE, new_figure
from netbook.toc import chapter_of_page

PAGE = "source_texts"

#: Colours of the coverage figure (Okabe–Ito), one per status.
STATUS_COLOURS = {
    "quoted": PALETTE["blue"],
    "repeats a quoted sentence": PALETTE["sky blue"],
    "not extracted yet": PALETTE["vermillion"],
    "background outside the book's scope": PALETTE["orange"],
    "dates or identifiers only": PALETTE["grey"],
}


def _html(value) -> str:
    """Every text of the reading view reaches HTML through netbook.display.escape."""
    return escape(value, "html")


def chapter_titles(chapters_dir: Path = paths.CHAPTERS) -> dict[str, str]:
    """Notebook stem -> its first Markdown heading."""
    index = cache_inputs.chapter_index(sorted(chapters_dir.glob("*.ipynb")))
    return {stem: entry["title"] for stem, entry in index.items()}


def chapters_by_table(
    chapters_dir: Path = paths.CHAPTERS, parents: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """Table -> the chapters that load it by name, sorted (chapters that load every table,
    such as the ledger and this page, are left out: they would be listed everywhere). A
    page under a chapter counts as its chapter (``parents``, default
    :func:`netbook.toc.chapter_of_page`): the reading view names the chapter, whose page links the
    pages under it, once per sentence instead of every page (a split chapter would
    otherwise lengthen every note of the reading view)."""
    parents = chapter_of_page() if parents is None else parents
    out: dict[str, set[str]] = defaultdict(set)
    for stem, entry in cache_inputs.chapter_index(sorted(chapters_dir.glob("*.ipynb"))).items():
        for name in entry["tables"]:
            if name not in (cache_inputs.ALL_TABLES, "sources"):
                out[name].add(parents.get(stem, stem))
    return {name: sorted(chapters) for name, chapters in out.items()}


def all_statuses(rows: pd.DataFrame, set_aside: pd.DataFrame) -> dict[str, list[coverage.Status]]:
    return {source: coverage.statuses(source, rows, set_aside) for source in sorted(coverage.source_files())}


def coverage_table(statuses: dict[str, list[coverage.Status]]) -> pd.DataFrame:
    """Numeric sentences per source, in words for readers."""
    summary = coverage.summary(statuses)
    summary = summary.rename(
        columns={
            "source": "Source",
            "sentences": "Sentences",
            "numeric sentences": "Sentences printing a number",
            "quoted": "Quoted by a table",
            "uncovered": "Neither",
        }
    )
    return summary.rename(columns=lambda c: c.replace("set aside: ", "Set aside: "))


def coverage_figure(statuses: dict[str, list[coverage.Status]]):
    """Stacked horizontal bars: per source, numeric sentences quoted / set aside by reason."""
    summary = coverage.summary(statuses).set_index("source")
    order = ["quoted"] + [r for r in STATUS_COLOURS if r != "quoted"]
    columns = {"quoted": "quoted", **{r: f"set aside: {r}" for r in order[1:]}}
    fig, ax = new_figure(8.5, 4.6)
    sources = list(summary.index)[::-1]
    left = [0] * len(sources)
    for status in order:
        values = [int(summary.loc[s, columns[status]]) for s in sources]
        label = "quoted by a table" if status == "quoted" else f"set aside: {status}"
        ax.barh(
            sources,
            values,
            left=left,
            color=STATUS_COLOURS[status],
            label=label,
            edgecolor="white",
            linewidth=0.8,
        )
        left = [a + b for a, b in zip(left, values)]
    for y, total in enumerate(left):
        ax.text(total + 0.8, y, str(total), va="center", fontsize=10)
    ax.set_xlabel("Sentences printing a number")
    ax.set_xlim(0, max(left) * 1.1 + 2)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    return fig


def _uses_html(
    quoted_by: list[tuple[str, int]], chapters: dict[str, list[str]], titles: dict[str, str]
) -> str:
    rows: dict[str, list[int]] = defaultdict(list)
    for table, row in quoted_by:
        rows[table].append(row)
    from netbook.tables import resources

    path_of = {r["name"]: r["path"] for r in resources()}  # tables/, derived/ or editorial/
    parts = []
    for table in sorted(rows):
        numbers = ", ".join(str(r) for r in sorted(set(rows[table])))
        chapter_links = ", ".join(
            f'<a href="{_html(c)}.html">{_html(titles.get(c, c))}</a>' for c in chapters.get(table, [])
        )
        parts.append(
            f'<a href="../{_html(path_of[table])}" download><code>{_html(table)}</code></a> row{"s" if "," in numbers else ""} '
            f"{numbers}" + (f" ({chapter_links})" if chapter_links else "")
        )
    return "; ".join(parts)


class ReadingView:
    """One source as HTML: sentences in their paragraphs, each with its anchor."""

    def __init__(
        self,
        source_id: str,
        statuses: list[coverage.Status],
        rows: pd.DataFrame,
        chapters: dict[str, list[str]],
        titles: dict[str, str],
    ):
        self.source_id = source_id
        self.statuses = statuses
        self.rows = rows[rows["source_id"] == source_id]
        self.chapters = chapters
        self.titles = titles

    def _quoting(self, sentence: coverage.Sentence) -> list[tuple[str, int]]:
        normalised = coverage.normalised_text(self.source_id)
        return [
            (t, r)
            for t, r, q in self.rows[["table", "row", "quote"]].itertuples(index=False)
            if coverage.overlaps(coverage.quote_spans(q, normalised), sentence)
        ]

    def _unit_html(self, status: coverage.Status | None, sentence: coverage.Sentence) -> tuple[str, str]:
        """The sentence as HTML, and the note that follows it (rows and chapters quoting
        it, the reason it is set aside); consecutive sentences with the same note share one."""
        text = _html(sentence.text)
        anchor = _html(sentence.anchor)
        quoting = self._quoting(sentence)
        if status is not None and status.state == "set aside":
            note = _html(status.set_aside["rationale"])
            via = f' via <a href="#{status.twin.anchor}">the clean extraction</a>' if status.twin else ""
            return (
                f'<span id="{anchor}" class="src-set-aside" title="{note}">{text}</span>',
                f'<small class="src-reason">[set aside{via}: <em>{_html(status.reason)}</em>; {note}]</small>',
            )
        if status is not None and status.state == "quoted" and status.twin is not None and not quoting:
            return (
                f'<mark id="{anchor}" class="src-quoted">{text}</mark>',
                f'<small>[covered via <a href="#{status.twin.anchor}">the clean extraction</a>]</small>',
            )
        if quoting:
            return (
                f'<mark id="{anchor}" class="src-quoted">{text}</mark>',
                f'<small class="src-uses">[{_uses_html(quoting, self.chapters, self.titles)}]</small>',
            )
        if status is not None and status.sentence.numeric and status.state == "uncovered":
            return (
                f'<strong id="{anchor}" class="src-uncovered">{text}</strong>',
                "<small>[not covered]</small>",
            )
        if sentence.in_body and coverage.is_heading(sentence.text):
            return f'<strong id="{anchor}">{text}</strong>', ""
        return f'<span id="{anchor}">{text}</span>', ""

    def _repr_html_(self) -> str:
        by_sentence = {s.sentence: s for s in self.statuses}
        paragraphs: dict[tuple[bool, int], list[tuple[str, str]]] = defaultdict(list)
        for unit in coverage.units(self.source_id):
            paragraphs[(not unit.in_body, unit.block)].append(self._unit_html(by_sentence.get(unit), unit))
        # a linked sentence is outlined, so the reader sees where the link landed
        out = [
            "<style>.source-text :target { outline: 3px solid #D55E00; outline-offset: 2px; }</style>",
            '<div class="source-text" lang="en">',
        ]
        in_refs = False
        for (is_ref, _), pieces in sorted(paragraphs.items()):
            if is_ref and not in_refs:
                out.append(
                    "<p><em>Reference list (outside the coverage count; shown so that rows "
                    "quoting it can link here):</em></p>"
                )
                in_refs = True
            words = []
            for index, (text, note) in enumerate(pieces):
                words.append(text)
                following = pieces[index + 1][1] if index + 1 < len(pieces) else None
                if note and note != following:
                    words.append(note)
            out.append("<p>" + " ".join(words) + "</p>")
        out.append("</div>")
        return "\n".join(out)

    def __repr__(self) -> str:
        numeric = [s for s in self.statuses if s.sentence.numeric]
        return (
            f"{self.source_id}: {len(self.statuses)} sentences, {len(numeric)} printing a number, "
            f"{sum(s.state == 'quoted' for s in numeric)} quoted, "
            f"{sum(s.state == 'set aside' for s in numeric)} set aside"
        )


class AnchoredTable:
    """A table whose rows carry ids (``{prefix}-{key}``), so the book can link to a row,
    with the provenance note under it."""

    def __init__(self, df: pd.DataFrame, key: str, prefix: str, caption: str, *loaded: pd.DataFrame):
        self.df, self.key, self.prefix, self.caption = df.reset_index(drop=True), key, prefix, caption
        self.note = Provenance(loaded)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{_html(str(c))}</th>" for c in self.df.columns)
        body = []
        for _, row in self.df.iterrows():
            cells = "".join(f"<td>{'—' if pd.isna(v) else _html(str(v))}</td>" for v in row)
            body.append(f'<tr id="{_html(markup.anchor(self.prefix, row[self.key]))}">{cells}</tr>')
        return (
            f'<table class="netbook-table" tabindex="0"><caption>{_html(self.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>" + self.note._repr_html_()
        )

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.df.to_string(index=False)}\n{self.note!r}"


def contradictions_view(
    contradictions: pd.DataFrame, rows: pd.DataFrame, chapters: dict[str, list[str]], titles: dict[str, str]
) -> pd.DataFrame:
    """The contradictions for readers, with the chapters whose tables quote either statement."""
    records = []
    for row in contradictions.sort_values("contradiction_id").itertuples(index=False):
        own = rows[rows["source_id"] == row.source_id]
        tables = sorted(
            {
                t
                for t, q in own[["table", "quote"]].itertuples(index=False)
                if flags.quotes_overlap(row.source_id, q, row.quote)
                or flags.quotes_overlap(row.source_id, q, row.quote_b)
            }
        )
        used = sorted({titles.get(c, c) for t in tables for c in chapters.get(t, [])})
        records.append(
            {
                "Contradiction": row.contradiction_id,
                "Kind": row.kind,
                "What conflicts": row.what_conflicts,
                "Source": row.source_id,
                "First statement": f"{row.locator}: “{row.quote}”",
                "Second statement": f"{row.locator_b}: “{row.quote_b}”",
                "Why both cannot hold": row.rationale,
                "Tables quoting either": "; ".join(tables) or "none",
                "Chapters using them": "; ".join(used) or "none",
            }
        )
    return pd.DataFrame.from_records(records)


class FlaggedList:
    """The flagged audit checks as an HTML list, each linking to its row of the audit table."""

    def __init__(self, results: pd.DataFrame):
        self.flagged = results[results["flagged"]]

    def _repr_html_(self) -> str:
        items = "".join(
            f'<li><a href="#{_html(markup.anchor("audit", r.check_id))}"><code>{_html(r.check_id)}</code></a> '
            f"({_html(r.source_id)}): {_html(r.statement)}; printed {_html(r.printed)}, "
            f"recomputed {_html(r.recomputed)}: {_html(r.result)}.</li>"
            for r in self.flagged.itertuples()
        )
        return f"<ul>{items}</ul>"

    def __repr__(self) -> str:
        return "\n".join(f"- {r.check_id}: {r.result}" for r in self.flagged.itertuples())


def flagged_list(results: pd.DataFrame) -> FlaggedList:
    return FlaggedList(results)
