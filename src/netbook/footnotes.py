"""Summary-of-findings footnotes: a letter beside a value, its text under the table.

The qualifiers that decide how far a number can be trusted, and for whom it holds (the
time origin of a survival result, a background therapy given in every arm, crossover,
interim or congress status, how the source prints the value...), are typed columns of
the extracted tables, each quoted like a value (``"netbook:inQuote"``, see
:mod:`netbook.tables`). :func:`qualifier_notes` turns one row's qualifiers into footnote
texts; :class:`Footnotes` gives each distinct text a letter (a, b, ... z, aa, ab...) and
puts the letters beside a cell's text; :func:`footnoted` shows a displayed table (a
:func:`netbook.display.table`, possibly wrapped by :func:`netbook.flags.linked`) with the
letters as superscripts and the footnotes under it, in HTML, in the Markdown the PDF is
built from, and in plain text.

The letters travel inside the cell text between two private-use characters
(:data:`OPEN`, :data:`CLOSE`), which neither HTML nor Markdown escaping touches, so the
table's own rendering is unchanged and the letters are swapped for markup at the end.
"""

from __future__ import annotations

import string

from netbook import markup
from netbook.display import _markdown_text
from netbook.numbers import normalise_whitespace
from netbook.provenance import fragment_in
from netbook.values import is_missing

OPEN, CLOSE = "\ue000", "\ue001"


def swap_marks(text: str, written) -> str:
    """``text`` with each ``OPEN letters CLOSE`` replaced by ``written(letters)`` (the
    letters as a list). The marks are private-use characters of the cell text, not
    markup: a plain scan finds them."""
    parts, last = [], 0
    while (start := text.find(OPEN, last)) >= 0 and (end := text.find(CLOSE, start)) >= 0:
        parts += [text[last:start], written(text[start + 1 : end].split())]
        last = end + 1
    return "".join(parts) + text[last:]


def _html_marks(rendered: str) -> str:
    """The marks in the text runs of rendered HTML as superscripts (a mark never spans a
    tag: it is written inside one cell's text)."""
    document = markup.parse(rendered)
    edits = markup.Edits(document)
    for run in document.texts:
        if OPEN in run.raw:
            edits.replace(
                run.start,
                run.end,
                swap_marks(run.raw, lambda letters: '<sup class="sof-mark">' + ",".join(letters) + "</sup>"),
            )
    return edits.apply()


#: Qualifier columns, in the order their footnotes are given, with the words before the
#: printed text.
LABELS = {
    "time_origin": "Time origin",
    "prior_treatment": "Prior treatment of the population",
    "background_therapy": "Background therapy, given in every arm",
    "regimen_in_reference": "Regimen as the cited reference names it",
    "crossover": "Crossover",
    "report_status": "Report status",
    "cohort_era": "Cohort treated",
    "liver_metastases_share": "Patients with liver metastases",
    "significance_as_printed": "Significance printed in words only",
}

#: How a source prints a value (the vocabulary of the ``printed_as`` columns), in words.
PRINTED_AS = {
    "median not printed": "“median” is not printed; the value is read as a median",
    "arms pooled": "printed for both arms or series together, not per arm",
    "no citation marker": "the sentence carries no citation marker",
    "no unit printed": "printed without a unit",
    "time point in words": "the time point is printed in words",
    "no rate printed": "no rate is printed",
    "no dose printed": "no dose or schedule is printed",
    "no n printed": "no number of patients is printed",
    "no blinding printed": "no blinding is printed",
}

#: Endpoints that measure a time or a survival: without a stated origin, the footnote
#: says "time origin not stated".
TIME_TO_EVENT = frozenset(
    {
        "median PFS",
        "PFS rate",
        "median TTP",
        "median OS",
        "OS",
        "OS rate",
        "survival rate",
        "disease-specific survival rate",
        "disease-free survival rate",
        "median response duration",
        "time by which all progressed",
        "time by which all died",
        "survival benefit",
    }
)

TIME_ORIGIN_NOT_STATED = "Time origin not stated"


def _items(value) -> list[str]:
    if is_missing(value):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def qualifier_notes(row) -> list[str]:
    """The footnote texts of one row of an extracted table: its typed qualifiers (as
    printed, in quotation marks), how the source prints the value, "time origin not
    stated" for a time-to-event result without one, the passage a qualifier is printed in
    where that is not the row's quote, and the extraction's remark."""
    row = {k: (None if is_missing(v) else v) for k, v in dict(row).items()}
    notes, outside, design_read = [], False, False
    passages = _items(row.get("qualifier_quote"))
    quote = row.get("quote", "")
    elsewhere = row.get("qualifier_locator") or "elsewhere in the source"
    # a passage in another part of the source is named (and quoted below); the sentence
    # beside the quote, in the same section, is not
    other_place = passages and elsewhere != row.get("locator")
    for column, label in LABELS.items():
        for item in _items(row.get(column)):
            where = ""
            if passages and not fragment_in(item, quote, casefold=True):
                outside = True
                where = f" ({elsewhere})" if other_place else " (in the sentence beside the quote)"
            notes.append(f"{label}: “{item}”{where}")
    design = row.get("design_as_printed")
    if passages and not is_missing(design) and not fragment_in(design, quote, casefold=True):
        notes.append(f"Design read from the sentence beside the quote: “{design}”")
        outside = design_read = True
    if row.get("endpoint") in TIME_TO_EVENT and not _items(row.get("time_origin")):
        notes.append(TIME_ORIGIN_NOT_STATED)
    for item in _items(row.get("printed_as")):
        notes.append("As printed: " + PRINTED_AS[item])
    if outside and (other_place or design_read):
        for passage in passages:
            place = elsewhere[0].upper() + elsewhere[1:] if other_place else "The sentence beside the quote"
            notes.append(f"{place}: “{normalise_whitespace(passage)}”")
    for item in _items(row.get("remark")):
        notes.append(f"Extraction note: {item}")
    return notes


def letter(index: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa'."""
    letters = string.ascii_lowercase
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = letters[rest] + text
    return text


class Footnotes:
    """The footnotes of one table: each distinct text gets one letter, in order of first use."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def letter(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return letter(self.texts.index(text))

    def mark(self, text: str, notes: list[str]) -> str:
        """``text`` with the letters of ``notes`` beside it (unchanged without notes)."""
        if not notes:
            return str(text)
        letters = " ".join(self.letter(n) for n in dict.fromkeys(notes))
        return f"{text}{OPEN}{letters}{CLOSE}"

    def items(self) -> list[tuple[str, str]]:
        return [(letter(i), text) for i, text in enumerate(self.texts)]


def plain(text: str) -> str:
    """A marked cell as plain text: '67%[a,b]'."""
    return swap_marks(str(text), lambda letters: "[" + ",".join(letters) + "]")


class Footnoted:
    """A displayed table with its footnote letters as superscripts and its footnotes under it."""

    def __init__(self, shown, footnotes: Footnotes):
        self.shown, self.footnotes = shown, footnotes

    def _repr_html_(self) -> str:
        out = _html_marks(self.shown._repr_html_())
        if not self.footnotes.texts:
            return out
        notes = "<br>".join(
            f'<span class="sof-footnote"><sup>{k}</sup> {markup.escape(t)}</span>'
            for k, t in self.footnotes.items()
        )
        notes = f'<p class="sof-footnotes">{notes}</p>'
        return markup.insert_after_element(out, "table", notes)  # under the table, above its note

    def _repr_markdown_(self) -> str:
        text = swap_marks(self.shown._repr_markdown_(), lambda letters: "{sup}`" + ",".join(letters) + "`")
        if not self.footnotes.texts:
            return text
        notes = "\\\n".join(f"{{sup}}`{k}` {_markdown_text(t)}" for k, t in self.footnotes.items())
        # under the table: after the closing fence of a captioned table, else after the rows
        fence = text.find("\n:::")
        if fence >= 0:
            cut = fence + 4
            return text[:cut] + "\n\n" + notes + text[cut:]
        rows, sep, rest = text.partition("\n\n")
        return rows + "\n\n" + notes + (sep + rest if sep else "")

    def __repr__(self) -> str:
        text = plain(repr(self.shown))
        return text + "".join(f"\n[{k}] {t}" for k, t in self.footnotes.items())


def footnoted(shown, footnotes: Footnotes) -> Footnoted:
    """``shown`` (a table whose cells were marked with ``footnotes.mark``) with its footnotes."""
    return Footnoted(shown, footnotes)
