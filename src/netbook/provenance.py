"""The provenance rules every extracted row must pass.

1. its quote occurs in the text of its source (only whitespace is normalised);
2. every number in its value fields occurs in its quote, and a value's unit, where the
   table names one, occurs in the quote as well;
3. its source exists (the schema's foreign key, and the loader finds its text file).

These functions only answer questions; :mod:`netbook.tables` turns a "no" into an
error that names the file, row and column.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from functools import cache
from pathlib import Path

# A number as printed: digits, optionally with thousands commas and a decimal part.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space."""
    return " ".join(text.split())


@cache
def _normalised_source(path: Path) -> str:
    return normalise_whitespace(path.read_text(encoding="utf-8"))


def quote_in_text(quote: str, path: Path) -> bool:
    """Rule 1: the quote occurs verbatim in the file, up to whitespace."""
    return normalise_whitespace(quote) in _normalised_source(path)


def fragment_in_passages(fragment: str, passages) -> bool:
    """Words as printed occur in one of the passages (whitespace and case aside)."""
    words = normalise_whitespace(str(fragment)).casefold()
    return any(words in normalise_whitespace(str(p)).casefold() for p in passages)


def _readings(token: str) -> set[float]:
    """The values a printed number token can stand for.

    "29,924" is twenty-nine thousand nine hundred and twenty-four; "1,5" would be a
    decimal comma. Both readings are kept, so matching never guesses wrongly.
    """
    readings = {float(token.replace(",", ""))} if token.count(".") <= 1 else set()
    parts = token.split(",")
    if len(parts) == 2 and len(parts[1]) != 3 and "." not in token:
        readings.add(float(token.replace(",", ".")))
    return readings


def quote_numbers(quote: str) -> set[float]:
    """All readings of all numbers in a quote."""
    found: set[float] = set()
    for token in _NUMBER.findall(quote):
        found |= _readings(token)
    return found


def missing_numbers(value_text: str, quote: str) -> list[str]:
    """Numbers printed in a value that do not occur in the quote."""
    have = quote_numbers(quote)
    missing = []
    for token in _NUMBER.findall(value_text):
        if not any(abs(r - q) < 1e-9 for r in _readings(token) for q in have):
            missing.append(token)
    return missing


def _unit_key(text: str) -> str:
    # NFKC folds the micro sign (U+00B5) into Greek mu (U+03BC); spacing inside a
    # unit ("135 μ g/wk") varies between extractions, so it is dropped for matching.
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def unit_in_quote(unit: str, quote: str) -> bool:
    return _unit_key(unit) in _unit_key(quote)


def yearmonth_forms(year: int, month: int) -> list[str]:
    """The ways a month of a year is printed in the sources."""
    name = calendar.month_name[month]
    return [
        f"{month:02d}/{year}",
        f"{month}/{year}",
        f"{year}-{month:02d}",
        f"{name} {year}",
        f"{name}, {year}",
        f"{name[:3]} {year}",
        f"{name[:3]}. {year}",
    ]


def yearmonth_in_quote(year: int, month: int, quote: str) -> bool:
    q = normalise_whitespace(quote).casefold()
    return any(form.casefold() in q for form in yearmonth_forms(year, month))
