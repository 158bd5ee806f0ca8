"""The provenance rules every extracted row must pass.

1. its quote occurs in the text of its source (only whitespace is normalised);
2. every number in its value fields occurs in its quote, and a value's unit, where the
   table names one, occurs in the quote as well;
3. its source exists (the schema's foreign key, and the loader finds its text file).

These functions only answer questions; :mod:`netbook.tables` turns a "no" into an
error that names the file, row and column.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

# Numbers and months are read by the one reader; ``normalise_whitespace`` stays
# importable from here, where the loader's rules use it.
from netbook.numbers import month_forms, normalise_whitespace, number_values, numbers_in, readings


@cache
def _normalised_source(path: Path) -> str:
    return normalise_whitespace(path.read_text(encoding="utf-8"))


def quote_in_text(quote: str, path: Path) -> bool:
    """Rule 1: the quote occurs verbatim in the file, up to whitespace."""
    return normalise_whitespace(quote) in _normalised_source(path)


def quote_numbers(quote: str) -> set[float]:
    """All readings of all numbers in a quote ("29,924" -> 29924; "1,5" -> 15 and 1.5)."""
    return number_values(quote)


def missing_numbers(value_text: str, quote: str) -> list[str]:
    """Numbers printed in a value that do not occur in the quote."""
    have = quote_numbers(quote)
    missing = []
    for number in numbers_in(value_text):
        if not any(abs(r - q) < 1e-9 for r in number.readings for q in have):
            missing.append(number.text)
    return missing


def _unit_key(text: str) -> str:
    # NFKC folds the micro sign (U+00B5) into Greek mu (U+03BC); spacing inside a
    # unit ("135 μ g/wk") varies between extractions, so it is dropped for matching.
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def unit_in_quote(unit: str, quote: str) -> bool:
    return _unit_key(unit) in _unit_key(quote)


def yearmonth_forms(year: int, month: int) -> list[str]:
    """The ways a month of a year is printed in the sources (:func:`netbook.numbers.month_forms`)."""
    return month_forms(year, month)


def yearmonth_in_quote(year: int, month: int, quote: str) -> bool:
    q = normalise_whitespace(quote).casefold()
    return any(form.casefold() in q for form in yearmonth_forms(year, month))


def source_text(path: Path) -> str:
    """The whitespace-normalised text of a source file (cached)."""
    return _normalised_source(path)


def fragment_in(fragment: str, quote: str, casefold: bool = False) -> bool:
    """A fragment occurs in a quote, up to whitespace (and case, with ``casefold``)."""
    f, q = normalise_whitespace(fragment), normalise_whitespace(quote)
    if casefold:
        f, q = f.casefold(), q.casefold()
    return f in q


def divergence(quote: str, text: str, context: int = 30) -> str:
    """Where a quote stops matching a (normalised) text, in words for an error message:
    the longest prefix of the quote that occurs in the text, then the quote's next
    characters beside the text's next characters after the first place that prefix occurs."""
    q = normalise_whitespace(quote)
    low, high = 0, len(q)  # the longest k with q[:k] in text (containment shrinks with k)
    while low < high:
        middle = (low + high + 1) // 2
        if q[:middle] in text:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return f"not even its first character {q[:1]!r} occurs in the source"
    at = text.find(q[:low]) + low
    return (
        f"the first {low} characters match (ending {q[max(0, low - context) : low]!r}); "
        f"then the quote has {q[low : low + 12]!r} where the source has {text[at : at + 12]!r}"
    )


def printed_numbers(text: str) -> list[str]:
    """The number tokens of a short printed phrase, in order ('11.0 vs. 4.6 months')."""
    return [number.text for number in numbers_in(text)]


def reads_as(token: str, cell: str) -> bool:
    """Is a raw CSV cell one of the values the printed token can stand for?"""
    try:
        value = float(cell)
    except (TypeError, ValueError):
        return False
    return any(abs(value - r) < 1e-9 for r in readings(token))
