"""The one reader of numbers, number words, ranges and months, and that every module uses it.

Before :mod:`netbook.numbers` the package had seven readers that disagreed: the flags read
"29,924 µg/L" as 29 and 924 where the loader read 29924, the audit could not read
"thirty" where the counts could. Here one table of texts goes to every module's entry
point and each must read the same numbers; then a scan of the source finds any module
that reads digits or joins whitespace by itself again.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

from netbook import audit, coverage, criteria, dates, extractions, flags, numbers, provenance, stats
from netbook.chapters import hepatic_metastases
from netbook.numbers import (
    cardinal,
    followed_by,
    month_forms,
    normalise_whitespace,
    number_at_start,
    numbers_in,
    parse_month,
    parse_number,
    parse_range,
    readings,
)

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------ one table, every reader

# Texts printing one number with its unit, and the value each stands for.
QUANTITIES = [
    ("29,924 µg/L", 29924.0),  # the flags read 29 and 924 before
    ("10,915 mg", 10915.0),
    ("17.8%", 17.8),
    ("1,234.5 mg", 1234.5),
    ("4 months", 4.0),
    ("0.5 mg", 0.5),
    ("64%", 64.0),
]


def _values(tokens) -> list[float]:
    return [parse_number(t) for t in tokens]


# Every module's entry point that reads the numbers of a printed text, as values.
READERS = {
    "numbers.numbers_in": lambda text: [n.value for n in numbers_in(text)],
    "provenance.printed_numbers": lambda text: _values(provenance.printed_numbers(text)),
    "provenance.quote_numbers": lambda text: sorted(provenance.quote_numbers(text)),
    "coverage.printed_numbers": lambda text: _values(coverage.printed_numbers(text)),
    "flags (a contradiction's value)": lambda text: sorted(flags._numbers(text)),
    "audit.parse_number": lambda text: [audit.parse_number(text).value],
    "extractions.quantities": lambda text: _values(q.number for q in extractions.quantities(text)),
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("text, value", QUANTITIES)
def test_every_module_reads_the_same_number(reader, text, value):
    assert READERS[reader](text) == [value]


@pytest.mark.parametrize("text, value", QUANTITIES)
def test_a_value_is_shown_as_its_quote_prints_it(text, value):
    """The hepatic chapter shows a value with the quote's own digits: "29,924", not "29924"."""
    printed = hepatic_metastases.printed_number(value, f"was {text} at diagnosis")
    assert printed == text.split()[0].rstrip("%")


def test_a_flag_finds_its_value_printed_with_a_comma():
    """The issue's case: a contradiction whose value is "29,924" touches a row of 29924."""
    assert flags._numbers("29,924 µg/L") == {29924.0}
    assert flags._numbers("15-20%") == {15.0, 20.0}


def test_a_decimal_comma_keeps_both_readings_where_the_loader_matches():
    """ "1,5" may be one and a half: the loader's match keeps both readings, the value read
    once (thousands) is the one every other reader uses."""
    assert provenance.quote_numbers("1,5 cm") == {15.0, 1.5}
    assert readings("1,5") == {15.0, 1.5}
    assert numbers_in("1,5 cm")[0].value == 15.0
    assert readings("29,924") == {29924.0}
    assert readings("4722.2016.37") == set()


def test_a_number_is_read_whole_with_its_span_and_precision():
    text = "from 11.0 vs. 4.6 months to 29,924 µg/L."
    found = numbers_in(text)
    assert [n.text for n in found] == ["11.0", "4.6", "29,924"]
    assert [text[n.start : n.end] for n in found] == ["11.0", "4.6", "29,924"]
    assert [n.decimals for n in found] == [1, 1, 0]
    assert numbers_in("up to 60%.")[0].text == "60"  # a full stop after it is punctuation


# ------------------------------------------------------------------ identifiers (coverage's view)


@pytest.mark.parametrize(
    "text",
    [
        "G2",
        "RADIANT-3",
        "5-HIAA",
        "5-FU",
        "5-hydroxyindoleacetic",
        "Ki 67",
        "4722.2016.37",
        "G1,500",  # read "500" before: the regex started again after the comma
        "3.5cm",  # read "3" before: the regex backtracked to a shorter number
        "29,924µg/L",  # read "29" before, for the same reason
    ],
)
def test_identifiers_are_no_printed_numbers(text):
    """Coverage's printed numbers are the one reader's, less identifiers: never a part of one."""
    assert coverage.printed_numbers(f"a {text} b") == []
    assert numbers_in(text)  # the reader sees the digits; the filter sets them aside


def test_units_glued_in_the_raw_pdf_leave_a_number_printed():
    assert coverage.printed_numbers("135mg/wk for 24h, up to 10x/day, 52% in 6mo.") == [
        "135",
        "24",
        "10",
        "52",
        "6",
    ]


# ------------------------------------------------------------------ number words


@pytest.mark.parametrize(
    "word, value",
    [
        ("zero", 0),
        ("one", 1),
        ("Seventeen", 17),
        ("nineteen", 19),
        ("thirty", 30),
        ("twenty-one", 21),
        ("NINETY-nine", 99),
    ],
)
def test_number_words_are_one_list(word, value):
    """One word list: the audit, the counts and the reader all read "thirty" (the audit raised)."""
    assert cardinal(word) == value
    assert parse_number(word) == value
    assert audit.parse_number(f"{word} patients").value == value
    assert stats.read_count(word) == value
    assert stats.count_reading(word) == "number word"


@pytest.mark.parametrize("word", ["twenty-ten", "one-third", "ten-one", "hundred", "onethird", ""])
def test_what_is_no_cardinal(word):
    assert cardinal(word) is None
    with pytest.raises(ValueError):
        parse_number(word)


def test_words_are_read_in_order_with_digits_only_when_asked():
    text = "Seventeen of 29 patients, twenty-one cycles, half of them"
    assert [n.value for n in numbers_in(text)] == [29.0]
    assert [n.value for n in numbers_in(text, words=True)] == [17.0, 29.0, 20.0, 1.0, 0.5]
    assert coverage.printed_numbers(text) == ["Seventeen", "29", "twenty", "half"]  # "-one" is glued
    assert number_at_start("  Twenty-one patients").value == 21.0
    assert number_at_start("patients: 21") is None


def test_a_threshold_is_never_a_word():
    with pytest.raises(ValueError):
        parse_number("sixty", words=False)
    with pytest.raises(ValueError):
        criteria.parse_number_or_range("sixty")


# ------------------------------------------------------------------ ranges


@pytest.mark.parametrize(
    "text, ends",
    [
        ("10 to 15", (10.0, 15.0)),
        ("10-15", (10.0, 15.0)),
        ("10 – 15", (10.0, 15.0)),
        ("1,000-2,500", (1000.0, 2500.0)),
    ],
)
def test_ranges(text, ends):
    assert parse_range(text) == ends
    assert criteria.parse_number_or_range(text) == criteria.Interval(*ends)


@pytest.mark.parametrize("text", ["10", "10 to", "about 10-15", "10-15%", "10 or 15", "10-15-20", "1.2.3-4"])
def test_what_is_no_range(text):
    assert parse_range(text) is None


def test_a_range_ends_with_its_unit():
    """The flags find a value printed with its unit, the low end of a range too ("15-20%")."""
    assert followed_by("15-20%", 2, "%")
    assert followed_by("15 – 20 %", 2, "%")
    assert followed_by("18 %", 2, "%")
    assert not followed_by("18 weeks, 20%", 2, "%")
    assert not followed_by("15-20 weeks", 2, "%")


# ------------------------------------------------------------------ months


@pytest.mark.parametrize("month", range(1, 13))
def test_every_printed_form_of_a_month_is_read_back(month):
    """The forms the loader looks for in a quote are the forms every module reads."""
    for form in month_forms(2016, month):
        assert parse_month(form) == (2016, month), form
        assert audit.parse_month(form) == (2016, month), form
        assert dates.to_period(form) == pd.Period(year=2016, month=month, freq="M"), form
    assert provenance.yearmonth_forms(2016, month) == month_forms(2016, month)


@pytest.mark.parametrize(
    "text, expected", [("December 2019", (2019, 12)), ("Sept. 2019", None), ("dec 2019", (2019, 12))]
)
def test_month_names(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_month(text)
    else:
        assert parse_month(text) == expected


@pytest.mark.parametrize("bad", ["13/2016", "0/2016", "2016-13", "2019", "Agosto 2016", "2016/08", ""])
def test_what_is_no_month(bad):
    with pytest.raises(ValueError):
        parse_month(bad)
    with pytest.raises(audit.AuditError):
        audit.parse_month(bad)


def test_months_between_printed_dates_are_the_dates_modules():
    """The audit's "months between dates" is :func:`dates.months_between` of the printed months."""
    row = pd.Series(
        {
            "check_id": "c",
            "kind": "months between dates",
            "operands": ["05/2017", "December 2019"],
            "printed": "31",
        }
    )
    result = audit._months(row)
    assert dates.months_between("05/2017", "December 2019") == 31
    assert result.result == "agrees" and not result.flagged


def test_printed_months_in_running_text():
    text = "staged 03/2019, again 05/2017 (not 2019-04, not 5/2017)"
    assert numbers.printed_months(text) == [(2019, 3), (2017, 5)]


# ------------------------------------------------------------------ whitespace


def test_one_whitespace_normaliser():
    assert normalise_whitespace("  a\n\tb  c ") == "a b c"
    assert provenance.normalise_whitespace is normalise_whitespace  # imported there, not defined


# ------------------------------------------------------------------ no second reader in the source

SOURCES = sorted([*(ROOT / "src" / "netbook").rglob("*.py"), *(ROOT / "_ext").glob("*.py")])
READER = ROOT / "src" / "netbook" / "numbers.py"
_RE_CALLS = {"compile", "match", "fullmatch", "search", "findall", "finditer", "sub", "subn", "split"}
# A printed number in the contexts a reader meets it: alone, with a unit, in a range.
_PROBES = ("17.8", "29,924")
_CONTEXTS = ("{}", "{}%", "a {} b", "a {}% b", "a {} mg b", "15-{} b")


def _whitespace_joins(tree: ast.AST) -> list[int]:
    """Lines of ``" ".join(x.split())``: a whitespace normaliser written out again."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
        and node.func.value.value == " "
        and len(node.args) == 1
        and isinstance(arg := node.args[0], ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr == "split"
        and not arg.args
        and not arg.keywords
    ]


def _literal(node: ast.AST, names: dict[str, str]) -> str:
    """The text of a pattern built from literals and module-level string constants
    (unknown parts, e.g. ``re.escape(unit)``, count as empty)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id, "")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal(node.left, names) + _literal(node.right, names)
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal(v, names) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return _literal(node.value, names)
    return ""


def _patterns(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, pattern) of every call ``re.<function>(pattern, ...)`` in a module."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            text = _literal(node.value, names)
            if text:
                names[node.targets[0].id] = text
    return [
        (node.lineno, _literal(node.args[0], names))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
        and node.func.attr in _RE_CALLS
        and node.args
    ]


def _matches_whole(compiled: re.Pattern, probe: str, contexts=_CONTEXTS) -> bool:
    return any(probe in m.group(0) for context in contexts for m in compiled.finditer(context.format(probe)))


def reads_a_number(pattern: str) -> bool:
    """Does a regular expression read printed numbers (a number reader)? It does when it
    matches a decimal or a number with a thousands comma whole, or a run of digits
    whole in running text without matching words (a tokeniser of words and digits,
    like a journal name's ``[a-z0-9]+``, reads no number; a line that is only a page
    number, ``^\\d+$``, is page furniture, not running text). Patterns that only meet digits inside
    something else (a citation "[12]", a year, a DOI, a numbered line "12. ") match
    none of the probes."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False
    if any(_matches_whole(compiled, probe) for probe in _PROBES):
        return True
    in_text = [c for c in _CONTEXTS if c.startswith("a ")]
    return _matches_whole(compiled, "1234", in_text) and not compiled.search("abc def")


def test_the_scan_knows_a_number_reader_when_it_sees_one():
    """The rules below fail on the readers this module replaced (taken from their old code)."""
    for old in (
        r"\d+(?:[.,]\d+)*",  # provenance, coverage
        r"\d+(?:\.\d+)?",  # flags, the hepatic chapter
        r"\d+(?:[.,]\d+)*|[A-Za-z]+",  # flags' tokens
        r"^(\d+(?:,\d{3})*(?:\.(\d+))?)\s*(%?)",  # audit
        r"(?<![\w.,/-])(-?\d+(?:[.,]\d+)*)\s?(%|mg\b)",  # extractions
        r"\d+",  # stats' digits
        r"\s*(?:[-–]\s*\d+(?:\.\d+)?\s*)?",  # flags' range before a unit
        r"(\d+(?:\.\d+)?)\s*(?:to|-|–)\s*(\d+(?:\.\d+)?)",  # criteria
    ):
        assert reads_a_number(old), old
    for other in (
        r"\^?\[\d+(?:\s*[-–,]\s*\d+)*\]",
        r"(?<![\d.])((?:19|20)\d{2})(?!\d|\.\d)",
        r"^\s*(\d{1,3})\.\s+(.*)$",
    ):
        assert not reads_a_number(other), other
    tree = ast.parse('x = " ".join(text.split())\ny = " ".join(words)\nz = "".join(text.split())')
    assert _whitespace_joins(tree) == [1]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_reads_numbers_or_whitespace_by_itself(path):
    """Every number regex lives in netbook/numbers.py, every whitespace join is
    ``normalise_whitespace``: a module that writes its own again fails here, by line."""
    if path == READER:
        return
    name = str(path.relative_to(ROOT))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    readers = [f"{name}:{line}: {pattern!r}" for line, pattern in _patterns(tree) if reads_a_number(pattern)]
    assert not readers, f"a number regex outside netbook/numbers.py (use numbers_in and filter): {readers}"
    joins = _whitespace_joins(tree)
    assert not joins, (
        f'{name} lines {joins}: " ".join(x.split()) written out; use netbook.numbers.normalise_whitespace'
    )
