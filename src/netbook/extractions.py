"""Compare two extractions of one text: a clean one and a raw PDF extraction.

The raw extraction renders Greek α as ``a`` and the micro sign µ as ``m``
(:func:`normalise_raw_pdf`, :func:`compare_alpha`); numbers with units are compared
one by one (:func:`quantities`, :func:`compare_quantities`), letter-O/digit-0 look-alikes
(:func:`lookalike_tokens`) and spelling (:func:`word_differences`) too. Nothing here
knows a value of any source: every number comes from the texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from netbook.numbers import normalise_whitespace, numbers_in

# The raw PDF extraction prints α as "a" after IFN / IFN- / interferon- ("IFNa2a",
# "IFN-a,", "interferon- a in"). A following letter means a real word ("IFN and").
_RAW_ALPHA = re.compile(r"(?<![A-Za-z])(IFN-?|interferon-\s?)a(?![A-Za-z])")
_MICRO = "\u03bc"  # Greek mu; NFKC folds the micro sign U+00B5 into it


def normalise_raw_pdf(text: str) -> str:
    """The raw PDF text with α restored where it was rendered as ``a``.

    µ rendered as ``m`` cannot be restored from the raw text alone ("30mg" is really mg,
    "135mg/wk" was µg): :func:`compare_quantities` resolves it against the clean text.
    """
    return _RAW_ALPHA.sub(lambda m: m.group(1) + "\u03b1", text)


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = normalise_whitespace(text)
    # "135 μ g/wk" (clean extraction) -> "135 μg/wk"
    return re.sub(_MICRO + r"\s+(?=[A-Za-z])", _MICRO, text)


_UNIT = (
    r"%|[" + _MICRO + r"m]?g/\s?\d*\s?[A-Za-z]+\b|[" + _MICRO + r"m]?g\b|kg\b"
    r"|x/(?:day|d)\b|days?\b|d\b|weeks?\b|wk\b|months?\b|-year-old\b"
)
# The unit right after a number ("29,924 µg/L", "30mg", "64%").
_UNIT_AFTER = re.compile(r"\s?(" + _UNIT + r")")
# A character that glues a number to what precedes it: a word ("G2"), a decimal or
# list ("1.5", "1,5"), a fraction ("1/2") or a range ("15-20"): no quantity starts there.
_GLUE = re.compile(r"[\w.,/-]")


def _glued(text: str, at: int) -> bool:
    return at > 0 and _GLUE.match(text, at - 1) is not None


@dataclass(frozen=True)
class Quantity:
    number: str  # as printed, e.g. "29,924"
    unit: str  # as printed (whitespace collapsed), e.g. "μg/L", "mg/24 h"
    context: str  # a few words around it

    @property
    def unit_key(self) -> str:
        """The unit without spaces: '10,915 mg/24 h' and '10,915mg/24h' compare equal."""
        return "".join(self.unit.split())

    @property
    def key(self) -> tuple[str, str]:
        return (self.number, self.unit_key)

    @property
    def printed(self) -> str:
        return (
            f"{self.number} {self.unit}"
            if self.unit[0].isalpha() or self.unit[0] == _MICRO
            else f"{self.number}{self.unit}"
        )


def quantities(text: str) -> list[Quantity]:
    """Every number printed with a unit (%, µg/L, mg, mg/24 h, x/day, d, days, months...)."""
    prepared = _prepare(text)
    found = []
    for number in numbers_in(prepared):
        begin, printed = number.start, number.text
        if prepared[begin - 1 : begin] == "-" and begin > 0:  # a minus sign, unless it joins a range
            if _glued(prepared, begin - 1):
                continue
            begin, printed = begin - 1, "-" + printed
        elif _glued(prepared, begin):
            continue
        unit = _UNIT_AFTER.match(prepared, number.end)
        if unit is None:
            continue
        start, end = max(0, begin - 40), min(len(prepared), unit.end() + 25)
        found.append(Quantity(printed, normalise_whitespace(unit.group(1)), prepared[start:end]))
    return found


def _micro_as_m(unit_key: str) -> str:
    return unit_key.replace(_MICRO, "m") if unit_key.startswith(_MICRO) else unit_key


def compare_quantities(clean: str, raw: str) -> pd.DataFrame:
    """Numbers with units in the clean and the raw PDF extraction, as disagreement rows.

    One row per (number, unit) whose count differs between the texts, and one per
    quantity whose unit starts with m in the raw text (the raw text cannot tell mg from
    µg there). Columns: number, clean (as printed, or '' if absent), raw, n_clean, n_raw,
    finding, book_reading, why. Sorted by finding, then unit, then number.
    """
    qc, qr = quantities(clean), quantities(raw)
    count_c, count_r = Counter(q.key for q in qc), Counter(q.key for q in qr)
    printed_c = {q.key: q.printed for q in qc}
    printed_r = {q.key: q.printed for q in qr}
    rows = []
    # First pair every clean µ-quantity with the raw m-quantity of the same number.
    paired: dict[tuple[str, str], tuple[str, str]] = {}
    for key in sorted(count_c):
        raw_key = (key[0], _micro_as_m(key[1]))
        if key[1].startswith(_MICRO) and raw_key in count_r and raw_key not in count_c:
            paired[key] = raw_key
    for key, raw_key in paired.items():
        rows.append(
            dict(
                number=key[0],
                clean=printed_c[key],
                raw=printed_r[raw_key],
                n_clean=count_c[key],
                n_raw=count_r[raw_key],
                finding="µ rendered as m",
                book_reading=printed_c[key],
                why="The raw PDF extraction renders µ as 'm' (as it renders α as 'a'); "
                "the clean extraction prints the µ.",
            )
        )
    done = set(paired) | set(paired.values())
    for key in sorted((set(count_c) | set(count_r)) - done):
        number, unit = key
        n_c, n_r = count_c.get(key, 0), count_r.get(key, 0)
        if unit.startswith("mg") and n_c and n_r:
            rows.append(
                dict(
                    number=number,
                    clean=printed_c[key],
                    raw=printed_r[key],
                    n_clean=n_c,
                    n_raw=n_r,
                    finding="mg in both; raw cannot tell mg from µg",
                    book_reading=printed_c[key],
                    why="Both print mg; since the raw extraction renders µ as 'm', only the "
                    "clean extraction's 'mg' is evidence for milligrams. Kept as printed.",
                )
            )
            continue
        if n_c == n_r:
            continue
        finding = "only in clean" if n_r == 0 else "only in raw" if n_c == 0 else "count differs"
        rows.append(
            dict(
                number=number,
                clean=printed_c.get(key, ""),
                raw=printed_r.get(key, ""),
                n_clean=n_c,
                n_raw=n_r,
                finding=finding,
                book_reading=printed_c.get(key, printed_r.get(key, "")),
                why="Layout: the texts hold the same sentences in different places "
                "(front matter, figure legends); not a disagreement about a value.",
            )
        )
    columns = ["number", "clean", "raw", "n_clean", "n_raw", "finding", "book_reading", "why"]
    df = pd.DataFrame(rows, columns=columns)
    return df.sort_values(["finding", "clean", "number"], kind="stable").reset_index(drop=True)


def compare_alpha(clean: str, raw: str) -> pd.DataFrame:
    """How the raw extraction renders α, form by form, against the clean text.

    One row per raw form ('IFNa', 'IFN-a', 'interferon- a'...): n_raw occurrences, the
    form after :func:`normalise_raw_pdf`, and how often the clean text prints the same
    form once spaces are ignored (the clean text puts spaces around α: 'IFN α 2a').
    """
    raw_n, clean_n = _prepare(raw), _prepare(clean)
    forms = Counter(m.group(0) for m in _RAW_ALPHA.finditer(raw_n))
    rows = []
    for form, n in sorted(forms.items()):
        fixed = normalise_raw_pdf(form)
        # the clean text may put a space before α and needs no letter after it
        pattern = re.escape(fixed[:-1].rstrip()) + r"\s?\u03b1(?![A-Za-z])"
        rows.append(dict(raw_form=form, n_raw=n, normalised=fixed, n_clean=len(re.findall(pattern, clean_n))))
    return pd.DataFrame(rows, columns=["raw_form", "n_raw", "normalised", "n_clean"])


def lookalike_tokens(clean: str, raw: str) -> pd.DataFrame:
    """Tokens printed with the letter O in one text and the digit 0 in the other.

    Only tokens of the form letter + O/0 ('RO' vs 'R0') are compared: the resection,
    lymphatic and venous invasion codes of a histology report.
    """
    pattern = re.compile(r"\b([A-Z])([O0])\b")
    c = Counter(m.group(0) for m in pattern.finditer(clean))
    r = Counter(m.group(0) for m in pattern.finditer(raw))
    rows = []
    for token, n in sorted(c.items()):
        if token.endswith("O"):
            digit = token[0] + "0"
            if r.get(digit) and not r.get(token):
                rows.append(dict(clean=token, raw=digit, n_clean=n, n_raw=r[digit]))
    return pd.DataFrame(rows, columns=["clean", "raw", "n_clean", "n_raw"])


def _dehyphenate(text: str, clean: str) -> str:
    """Undo the raw text's hyphenation, using the clean text to tell real hyphens.

    'neuroen-\ndocrine' becomes 'neuroendocrine' unless 'neuroen-docrine' occurs in the
    clean text ('non-\nfunctional' stays 'non-functional'); 'recep- tor' within a line
    is joined only if 'receptor' occurs in the clean text.
    """
    clean_lower = normalise_whitespace(clean).lower()
    vocabulary = set(re.findall(r"[^\W\d_]+", clean_lower))

    def join(m: re.Match) -> str:
        left, space, right = m.group(1), m.group(2), m.group(3)
        if "\n" in space:
            return f"{left}-{right}" if f"{left}-{right}".lower() in clean_lower else left + right
        return left + right if (left + right).lower() in vocabulary else m.group(0)

    return re.sub(r"([^\W\d_]+)-(\s+)([a-z]+)", join, text)


def _words(text: str, min_length: int) -> Counter:
    return Counter(w.lower() for w in re.findall(rf"[^\W\d_]{{{min_length},}}", text))


def word_differences(
    clean: str, raw: str, start: str, end: str, min_length: int = 6, footer: re.Pattern | None = None
) -> pd.DataFrame:
    """Words spelled differently in the two extractions, between ``start`` and ``end``.

    The raw text is de-hyphenated at line breaks where the joined word occurs in the clean
    text, and lines matching ``footer`` (a journal's page footer) are dropped. Words only
    one text holds are paired with their closest spelling in the other (difflib); unpaired words keep an empty partner.
    Columns: clean, raw, n_clean, n_raw.
    """
    import difflib

    def body(text: str) -> str:
        a = text.index(start)
        return text[a : text.index(end, a)]

    clean_body = body(clean)
    raw_body = body(raw) if footer is None else footer.sub("", body(raw))
    raw_body = _dehyphenate(raw_body, clean_body)
    wc, wr = _words(clean_body, min_length), _words(raw_body, min_length)
    only_c, only_r = wc - wr, wr - wc
    rows, unpaired_r = [], dict(only_r)
    for word, n in sorted(only_c.items()):
        match = difflib.get_close_matches(word, list(unpaired_r), n=1, cutoff=0.75)
        partner = match[0] if match else ""
        rows.append(dict(clean=word, raw=partner, n_clean=n, n_raw=unpaired_r.pop(partner, 0)))
    rows += [dict(clean="", raw=w, n_clean=0, n_raw=n) for w, n in sorted(unpaired_r.items())]
    return pd.DataFrame(rows, columns=["clean", "raw", "n_clean", "n_raw"])
