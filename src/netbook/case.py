"""Helpers for the case-report chapter (Özdirik et al. 2020): months, two extractions, Table 1.

Three groups of functions, each usable on any case report with month-precision dates:

* month arithmetic between ``yearmonth`` periods (:func:`months_between`, :func:`add_months`);
* comparison of a clean and a raw PDF extraction of the same text: the raw one renders
  Greek α as ``a`` and the micro sign µ as ``m`` (:func:`normalise_raw_pdf`,
  :func:`quantities`, :func:`compare_quantities`, :func:`compare_alpha`,
  :func:`lookalike_tokens`, :func:`word_differences`);
* Table 1 ("Course of disease") as the extractions print it, its merged rows, and the
  table re-derived from the tidy event table (:func:`parse_markdown_table1`,
  :func:`parse_raw_table1`, :func:`align_table1`, :func:`rederive_table1`,
  :func:`therapy_lanes`).

Nothing here knows a value of the case: every number comes from the texts or the tables.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from netbook.provenance import source_text  # noqa: F401  (the chapter calls case.source_text)

# ----------------------------------------------------------------------------- months


def to_period(value) -> pd.Period:
    """A month as a ``pandas.Period`` (freq M) from a Period, '2016-08' or '08/2016'."""
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if match:
        month, year = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"not a month: {value!r}")
        return pd.Period(year=year, month=month, freq="M")
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return pd.Period(text, freq="M")
    raise ValueError(f"not a month in a form this module reads: {value!r}")


def months_between(start, end) -> int:
    """Whole calendar months from ``start`` to ``end`` (negative if end is earlier).

    With month precision, 08/2016 to 12/2016 is 4 months: the day of the month is not
    known, so the true interval may be up to a month shorter or longer.
    """
    a, b = to_period(start), to_period(end)
    return (b.year - a.year) * 12 + (b.month - a.month)


def add_months(start, months: int) -> pd.Period:
    """The month ``months`` calendar months after ``start``."""
    return to_period(start) + int(months)


# ------------------------------------------------------------ comparing two extractions

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
    text = " ".join(text.split())
    # "135 μ g/wk" (clean extraction) -> "135 μg/wk"
    return re.sub(_MICRO + r"\s+(?=[A-Za-z])", _MICRO, text)


_UNIT = (r"%|[" + _MICRO + r"m]?g/\s?\d*\s?[A-Za-z]+\b|[" + _MICRO + r"m]?g\b|kg\b"
         r"|x/(?:day|d)\b|days?\b|d\b|weeks?\b|wk\b|months?\b|-year-old\b")
_QUANTITY = re.compile(r"(?<![\w.,/-])(-?\d+(?:[.,]\d+)*)\s?(" + _UNIT + r")")


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
        return f"{self.number} {self.unit}" if self.unit[0].isalpha() or self.unit[0] == _MICRO \
            else f"{self.number}{self.unit}"


def quantities(text: str) -> list[Quantity]:
    """Every number printed with a unit (%, µg/L, mg, mg/24 h, x/day, d, days, months...)."""
    prepared = _prepare(text)
    found = []
    for match in _QUANTITY.finditer(prepared):
        start, end = max(0, match.start() - 40), min(len(prepared), match.end() + 25)
        context = prepared[start:end]
        found.append(Quantity(match.group(1), " ".join(match.group(2).split()), context))
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
        rows.append(dict(number=key[0], clean=printed_c[key], raw=printed_r[raw_key],
                         n_clean=count_c[key], n_raw=count_r[raw_key], finding="µ rendered as m",
                         book_reading=printed_c[key],
                         why="The raw PDF extraction renders µ as 'm' (as it renders α as 'a'); "
                             "the clean extraction prints the µ."))
    done = set(paired) | set(paired.values())
    for key in sorted((set(count_c) | set(count_r)) - done):
        number, unit = key
        n_c, n_r = count_c.get(key, 0), count_r.get(key, 0)
        if unit.startswith("mg") and n_c and n_r:
            rows.append(dict(number=number, clean=printed_c[key], raw=printed_r[key], n_clean=n_c,
                             n_raw=n_r, finding="mg in both; raw cannot tell mg from µg",
                             book_reading=printed_c[key],
                             why="Both print mg; since the raw extraction renders µ as 'm', only the "
                                 "clean extraction's 'mg' is evidence for milligrams. Kept as printed."))
            continue
        if n_c == n_r:
            continue
        finding = ("only in clean" if n_r == 0 else "only in raw" if n_c == 0 else "count differs")
        rows.append(dict(number=number, clean=printed_c.get(key, ""), raw=printed_r.get(key, ""),
                         n_clean=n_c, n_raw=n_r, finding=finding,
                         book_reading=printed_c.get(key, printed_r.get(key, "")),
                         why="Layout: the texts hold the same sentences in different places "
                             "(front matter, figure legends); not a disagreement about a value."))
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
        rows.append(dict(raw_form=form, n_raw=n, normalised=fixed,
                         n_clean=len(re.findall(pattern, clean_n))))
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


_FOOTER = re.compile(r"^.*(?:www\.md-journal\.com|et al\. Medicine \(\d{4}\)).*$", re.M)


def _dehyphenate(text: str, clean: str) -> str:
    """Undo the raw text's hyphenation, using the clean text to tell real hyphens.

    'neuroen-\ndocrine' becomes 'neuroendocrine' unless 'neuroen-docrine' occurs in the
    clean text ('non-\nfunctional' stays 'non-functional'); 'recep- tor' within a line
    is joined only if 'receptor' occurs in the clean text.
    """
    clean_lower = " ".join(clean.split()).lower()
    vocabulary = set(re.findall(r"[^\W\d_]+", clean_lower))

    def join(m: re.Match) -> str:
        left, space, right = m.group(1), m.group(2), m.group(3)
        if "\n" in space:
            return f"{left}-{right}" if f"{left}-{right}".lower() in clean_lower else left + right
        return left + right if (left + right).lower() in vocabulary else m.group(0)
    return re.sub(r"([^\W\d_]+)-(\s+)([a-z]+)", join, text)


def _words(text: str, min_length: int) -> Counter:
    return Counter(w.lower() for w in re.findall(r"[^\W\d_]{%d,}" % min_length, text))


def word_differences(clean: str, raw: str, start: str, end: str, min_length: int = 6) -> pd.DataFrame:
    """Words spelled differently in the two extractions, between ``start`` and ``end``.

    The raw text is de-hyphenated at line breaks where the joined word occurs in the clean
    text, and page footers are dropped. Words only one text holds are paired with their
    closest spelling in the other (difflib); unpaired words keep an empty partner.
    Columns: clean, raw, n_clean, n_raw.
    """
    import difflib

    def body(text: str) -> str:
        a = text.index(start)
        return text[a:text.index(end, a)]

    clean_body = body(clean)
    raw_body = _dehyphenate(_FOOTER.sub("", body(raw)), clean_body)
    wc, wr = _words(clean_body, min_length), _words(raw_body, min_length)
    only_c, only_r = wc - wr, wr - wc
    rows, unpaired_r = [], dict(only_r)
    for word, n in sorted(only_c.items()):
        match = difflib.get_close_matches(word, list(unpaired_r), n=1, cutoff=0.75)
        partner = match[0] if match else ""
        rows.append(dict(clean=word, raw=partner, n_clean=n, n_raw=unpaired_r.pop(partner, 0)))
    rows += [dict(clean="", raw=w, n_clean=0, n_raw=n) for w, n in sorted(unpaired_r.items())]
    return pd.DataFrame(rows, columns=["clean", "raw", "n_clean", "n_raw"])


def figure_legend(text: str, number: int) -> str:
    """The legend paragraph 'Figure <number>. ...' of a text, whitespace collapsed."""
    match = re.search(r"(?m)^Figure %d\.(.+?)(?:\n\s*\n|\Z)" % number, text, re.S)
    if match is None:
        raise KeyError(f"no legend of Figure {number}")
    return " ".join(f"Figure {number}.{match.group(1)}".split())


def printed_months(text: str) -> list[pd.Period]:
    """The distinct months printed as MM/YYYY in a text, in time order."""
    return sorted({to_period(m) for m in re.findall(r"\b\d{2}/\d{4}\b", text)})


# ------------------------------------------------------------------------------ Table 1

_DATE = r"\d{2}/\d{4}"


def parse_markdown_table1(text: str) -> pd.DataFrame:
    """Table 1 as the clean extraction prints it: a Markdown table under 'Course of disease.'.

    Columns: row (1-based), year, date_cell, dates (list of 'MM/YYYY'), therapy, staging.
    A row whose date cell holds more than one date was merged by the extraction.
    """
    start = text.index("| Year | Date |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        year, date_cell, therapy, staging = (cells + ["", "", "", ""])[:4]
        rows.append(dict(row=len(rows) + 1, year=year, date_cell=date_cell,
                         dates=re.findall(_DATE, date_cell), therapy=therapy, staging=staging))
    return pd.DataFrame(rows, columns=["row", "year", "date_cell", "dates", "therapy", "staging"])


def parse_raw_table1(text: str) -> pd.DataFrame:
    """Table 1 as the raw PDF extraction prints it: one line per row, starting with a date.

    Lines that do not start with a date continue the previous row. Columns: line
    (1-based), year (printed before the date, or ''), date, text.
    """
    start = text.index("Year Date Therapy Staging")
    end = text.index("SSA = somatostatin analog.", start)
    rows: list[dict] = []
    for line in text[start:end].splitlines()[1:]:
        line = line.strip()
        if not line:
            continue
        match = re.match(r"(?:(\d{4}) )?(" + _DATE + r") ?(.*)$", line)
        if match:
            rows.append(dict(line=len(rows) + 1, year=match.group(1) or "", date=match.group(2),
                             text=match.group(3)))
        elif rows:
            rows[-1]["text"] += " " + line
    return pd.DataFrame(rows, columns=["line", "year", "date", "text"])


def align_table1(markdown: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Pair each date of each clean Table 1 row with the raw PDF line of that date.

    The rows are walked in order: a clean row with k dates takes the next k raw lines,
    whose dates must match. Columns: row, date_cell, merged, date, raw_line, raw_text.
    """
    out, lines = [], raw.itertuples()
    for r in markdown.itertuples():
        for date in r.dates:
            line = next(lines, None)
            if line is None or line.date != date:
                raise ValueError(f"Table 1 row {r.row} date {date} has no matching raw line "
                                 f"(found {getattr(line, 'date', None)!r})")
            out.append(dict(row=r.row, date_cell=r.date_cell, merged=len(r.dates) > 1, date=date,
                            raw_line=line.line, raw_text=line.text))
    if next(lines, None) is not None:
        raise ValueError("the raw table has more dated lines than the clean table has dates")
    return pd.DataFrame(out, columns=["row", "date_cell", "merged", "date", "raw_line", "raw_text"])


def _fmt(x) -> str:
    return format(float(x), "g")


def staging_cell(event) -> str:
    """Staging text of a staging event, from its typed fields only."""
    parts = []
    if pd.notna(event.get("hepatic_response")):
        parts.append(f"Hepatic {event['hepatic_response']}")
    if pd.notna(event.get("hepatic_tumour_load_pct")):
        qualifier = event.get("tumour_load_qualifier")
        qualifier = f"{qualifier} " if pd.notna(qualifier) else ""
        parts.append(f"hepatic tumour load {qualifier}{_fmt(event['hepatic_tumour_load_pct'])}%")
    if pd.notna(event.get("peritoneal_finding")):
        parts.append(str(event["peritoneal_finding"]))
    return ". ".join(p[0].upper() + p[1:] for p in parts) + "." if parts else ""


def rederive_table1(events: pd.DataFrame) -> pd.DataFrame:
    """Table 1 (Year, Date, Therapy, Staging) from the event table, merged rows split.

    One row per (date, source row) of the events that name a Table 1 row, in event
    order. Staging cells are built from the typed fields (response, tumour load,
    peritoneal finding); other cells are the event descriptions. The year is printed on
    the first row of each year, as in the paper. Column ``from_row`` names the Table 1
    row of the clean extraction each re-derived row comes from.
    """
    ev = events[events["table1_row"].notna() & (events["table1_row"] != "")].sort_values("event_id")
    groups: dict[tuple, dict] = {}
    for _, e in ev.iterrows():
        key = (str(e["date"]), e["table1_row"])
        row = groups.setdefault(key, dict(period=e["date"], from_row=e["table1_row"],
                                          Therapy=[], Staging=[]))
        text = staging_cell(e) if e["kind"] == "staging" else str(e["description"])
        row[e["table1_column"]].append(text)
    rows, last_year = [], None
    for g in groups.values():
        year = g["period"].year
        rows.append(dict(Year=str(year) if year != last_year else "",
                         Date=g["period"].strftime("%m/%Y"),
                         Therapy="; ".join(g["Therapy"]), Staging=" ".join(g["Staging"]),
                         from_row=g["from_row"]))
        last_year = year
    return pd.DataFrame(rows, columns=["Year", "Date", "Therapy", "Staging", "from_row"])


def therapy_lanes(events: pd.DataFrame, end) -> pd.DataFrame:
    """One bar per therapy regimen (therapy + dose + interval), from therapy events.

    A regimen runs from its event to the next therapy event of the same drug, or to
    ``end`` (the last month the text reports on) with ``open_end`` True: the text does not
    say it stopped. Columns: lane, therapy, start, end, open_end, event_id.
    """
    ev = events[events["therapy"].notna()].sort_values(["date", "event_id"])
    end = to_period(end)
    rows = []
    for therapy, group in ev.groupby("therapy", sort=False):
        group = group.reset_index(drop=True)
        for i, e in group.iterrows():
            stop = group.loc[i + 1, "date"] if i + 1 < len(group) else end
            interval = e["interval_days"]
            label = f"{therapy} {_fmt(e['dose'])} {e['dose_unit']}"
            if pd.notna(interval):
                label += f" every {int(interval)} d"
            rows.append(dict(lane=label, therapy=therapy, start=e["date"], end=stop,
                             open_end=i + 1 == len(group), event_id=e["event_id"]))
    return pd.DataFrame(rows, columns=["lane", "therapy", "start", "end", "open_end", "event_id"])


def percent_change(before: float, after: float) -> tuple[float, float]:
    """(change in percentage points, relative change in per cent) from ``before`` to ``after``."""
    if before == 0:
        raise ZeroDivisionError("relative change from 0 is undefined")
    return after - before, (after - before) / before * 100
