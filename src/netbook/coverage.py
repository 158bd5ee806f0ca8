"""Coverage of the source texts: is every number a source prints in the book?

Each source's body text (its reference list excluded) is split into sentences by a
small rule written and tested here (:func:`split_sentences`); the texts' abbreviations
("vs.", "et al.", "e.g.", "Fig. 1", "i.e.") and decimal numbers defeat a naive split,
and a rule we can read is easier to trust than a model we cannot.

A sentence is *numeric* when it prints a number once citation markers (``^[12]``,
``[1–3]``), figure and table cross-references (``Fig. 1``, ``Table 1``) and a heading's
section number (``2. Case presentation``) are removed; digits glued to letters are
identifiers, not numbers (``G2``, ``Ki67``, ``5-HIAA``, ``RADIANT-3``, ``177Lu``), see
:func:`printed_numbers`.

A sentence is *quoted by a row* of an extraction table (every table but the editorial
ones, :data:`EDITORIAL`: the set-aside list, the audit and the contradictions, which
quote sentences to judge them, not to report them) when the row's quote (located in
the whitespace-normalised source text, every occurrence) covers at least one number the
sentence prints: "quoted in part" means the row carries at least one of its numbers.
Every numeric sentence must be quoted or listed in ``set_aside_sentences`` with a reason.

A source that is a second extraction of a publication (``sources.csv``: not
``preferred``, the same ``publication_id`` as the preferred extraction; the case report's
raw PDF) is covered through its twin, the preferred extraction: each numeric sentence of
the copy is matched (:func:`twin_of`) to the twin's sentence that prints the same numbers
and reads most alike, and takes that sentence's status; a copy sentence with no twin
(page headers, for example) must be quoted or set aside itself.

What the module knows of a particular source comes from ``data/sources/sources.csv``:
its file, its twin, where its reference list begins (``reference_list_heading``) and
the section its text begins in (``first_section``). It names no source.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from netbook import paths
from netbook.numbers import Number, normalise_whitespace, numbers_in

#: The closed vocabulary of reasons for setting a numeric sentence aside.
REASONS = {
    "background outside the book's scope": "general background (epidemiology, history, mechanisms, other diseases) that the "
    "book does not tabulate",
    "repeats a quoted sentence": "states again a number that another sentence of the same source states and a table quotes",
    "dates or identifiers only": "its only numbers are dates, addresses, page numbers, DOIs, trial or drug identifiers",
    "not extracted yet": "a clinical statement the book should hold in a table but does not yet",
}

ABBREVIATIONS = {
    "vs",
    "al",
    "e.g",
    "i.e",
    "eg",
    "ie",
    "dr",
    "fig",
    "figs",
    "no",
    "nos",
    "cf",
    "approx",
    "resp",
    "prof",
    "jr",
    "mr",
    "mrs",
    "st",
    "ca",
    "ref",
    "refs",
    "vol",
}

# A citation marker: ^[12], ^[1–3], ^{a,*}, or (in the raw PDF) [12] / [14,27].
_CITATION = re.compile(r"\^?\[\d+(?:\s*[-–,]\s*\d+)*\]|\^\{[^}]*\}")
_ENUMERATOR = re.compile(r"\(\d\)(?=\s)")
_CROSSREF = re.compile(r"\b(?:Figs?\.|Figures?|Tables?)\s*\d+[A-Za-z]?(?:\s*(?:,|and|-|–)\s*\d+)*")
_HEADING_NUMBER = re.compile(r"^\d+\.\s+(?=[A-Z][a-z])")
# A printed number is one the reader of :mod:`netbook.numbers` finds (digits or a number
# word), less identifiers: nothing glued before it, neither a letter, digit or full stop
# nor "letter-" ("G2", "RADIANT-3"; "Ki 67" is the antigen); after digits, at most a
# glued unit of the raw PDF ("135mg", "24h", "10x/day") and never "-Capital" or a
# chemical prefix ("5-HIAA", "5-FU", "5-hydroxy").
_LETTER = r"A-Za-z\u00b5\u03b1-\u03c9"
_GLUED_BEFORE = re.compile(rf"(?:[\w.]|[{_LETTER}]- ?|Ki |KI )$")
_UNIT_OR_END = re.compile(rf"(?:mg|kg|g|h|d|x|mo)?(?![{_LETTER}\d_])")
_PREFIX_AFTER = re.compile(r"-[A-Z]|-(?:hydro|fluoro)")
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?:\^?\[[^\]]*\])?(?=\s+[^\s])")


def printed_numbers(sentence: str) -> list[str]:
    """The numbers a sentence prints, in order (identifiers and cross-references aside)."""
    text = _CITATION.sub(" ", sentence)
    text = _CROSSREF.sub(" ", text)
    text = _ENUMERATOR.sub(" ", text)
    text = _HEADING_NUMBER.sub("", text.strip())
    # superscript reference markers of the raw PDF are not in the text; a trailing
    # full stop of a number is punctuation ("up to 60%.") and not part of the token
    return [number.text for number in _printed(text)]


def _printed(text: str) -> list[Number]:
    """The numbers of :func:`numbers_in` (with words) that are no identifier (see above);
    "4722.2016.37" (a DOI's tail) is no number anyone can read, so none either."""
    return [
        n
        for n in numbers_in(text, words=True)
        if n.value is not None
        and not _GLUED_BEFORE.search(text, max(0, n.start - 3), n.start)
        and (n.is_word or (_UNIT_OR_END.match(text, n.end) and not _PREFIX_AFTER.match(text, n.end)))
    ]


def _ends_sentence(text: str, end: int) -> bool:
    """Is the punctuation ending at ``end`` (exclusive) a sentence end?"""
    stop = text.rfind(".", 0, end)
    before = text[:end]
    word = re.search(r"([\w.]+)[.][\"'”’)\]]*(?:\^?\[[^\]]*\])?$", before)
    if word and text[stop : stop + 1] == ".":
        token = word.group(1).casefold()
        if token in ABBREVIATIONS or token.rstrip(".") in ABBREVIATIONS:
            return False
        if re.fullmatch(r"[a-z]", token):  # an initial: "Maria P. Brizzi"
            return False
    following = text[end:].lstrip()
    return bool(following) and not following[0].islower()


def split_sentences(block: str) -> list[str]:
    """Split one paragraph (whitespace already normalised) into sentences.

    A heading and a Markdown table row are one unit each and are not split."""
    if block.startswith("|") or _is_heading(block):
        return [block]
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(block):
        end = match.end()
        if _ends_sentence(block, end):
            piece = block[start:end].strip()
            if piece:
                sentences.append(piece)
            start = end
    tail = block[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_text(text: str) -> list[str]:
    """Every sentence of a text, in order, whitespace-normalised: its paragraphs (a
    heading, a table row each a unit of its own; a paragraph cut mid-sentence joined
    with the next) split by :func:`split_sentences`. The one sentence splitter of the
    book: the reading view's anchors and ``netbook.texts.sentences`` both rest on it."""
    return [piece for block in _blocks(text) for piece in split_sentences(block)]


_NUMBERED_HEADING_LINE = re.compile(r"^\s*\d+\.\s+[A-Z][a-z]+(?: [a-z]+)*\s*$")
# An abstract's label at the start of a line opens a block even without a blank line
# before it (the Markey abstract's "CONCLUSION:" follows its results on the next line).
_ABSTRACT_LABEL_LINE = re.compile(r"^(BACKGROUND|METHODS|RESULTS|CONCLUSION):")
_ENDS_PUNCTUATED = re.compile(r"[.!?:][\"'”’)\]]*(?:\^?\[[^\]]*\])?$")


# Page furniture: licence lines, page headers and numbers, DOIs, journal web addresses.
_FURNITURE = re.compile(
    r"^(?:This is an open access|For reprints|How to cite|Received:|Access this article"
    r"|Quick Response|Website:|DOI:|www\.|10\.\d{4,}/|\d+$|http"
    # a running page header: "<Author> et al. <Journal> (<year>)"
    r"|\w+ et al\. [A-Z][A-Za-z ]* \(\d{4}\))"
)


def _blocks(text: str) -> list[str]:
    """Paragraphs (blank-line separated), a Markdown table row or a numbered heading line
    each a block of its own; a paragraph that stops mid-sentence (no final punctuation,
    the next starts lower-case) is joined with the next."""
    raw: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        lines = para.splitlines()
        if lines and all(line.lstrip().startswith("|") for line in lines if line.strip()):
            raw += [line for line in lines if line.strip() and not re.fullmatch(r"[\s|:-]+", line)]
            continue
        current: list[str] = []
        for line in lines:
            if _NUMBERED_HEADING_LINE.match(line):  # "2. Case presentation" atop a PDF paragraph
                raw += ["\n".join(current), line] if current else [line]
                current = []
            elif _ABSTRACT_LABEL_LINE.match(line.lstrip()) and current:
                raw.append("\n".join(current))
                current = [line]
            else:
                current.append(line)
        raw.append("\n".join(current))
    blocks: list[str] = []
    for para in (normalise_whitespace(p) for p in raw):
        if not para:
            continue
        if (
            blocks
            and not blocks[-1].startswith("|")
            and not para.startswith("|")
            and (para[0].islower() or para[0] == "(")
            and not _ENDS_PUNCTUATED.search(blocks[-1])
            and not _is_heading(blocks[-1])
            and not _FURNITURE.match(blocks[-1])
            and not _FURNITURE.match(para)
        ):
            blocks[-1] = f"{blocks[-1]} {para}"
        else:
            blocks.append(para)
    return blocks


def is_heading(block: str) -> bool:
    """A heading of the source: short, no final punctuation, words only."""
    return _is_heading(block)


def _is_heading(block: str) -> bool:
    if block.startswith("|") or len(block) > 80 or re.search(r"[.:;,]$", block):
        return False
    return bool(re.fullmatch(r"(?:\d+\.\s+)?[A-Z][A-Za-z ()&/-]+", block))


def _heading_title(block: str) -> str:
    text = _HEADING_NUMBER.sub("", block).strip()
    if text.isupper() and len(text) > 5:
        words = [w if w.startswith("(") else w.lower() for w in text.split()]
        text = " ".join(words)
        text = text[0].upper() + text[1:]
    return text


# Blocks that set the locator. scope "block": this block only; "label": until the next
# heading or label; "table": until prose resumes (a block starting lower-case) or a
# heading; "rest": to the end of the body.
MARKERS = [
    (re.compile(r"^Figure (\d+)\."), "Figure {0} legend", "block"),
    (re.compile(r"^Table (\d+)\b"), "Table {0}", "table"),
    (
        re.compile(r"^(Introduction|Patients concerns and diagnosis|Interventions|Outcomes|Conclusion):"),
        "Abstract, {0}",
        "label",
    ),
    (_ABSTRACT_LABEL_LINE, "Abstract, {0}", "label"),
    (re.compile(r"^(?:Abbreviations|Keywords):"), "Front matter", "label"),
    (re.compile(r"^Original language"), "Portal record", "rest"),
    (_FURNITURE, "Front matter", "block"),
]


def _starts_prose(block: str) -> bool:
    """A block whose first word is a lower-case word ('whereas ...'), not a table cell
    that starts lower-case ('pT4 pN1(1/12)')."""
    first = block.split()[0]
    return first[0].islower() and first == first.lower() and not any(c.isdigit() for c in first)


def _locators(blocks: list[str], source_id: str) -> list[str]:
    """The locator of each block: its section, in the style the tables use."""
    main, label, table, rest = first_section(source_id), None, None, None
    seen_caps = False
    out = []
    for block in blocks:
        if rest:
            out.append(rest)
            continue
        if table and (_starts_prose(block) or len(block) > 300):
            table = None
        if _is_heading(block) and not table and not _FURNITURE.match(block):
            title = _heading_title(block)
            if block.isupper() or not seen_caps:
                main, label, table = title, None, None
                seen_caps = seen_caps or block.isupper()
            else:
                main, label, table = f"{main.split(',')[0]}, {title}", None, None
            out.append(main)
            continue
        where = None
        for pattern, template, scope in MARKERS:
            m = pattern.match(block)
            if not m:
                continue
            name = template.format(*(g.capitalize() if g.isupper() else g for g in m.groups()))
            if scope == "block":
                where = name
            elif scope == "label":
                label = where = name
                table = None
            elif scope == "table":
                table = where = name
            else:
                rest = where = name
            break
        out.append(where or table or label or main)
    return out


@dataclass(frozen=True)
class Sentence:
    source_id: str
    number: int  # 1-based position in the source's body
    text: str  # verbatim, whitespace normalised
    section: str  # the heading above it ("Abstract" before the first heading)
    start: int  # offsets in the whitespace-normalised source text
    end: int
    numbers: tuple[str, ...] = field(default=())
    block: int = 0  # the paragraph (or table row) it belongs to
    in_body: bool = True  # False for the entries of the reference list (not covered)

    @property
    def numeric(self) -> bool:
        return bool(self.numbers)

    @property
    def anchor(self) -> str:
        """A stable HTML id: the source and a digest of the sentence and its position."""
        digest = hashlib.sha1(f"{self.start}:{self.text}".encode()).hexdigest()[:8]
        return f"{self.source_id.replace('_', '-')}-{digest}"


def source_rows() -> dict[str, dict[str, str]]:
    """source_id -> its row of data/sources/sources.csv as printed (metadata, no quotes)."""
    with (paths.SOURCES / "sources.csv").open(newline="", encoding="utf-8") as f:
        return {row["source_id"]: row for row in csv.DictReader(f)}


def source_files() -> dict[str, str]:
    """source_id -> text file name, from data/sources/sources.csv."""
    return {source_id: row["file"] for source_id, row in source_rows().items()}


def preferred_extraction(source_id: str) -> str | None:
    """The preferred extraction of the same publication, for a second extraction (one
    sources.csv marks not ``preferred``); None for a preferred one."""
    rows = source_rows()
    row = rows[source_id]
    if row["preferred"] == "true":
        return None
    found = [
        s
        for s, r in rows.items()
        if r["publication_id"] == row["publication_id"] and r["preferred"] == "true"
    ]
    if len(found) != 1:
        raise ValueError(
            f"sources.csv, row {source_id!r}, columns publication_id and preferred: a second extraction "
            f"needs exactly one preferred extraction of its publication {row['publication_id']!r} "
            f"(rule: one preferred extraction per publication), found {found}"
        )
    return found[0]


def _source_row(source_id: str) -> dict[str, str]:
    """A source's sources.csv row; empty for a text the book's sources.csv does not list
    (a snippet split on its own, the source of a test's own data package)."""
    return source_rows().get(source_id, {})


def first_section(source_id: str) -> str:
    """The section a source's text begins in (sources.csv ``first_section``); 'Front
    matter' for a text sources.csv does not list."""
    return _source_row(source_id).get("first_section") or "Front matter"


@cache
def normalised_text(source_id: str) -> str:
    return normalise_whitespace((paths.SOURCES / source_files()[source_id]).read_text(encoding="utf-8"))


def body(text: str, source_id: str) -> str:
    """The text without its reference list (from the line sources.csv names as its
    ``reference_list_heading``)."""
    heading = _source_row(source_id).get("reference_list_heading")
    marker = f"\n{heading}\n"
    if heading and marker in text:
        return text[: text.index(marker)]
    return text


@cache
def sentences(source_id: str) -> tuple[Sentence, ...]:
    """Every sentence of a source's body, in order, located in the normalised text."""
    raw = (paths.SOURCES / source_files()[source_id]).read_text(encoding="utf-8")
    return tuple(sentences_of(body(raw, source_id), source_id, normalised_text(source_id)))


def _locate(piece: str, normalised: str, cursor: int, error: str) -> int:
    """Where ``piece`` starts in the normalised text, at or after ``cursor``; the units
    of a text are found in order, so a unit not found there is an error, never skipped."""
    start = normalised.find(piece, cursor)
    if start < 0:
        raise ValueError(f"{error}: {piece[:60]!r}")
    return start


def sentences_of(text: str, source_id: str, normalised: str | None = None) -> list[Sentence]:
    normalised = normalise_whitespace(text) if normalised is None else normalised
    out, cursor = [], 0
    blocks = _blocks(text)
    for number, (block, locator) in enumerate(zip(blocks, _locators(blocks, source_id))):
        for piece in split_sentences(block):
            start = _locate(piece, normalised, cursor, f"{source_id}: sentence not found in the text")
            cursor = start + len(piece)
            out.append(
                Sentence(
                    source_id,
                    len(out) + 1,
                    piece,
                    locator,
                    start,
                    cursor,
                    tuple(printed_numbers(piece)),
                    number,
                )
            )
    return out


@cache
def reference_entries(source_id: str) -> tuple[Sentence, ...]:
    """The reference list, one unit per entry (line), located in the normalised text;
    shown in the reading view so that rows quoting it can link there, never covered."""
    raw = (paths.SOURCES / source_files()[source_id]).read_text(encoding="utf-8")
    tail = raw[len(body(raw, source_id)) :]
    if not tail:
        return ()
    normalised = normalised_text(source_id)
    cursor = sentences(source_id)[-1].end if sentences(source_id) else 0
    out = []
    for line in (normalise_whitespace(raw_line) for raw_line in tail.splitlines()):
        if not line:
            continue
        start = _locate(line, normalised, cursor, f"{source_id}: reference line not found")
        cursor = start + len(line)
        out.append(
            Sentence(
                source_id, len(out) + 1, line, "Reference list", start, cursor, (), len(out), in_body=False
            )
        )
    return tuple(out)


def units(source_id: str) -> tuple[Sentence, ...]:
    """Every sentence of the body, then every entry of the reference list."""
    return sentences(source_id) + reference_entries(source_id)


def overlaps(spans: list[tuple[int, int]], sentence: Sentence, minimum: int = 8) -> bool:
    """Does a quote occurrence share at least ``minimum`` characters (or the whole
    sentence, if shorter) with the sentence? (For highlighting, not for coverage.)"""
    need = min(minimum, sentence.end - sentence.start)
    return any(min(qe, sentence.end) - max(qs, sentence.start) >= need for qs, qe in spans)


def anchor_for_quote(source_id: str, quote: str) -> str | None:
    """The anchor of the sentence where the quote's first occurrence begins (reading view)."""
    try:
        spans = quote_spans(quote, normalised_text(source_id))
    except KeyError:
        return None
    if not spans:
        return None
    start = spans[0][0]
    for unit in units(source_id):
        if unit.start <= start < unit.end or start < unit.start:
            return unit.anchor
    return None


def quote_spans(quote: str, normalised: str) -> list[tuple[int, int]]:
    """Every place a quote occurs in a normalised source text."""
    q = normalise_whitespace(quote)
    spans, at = [], normalised.find(q)
    while at >= 0 and q:
        spans.append((at, at + len(q)))
        at = normalised.find(q, at + 1)
    return spans


def number_spans(sentence: Sentence) -> list[tuple[int, int]]:
    """Offsets (in the normalised source) of the numbers the sentence prints."""
    text = _CITATION.sub(lambda m: " " * len(m.group(0)), sentence.text)
    text = _CROSSREF.sub(lambda m: " " * len(m.group(0)), text)
    text = _ENUMERATOR.sub(lambda m: " " * len(m.group(0)), text)
    head = _HEADING_NUMBER.match(text)
    if head:
        text = " " * head.end() + text[head.end() :]
    return [(sentence.start + n.start, sentence.start + n.end) for n in _printed(text)]


def quotes_sentence(spans: list[tuple[int, int]], sentence: Sentence) -> bool:
    """A quote covers the sentence when one of its occurrences covers one of its numbers."""
    return any(qs <= ns and ne <= qe for qs, qe in spans for ns, ne in number_spans(sentence))


#: Editorial tables quote sentences to judge them (set aside, audit, contradictions),
#: not to report what they say: their quotes do not count as coverage.
EDITORIAL = ("set_aside_sentences", "printed_arithmetic", "source_contradictions", "source_differences")


def quoting_rows(tables: dict[str, pd.DataFrame], exclude: tuple[str, ...] = EDITORIAL) -> pd.DataFrame:
    """(table, row, source_id, locator, quote) of every row of every extraction table
    (the editorial tables excluded)."""
    records = []
    for name, df in sorted(tables.items()):
        if name in exclude or "quote" not in df:
            continue
        for index, row in df.iterrows():
            records.append(
                {
                    "table": name,
                    "row": index + 2,
                    "source_id": row["source_id"],
                    "locator": row["locator"],
                    "quote": row["quote"],
                }
            )
    return pd.DataFrame.from_records(records, columns=["table", "row", "source_id", "locator", "quote"])


def _fold(text: str) -> str:
    """A spelling-blind key for matching the two extractions of the case report."""
    text = unicodedata.normalize("NFKC", _CITATION.sub(" ", text)).casefold()
    text = text.replace("α", "a").replace("μ", "m")
    text = re.sub(r"(\w)- (\w)", r"\1\2", text)
    return re.sub(r"[^a-z0-9]", "", text)


def twin_of(sentence: Sentence, candidates: tuple[Sentence, ...], cutoff: float = 0.6) -> Sentence | None:
    """The clean sentence that prints the same numbers and reads most alike, or None."""
    key = _fold(sentence.text)
    best, best_ratio = None, cutoff
    for other in candidates:
        if not other.numeric or not set(sentence.numbers) <= set(other.numbers) | _spaced_units(other):
            continue
        other_key = _fold(other.text)
        contained = (key and key in other_key) or (len(other_key) >= 20 and other_key in key)
        ratio = 1.0 if contained else difflib.SequenceMatcher(None, key, other_key, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = other, ratio
    return best


def _spaced_units(sentence: Sentence) -> set[str]:
    # "135 μ g/wk" vs "135mg/wk", "24 h" vs "24h": numbers the clean text prints glued
    return {n.text for n in numbers_in(sentence.text)}


@dataclass
class Status:
    sentence: Sentence
    quoted_by: list[tuple[str, int]]  # (table, row)
    set_aside: dict | None  # the set-aside row, if any
    twin: Sentence | None = None  # for a duplicate extraction

    @property
    def state(self) -> str:
        if self.quoted_by:
            return "quoted"
        if self.set_aside is not None:
            return "set aside"
        return "uncovered"

    @property
    def reason(self) -> str | None:
        return None if self.set_aside is None else self.set_aside["reason"]


def set_aside_key(source_id: str, quote: str) -> tuple[str, str]:
    return source_id, normalise_whitespace(quote)


def statuses(source_id: str, rows: pd.DataFrame, set_aside: pd.DataFrame) -> list[Status]:
    """The coverage status of every sentence of a source (numeric or not)."""
    normalised = normalised_text(source_id)
    own = rows[rows["source_id"] == source_id]
    spans = [
        (table, row, quote_spans(quote, normalised))
        for table, row, quote in own[["table", "row", "quote"]].itertuples(index=False)
    ]
    aside = {
        set_aside_key(s, q): r
        for s, q, r in zip(set_aside["source_id"], set_aside["quote"], set_aside.to_dict("records"))
    }
    twin_source = preferred_extraction(source_id)
    twin_status = {s.sentence: s for s in statuses(twin_source, rows, set_aside)} if twin_source else {}
    clean = tuple(twin_status)
    out = []
    for sentence in sentences(source_id):
        quoted = [
            (table, row) for table, row, sp in spans if sentence.numeric and quotes_sentence(sp, sentence)
        ]
        status = Status(sentence, quoted, aside.get(set_aside_key(source_id, sentence.text)))
        if twin_source and sentence.numeric and not quoted and status.set_aside is None:
            twin = twin_of(sentence, clean)
            if twin is not None:
                inherited = twin_status[twin]
                status = Status(sentence, inherited.quoted_by, inherited.set_aside, twin)
        out.append(status)
    return out


def summary(all_statuses: dict[str, list[Status]]) -> pd.DataFrame:
    """Numeric sentences per source: quoted, set aside per reason, uncovered."""
    records = []
    for source_id, sts in sorted(all_statuses.items()):
        numeric = [s for s in sts if s.sentence.numeric]
        record = {
            "source": source_id,
            "sentences": len(sts),
            "numeric sentences": len(numeric),
            "quoted": sum(s.state == "quoted" for s in numeric),
        }
        for reason in sorted(REASONS):
            record[f"set aside: {reason}"] = sum(
                s.state == "set aside" and s.reason == reason for s in numeric
            )
        record["uncovered"] = sum(s.state == "uncovered" for s in numeric)
        records.append(record)
    return pd.DataFrame.from_records(records)
