"""Parse a numbered reference list from a text extraction, and match two lists.

Reference lists in text extractions are messy. This parser copes with:

* entries numbered ``12.``, ``[12]`` or ``- [12]``, or only bulleted (``- ``) with no number;
* numbering that switches style part-way (bullets, then ``22.``, then `` 23.``);
* entries wrapped onto a new line, also when the wrapped part starts with a bullet of
  its own (``- bilobar liver metastases ...``) that would otherwise look like a new entry.

Each entry yields its number (printed, or counted on from the previous entry), the
first author, the year, the journal (the italic ``*Journal*`` segment where the list
marks it) and the raw text. :func:`match_references` then pairs the entries of two
lists by first author + year + journal, and reports near misses (spelling of the name,
a year one off, an abbreviated journal) for a human to check rather than accepting them.

:func:`reference_table` writes a parsed list in the shape of the reference tables under
``data/derived/`` (``python -m netbook.derive`` regenerates them); :func:`shared_references`
and :func:`same_author_other_paper` compare two loaded reference tables.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass, field

import pandas as pd

from netbook.numbers import normalise_whitespace
from netbook.values import is_missing

_HEADING = re.compile(r"^\s*(?:#+\s*)?(references|reference list|bibliography)\s*:?\s*$", re.I)
_BRACKETED = re.compile(r"^\s*(?:[-*•]\s*)?\[(\d+)\]\s*(.*)$")
_NUMBERED = re.compile(r"^\s*(?:[-*•]\s*)?(\d{1,3})\.\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_YEAR_BEFORE_SEMICOLON = re.compile(r"\b((?:19|20)\d{2})\s*[a-z]?\s*;")
_ANY_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?!\d|\.\d)")
_ITALIC = re.compile(r"\*([^*]+)\*")
_DOI = re.compile(r"\bdoi:?\s*(10\.\d{4,9}/\S+?)\.?(?:\s|$)", re.I)
_INITIALS = re.compile(r"^[A-Z][A-Za-z]{0,2}\.?$|^[A-Z]{1,3}(?:-[A-Z]{1,2})?$")


@dataclass
class Reference:
    number: int
    number_printed: bool
    first_author: str
    surname: str
    year: int | None
    journal: str
    raw: str
    source_text: str
    doi: str = ""
    notes: list[str] = field(default_factory=list)


def expand_citations(markers) -> list[int]:
    """Reference numbers of printed citation markers: "6,12,13" -> 6, 12, 13; "34-36" -> 34, 35, 36.

    Accepts one marker or a list of markers (brackets optional); the result is sorted
    and without duplicates.
    """
    if isinstance(markers, str):
        markers = [markers]
    numbers: set[int] = set()
    for marker in markers:
        for part in str(marker).strip().strip("[]^").split(","):
            part = part.strip().replace("–", "-")
            if not part:
                continue
            if "-" in part:
                low, high = (int(x) for x in part.split("-", 1))
                if high < low:
                    raise ValueError(f"descending citation range {part!r}")
                numbers.update(range(low, high + 1))
            else:
                numbers.add(int(part))
    return sorted(numbers)


def _complete(text: str) -> bool:
    """An entry looks finished when it ends with a full stop (after its pages or DOI)."""
    return text.rstrip().endswith(".")


def _split_lines(lines: list[str]) -> list[dict]:
    entries: list[dict] = []
    for line in lines:
        if not line.strip():
            continue
        bracketed = _BRACKETED.match(line)
        numbered = bracketed or _NUMBERED.match(line)
        if numbered:
            entries.append(
                {
                    "printed": int(numbered.group(1)),
                    "parts": [numbered.group(2).strip()],
                    "source": [line.strip()],
                }
            )
            continue
        bullet = _BULLET.match(line)
        text = bullet.group(1).strip() if bullet else line.strip()
        previous = entries[-1] if entries else None
        continues = previous is not None and (
            not _complete(" ".join(previous["parts"])) or text[:1].islower()
        )
        if continues:
            previous["parts"].append(text)
            previous["source"].append(line.strip())
            previous["wrapped"] = True
        else:
            entries.append({"printed": None, "parts": [text], "source": [line.strip()]})
    return entries


def reference_lines(text: str) -> list[str]:
    """The lines after the reference-list heading (the whole text if there is none)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _HEADING.match(line):
            return lines[i + 1 :]
    return lines


def first_author(raw: str) -> str:
    """The first author as printed: the text before the first comma or full stop."""
    head = re.split(r"[,.;]", raw, maxsplit=1)[0]
    return normalise_whitespace(head)


def surname(author: str) -> str:
    """The surname of "Van der Zwan WA" is "Van der Zwan": trailing initials are dropped."""
    tokens = author.split()
    while len(tokens) > 1 and _INITIALS.match(tokens[-1]):
        tokens.pop()
    return " ".join(tokens)


def year_of(raw: str) -> int | None:
    """The publication year: the year before ';' (2008;87:47-62), else the last year printed."""
    found = _YEAR_BEFORE_SEMICOLON.findall(raw)
    if found:
        return int(found[0])
    found = _ANY_YEAR.findall(raw)
    return int(found[-1]) if found else None


def journal_of(raw: str) -> str:
    """The journal: the last italic segment before the year (empty when none is marked)."""
    segments = _ITALIC.findall(raw)
    return normalise_whitespace(segments[-1]) if segments else ""


def doi_of(raw: str) -> str:
    """The DOI where the entry prints one ("doi: 10.1002/14651858.CD007060.pub2"), else ""."""
    found = _DOI.search(raw)
    return found.group(1) if found else ""


def parse_reference_list(text: str) -> list[Reference]:
    """Parse the numbered reference list at the end of ``text`` (see the module docstring)."""
    entries = _split_lines(reference_lines(text))
    references: list[Reference] = []
    expected = 1
    for entry in entries:
        raw = normalise_whitespace(" ".join(entry["parts"]))
        notes = []
        if entry["printed"] is None:
            number, printed = expected, False
        else:
            number, printed = entry["printed"], True
            if number != expected:
                notes.append(f"printed number {number} where {expected} was expected")
        if entry.get("wrapped"):
            notes.append("wrapped over more than one line")
        author = first_author(raw)
        references.append(
            Reference(
                number=number,
                number_printed=printed,
                first_author=author,
                surname=surname(author),
                year=year_of(raw),
                journal=journal_of(raw),
                raw=raw,
                doi=doi_of(raw),
                source_text=normalise_whitespace(" ".join(entry["source"])),
                notes=notes,
            )
        )
        expected = number + 1
    return references


def references_frame(references: list[Reference]) -> pd.DataFrame:
    """The parsed references as a DataFrame (one row per entry)."""
    rows = [asdict(r) for r in references]
    for row in rows:
        row["notes"] = "; ".join(row["notes"])
    df = pd.DataFrame(rows, columns=[f for f in Reference.__dataclass_fields__])
    df["year"] = df["year"].astype("Int64")
    return df


# ---------------------------------------------------------------- matching


def name_key(name: str) -> str:
    """Accents, case, spaces and punctuation dropped: "Böhmig" and "Bohmig" share a key."""
    folded = unicodedata.normalize("NFKD", str(name))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", folded.casefold())


def journal_key(journal: str) -> str:
    """Journal abbreviations compared without case, punctuation and the word 'and'."""
    words = re.findall(r"[a-z0-9]+", name_key_keep_spaces(journal))
    return " ".join(w for w in words if w not in {"and", "the", "of"})


def name_key_keep_spaces(text: str) -> str:
    folded = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def _similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


EXACT = "exact"
NEAR = "near miss"
NONE = "no match"


def compare_references(
    a: Reference, b: Reference, name_cutoff: float = 0.8, year_tolerance: int = 1
) -> tuple[str, list[str]]:
    """(status, differences) for one pair: exact, near miss or no match.

    Exact: same surname key, same year and same journal key (and not two different
    DOIs: two Cochrane reviews of one author in one year share the other three).
    Near miss: surnames similar (difflib ratio >= ``name_cutoff``; spelling slips such
    as "Jaecck"/"Jaeck"), and at most one of year (off by <= ``year_tolerance``) and
    journal differs. A near miss is for a human to check, not a match.
    """
    diffs = []
    sa, sb = name_key(a.surname), name_key(b.surname)
    ja, jb = journal_key(a.journal), journal_key(b.journal)
    if sa != sb:
        diffs.append(f"first author {a.surname!r} vs {b.surname!r}")
    if a.year != b.year:
        diffs.append(f"year {a.year} vs {b.year}")
    if ja != jb:
        diffs.append(f"journal {a.journal!r} vs {b.journal!r}")
    if a.doi and b.doi and a.doi.casefold() != b.doi.casefold():
        return NONE, diffs + [f"doi {a.doi} vs {b.doi}"]
    if not diffs:
        return EXACT, diffs
    if not (sa == sb or _similar(sa, sb) >= name_cutoff):
        return NONE, diffs
    year_off = a.year != b.year
    if year_off and (a.year is None or b.year is None or abs(a.year - b.year) > year_tolerance):
        return NONE, diffs
    if year_off and ja != jb:
        return NONE, diffs
    return NEAR, diffs


def match_references(list_a: list[Reference], list_b: list[Reference], **cutoffs) -> pd.DataFrame:
    """For each entry of ``list_a``, its exact matches in ``list_b``, else its near misses.

    One row per entry of ``list_a``: ``status`` (exact / near miss / no match),
    ``numbers_b`` (all candidates of that status: a list can cite one paper twice) and
    ``differences`` (what differs, for near misses).
    """
    rows = []
    for a in list_a:
        exact, near = [], []
        for b in list_b:
            status, diffs = compare_references(a, b, **cutoffs)
            if status == EXACT:
                exact.append((b, diffs))
            elif status == NEAR:
                near.append((b, diffs))
        chosen, status = (exact, EXACT) if exact else ((near, NEAR) if near else ([], NONE))
        rows.append(
            {
                "number_a": a.number,
                "first_author_a": a.first_author,
                "year_a": a.year,
                "journal_a": a.journal,
                "status": status,
                "numbers_b": [b.number for b, _ in chosen],
                "differences": "; ".join(sorted({d for _, ds in chosen for d in ds})),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["number_a", "first_author_a", "year_a", "journal_a", "status", "numbers_b", "differences"],
    )


# ------------------------------------------------- reference-list tables


REFERENCE_COLUMNS = [
    "number",
    "number_printed",
    "first_author",
    "year",
    "journal",
    "doi",
    "raw",
    "parse_notes",
    "source_id",
    "locator",
    "quote",
]


def reference_table(text: str, source_id: str, locator: str = "Reference list") -> pd.DataFrame:
    """A reference list in the shape of the ``review_references`` table (this is how
    ``case_references.csv`` is generated; the tests re-parse and compare)."""
    frame = references_frame(parse_reference_list(text))
    frame = frame.rename(columns={"notes": "parse_notes", "source_text": "quote"})
    frame["source_id"] = source_id
    frame["locator"] = locator
    return frame[REFERENCE_COLUMNS].sort_values("number").reset_index(drop=True)


def references_from_table(df: pd.DataFrame) -> list[Reference]:
    """Reference objects from a loaded reference table, for the matcher."""
    refs = []
    for r in df.sort_values("number").itertuples(index=False):
        author = str(r.first_author) if not is_missing(r.first_author) else first_author(str(r.raw))
        refs.append(
            Reference(
                number=int(r.number),
                number_printed=bool(r.number_printed),
                first_author=author,
                surname=surname(author),
                year=None if is_missing(r.year) else int(r.year),
                journal="" if is_missing(r.journal) else str(r.journal),
                raw=str(r.raw),
                source_text=str(r.quote),
                doi="" if is_missing(r.doi) else str(r.doi),
            )
        )
    return refs


def shared_references(list_a: pd.DataFrame, list_b: pd.DataFrame) -> pd.DataFrame:
    """Exact matches (first author, year, journal) between two loaded reference tables.

    One row per pair: number_a, number_b, first_author, year, journal, title_a (the raw
    entry of list a).
    """
    a, b = references_from_table(list_a), references_from_table(list_b)
    matched = match_references(a, b)
    by_number = {r.number: r for r in a}
    rows = []
    for m in matched[matched["status"] == "exact"].itertuples(index=False):
        for number_b in m.numbers_b:
            ref = by_number[m.number_a]
            rows.append(
                dict(
                    number_a=m.number_a,
                    number_b=number_b,
                    first_author=ref.first_author,
                    year=ref.year,
                    journal=ref.journal,
                    entry_a=ref.raw,
                )
            )
    return pd.DataFrame(rows, columns=["number_a", "number_b", "first_author", "year", "journal", "entry_a"])


def same_author_other_paper(list_a: pd.DataFrame, list_b: pd.DataFrame) -> pd.DataFrame:
    """Pairs with the same first-author surname that are *not* exact matches: the near
    misses a naive author-only match would have accepted. Columns: surname, number_a,
    year_a, journal_a, number_b, year_b, journal_b, status (from the matcher)."""
    a, b = references_from_table(list_a), references_from_table(list_b)
    rows = []
    for ra in a:
        for rb in b:
            if name_key(ra.surname) != name_key(rb.surname):
                continue
            status, _ = compare_references(ra, rb)
            if status == "exact":
                continue
            rows.append(
                dict(
                    surname=ra.surname,
                    number_a=ra.number,
                    year_a=ra.year,
                    journal_a=ra.journal,
                    number_b=rb.number,
                    year_b=rb.year,
                    journal_b=rb.journal,
                    status=status,
                )
            )
    return pd.DataFrame(
        rows,
        columns=["surname", "number_a", "year_a", "journal_a", "number_b", "year_b", "journal_b", "status"],
    )
