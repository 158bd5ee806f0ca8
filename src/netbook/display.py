"""Show tables and provenance in a chapter, with stable outputs.

A pandas Styler's plain-text form carries a memory address ("<Styler at 0x7f...>"),
which changes on every run and would make nbval fail for nothing. :func:`table` shows
the same HTML without an index, and a plain-text form that depends only on the data.

:func:`provenance` is the note under a table or figure: which data files it came from
(each with a link to download the CSV, which the build publishes from ``data/``)
and which parts of which sources those rows quote. Each part links to the reading view
of the source (chapter ``source_texts``), at the first sentence those rows quote there.

Both also have a Markdown form, for the PDF: the LaTeX builder cannot use HTML, and
myst-nb picks ``text/markdown`` over ``text/plain`` there (the HTML pages keep using
``text/html``, which comes first for the HTML builder).
"""

from __future__ import annotations

import string
from pathlib import PurePosixPath

import pandas as pd
from pandas.io.formats.format import DataFrameFormatter

from netbook import markup
from netbook.numbers import normalise_whitespace

_PUNCTUATION = frozenset(string.punctuation)


def escape(value: object, to: str) -> str:
    """Free text from the data as literal text of a page: the one way it gets there.

    ``to="html"``: ``&``, ``<``, ``>`` and both quotes as entities (safe in an element and
    in a quoted attribute). ``to="markdown"``: one line, every ASCII punctuation character
    backslash-escaped (CommonMark allows it for all of them), so no ``*``, ``_``, ``|``,
    ``[``, ``{``, ``$`` or backquote is read as MyST markup, and no ``<`` as raw HTML
    (MyST passes raw HTML through; an escaped ``<`` is text). The PDF gets the Markdown
    form, whose text nodes the LaTeX writer escapes in turn (``\\input`` stays text).
    """
    text = "" if value is None else str(value)
    if to == "html":
        return markup.escape(text)
    if to == "markdown":
        return "".join("\\" + c if c in _PUNCTUATION else c for c in normalise_whitespace(text))
    raise ValueError(f"escape(): unknown target {to!r}; 'html' or 'markdown'")


def _markdown_text(value: object) -> str:
    return escape(value, "markdown")


def _html_text(value: object) -> str:
    return escape(value, "html")


def _markdown_rows(df: pd.DataFrame) -> list[str]:
    """A pipe table whose cells hold the same text as ``df.to_html(index=False, na_rep="—")``
    (pandas' own column formatting: the same decimals in the PDF as on the page)."""
    formatter = DataFrameFormatter(df, index=False, na_rep="—")
    # pandas cuts a cell longer than display.max_colwidth (50) to "...": never in the PDF
    with pd.option_context("display.max_colwidth", None):
        columns = [[cell.strip() for cell in formatter.format_col(i)] for i in range(len(df.columns))]
    header = "| " + " | ".join(_markdown_text(c) for c in df.columns) + " |"
    rows = ["| " + " | ".join(_markdown_text(cell) for cell in row) + " |" for row in zip(*columns)]
    return [header, "|" + "---|" * len(df.columns), *rows]


READING_VIEW = "source_texts.html"  # the reading view, beside the other chapter pages


def _reading_view_links(loaded: tuple[pd.DataFrame, ...]) -> dict[tuple[str, str], str]:
    """(source, locator) -> the anchor, in the reading view, of the first sentence (in
    the source's order) that the rows with that locator quote."""
    from netbook import coverage

    firsts: dict[tuple[str, str], tuple[int, str]] = {}
    for df in loaded:
        if "quote" not in df or "locator" not in df:
            continue
        for source_id, locator, quote in (
            df[["source_id", "locator", "quote"]].astype(str).itertuples(index=False)
        ):
            if source_id not in coverage.source_files():
                continue
            spans = coverage.quote_spans(quote, coverage.normalised_text(source_id))
            anchor = coverage.anchor_for_quote(source_id, quote)
            if not spans or anchor is None:
                continue
            key = (source_id, locator)
            if key not in firsts or spans[0][0] < firsts[key][0]:
                firsts[key] = (spans[0][0], anchor)
    return {key: anchor for key, (_, anchor) in firsts.items()}


def _provenance_parts(loaded: tuple[pd.DataFrame, ...]) -> tuple[list[str], list[str]]:
    """Data files (relative to data/, as the build publishes them) and, per source, the
    places the rows quote."""
    files, places = [], {}
    for df in loaded:
        meta = df.attrs.get("netbook")
        if not meta:
            raise ValueError(
                "provenance() needs DataFrames as returned by load_table "
                "(their attrs name the file); pass the loaded table itself"
            )
        if meta.get("kind") == "editorial":
            continue  # listed apart: the book's judgement, not a quote of a source
        files.append(meta["path"])
        if "locator" not in df:  # the sources table describes sources; it quotes none
            continue
        for source_id, locator in df[["source_id", "locator"]].astype(str).itertuples(index=False):
            places.setdefault(source_id, set()).add(locator)
    return (
        sorted(dict.fromkeys(files)),
        [f"{source}: {'; '.join(sorted(locators))}" for source, locators in sorted(places.items())],
    )


class Provenance:
    def __init__(self, loaded: tuple[pd.DataFrame, ...]):
        self.files, self.places = _provenance_parts(loaded)
        self.judgements = sorted(
            {df.attrs["netbook"]["path"] for df in loaded if df.attrs["netbook"].get("kind") == "editorial"}
        )
        self.anchors = _reading_view_links(loaded)

    def _place_html(self, place: str) -> str:
        source, _, locators = place.partition(": ")
        linked = []
        for locator in locators.split("; "):
            anchor = self.anchors.get((source, locator))
            linked.append(
                f'<a href="{READING_VIEW}#{_html_text(anchor)}" title="the quoted passage in the '
                f'source text">{_html_text(locator)}</a>'
                if anchor
                else _html_text(locator)
            )
        return f"{_html_text(source)}: " + "; ".join(linked)

    def _repr_html_(self) -> str:
        # chapters are one folder deep; the build publishes data/ at the site root
        lines = []
        if self.files:
            lines.append(
                "<strong>Data:</strong> "
                + ", ".join(self._link(f) for f in self.files)
                + " (CSV, with a verbatim quote for every row)"
            )
        if self.judgements:
            lines.append(
                "<strong>The book's judgement:</strong> "
                + ", ".join(self._link(f) for f in self.judgements)
                + " (CSV, with the rationale for every row)"
            )
        if self.files:
            places = "<br>".join(self._place_html(p) for p in self.places) or "the sources table itself"
            lines.append(f"<strong>Sources:</strong><br>{places}")
        return f'<p class="provenance-note">{"<br>".join(lines)}</p>'

    @staticmethod
    def _link(f: str) -> str:
        return f'<a href="../{_html_text(f)}" download><code>{_html_text(PurePosixPath(f).name)}</code></a>'

    def _repr_markdown_(self) -> str:
        lines = []
        if self.files:
            lines.append(
                "**Data:** "
                + ", ".join(_markdown_text(PurePosixPath(f).name) for f in self.files)
                + " (CSV, with a verbatim quote for every row)"
            )
        if self.judgements:
            lines.append(
                "**The book's judgement:** "
                + ", ".join(_markdown_text(PurePosixPath(f).name) for f in self.judgements)
                + " (CSV, with the rationale for every row)"
            )
        if self.files:
            places = "\\\n".join(_markdown_text(p) for p in self.places) or "the sources table itself"
            lines.append(f"**Sources:**\\\n{places}")
        return "\\\n".join(lines)

    def __repr__(self) -> str:
        lines = []
        if self.files:
            lines.append("Data: " + ", ".join(self.files))
        if self.judgements:
            lines.append("The book's judgement: " + ", ".join(self.judgements))
        if self.files:
            lines += ["Sources:", *self.places]
        return "\n".join(lines)


def provenance(*loaded: pd.DataFrame) -> Provenance:
    """The provenance note for a table or figure derived from these loaded tables."""
    return Provenance(loaded)


def _missing_as_dash(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the missing cells of its nullable columns (``Int64``, ``string``, where
    pandas prints ``<NA>`` whatever ``na_rep`` says) as the dash ``na_rep`` prints."""
    out = df.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.api.extensions.ExtensionDtype) and values.isna().any():
            out[column] = values.astype(object).where(values.notna(), "—")
    return out


class Table:
    def __init__(self, df: pd.DataFrame, caption: str | None, loaded: tuple[pd.DataFrame, ...]):
        self.df = _missing_as_dash(df)
        self.caption = caption
        self.note = Provenance(loaded) if loaded else None

    def _repr_html_(self) -> str:
        # pandas escapes every cell and header (&, <, >): its auto-escaping is the HTML form
        # of escape() for table cells, with pandas' own number formatting kept
        body = self.df.to_html(index=False, na_rep="—", border=0, classes="netbook-table", escape=True)
        if self.caption:  # the table's first child, on a line of its own as pandas writes its rows
            body = markup.insert_after_element(
                body, "table", "\n" + markup.element("caption", self.caption), first_child=True
            )
        return body + (self.note._repr_html_() if self.note else "")

    def _repr_markdown_(self) -> str:
        rows = "\n".join(_markdown_rows(self.df))
        if self.caption:  # a MyST table directive: a numbered, captioned table in the PDF
            rows = f":::{{table}} {_markdown_text(self.caption)}\n{rows}\n:::"
        return f"{rows}\n\n{self.note._repr_markdown_()}" if self.note else rows

    def __repr__(self) -> str:
        text = self.df.to_string(index=False, na_rep="—")
        text = f"{self.caption}\n{text}" if self.caption else text
        return f"{text}\n{self.note!r}" if self.note else text


def table(df: pd.DataFrame, caption: str | None = None, *loaded: pd.DataFrame) -> Table:
    """Display ``df`` as an HTML table without its index.

    Pass the loaded tables it was derived from to print the provenance note under it:
    ``table(summary, "Outcomes per arm", outcomes)``.
    """
    return Table(df.reset_index(drop=True), caption, loaded)


def markdown_table(df: pd.DataFrame) -> MarkdownTable:
    """A table rendered by the book as Markdown, so the book's search indexes its text."""
    return MarkdownTable(df.reset_index(drop=True))


class MarkdownTable:
    def __init__(self, df: pd.DataFrame):
        self.df = df

    @staticmethod
    def _cell(value) -> str:
        text = "—" if value is None or (not isinstance(value, list) and pd.isna(value)) else str(value)
        return _markdown_text(text)

    def _repr_markdown_(self) -> str:
        header = "| " + " | ".join(_markdown_text(c) for c in self.df.columns) + " |"
        rule = "|" + "---|" * len(self.df.columns)
        rows = [
            "| " + " | ".join(self._cell(v) for v in row) + " |" for row in self.df.itertuples(index=False)
        ]
        return "\n".join([header, rule, *rows])

    def __repr__(self) -> str:
        return self.df.to_string(index=False, na_rep="—")
