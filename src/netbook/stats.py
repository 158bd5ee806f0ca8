"""Proportions with exact confidence intervals, and counts printed as words.

Small series and abstracts report counts such as "7 out of their 32" or "two patients".
This module turns them into rates with exact (Clopper–Pearson) confidence intervals,
computed by :func:`scipy.stats.binomtest`, not by a hand-written formula.

Clopper–Pearson intervals are conservative (coverage at least the nominal level) and
stay inside [0, 1], which matters for counts of 0 or n in series of a few patients.

:func:`read_count` reads a count the way the extraction tables record it in
``count_as_printed`` ("Seventeen", "two", "the third patient", "neither ... nor").
"""

from __future__ import annotations

import numbers

import pandas as pd
from scipy.stats import binomtest

from netbook.numbers import cardinal, normalise_whitespace, parse_number
from netbook.values import is_missing

__all__ = ["count_reading", "exact_ci", "k_of_n", "percent", "percent_change", "read_count", "with_rate_ci"]


def _as_count(value, name: str) -> int:
    if value is None or value is pd.NA or isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    raise ValueError(f"{name} must be a whole number, got {value!r}")


def _check(k, n) -> tuple[int, int]:
    k, n = _as_count(k, "k"), _as_count(n, "n")
    if n < 0 or k < 0:
        raise ValueError(f"counts cannot be negative: k={k}, n={n}")
    if n == 0:
        raise ValueError("n = 0: a proportion needs at least one observation")
    if k > n:
        raise ValueError(f"k={k} is larger than n={n}")
    return k, n


def exact_ci(k, n, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) confidence interval of the proportion k/n.

    Raises ValueError for negative counts, n = 0, k > n or non-integer counts.
    """
    k, n = _check(k, n)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence!r}")
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def with_rate_ci(
    df: pd.DataFrame, k: str = "k", n: str = "n", confidence: float = 0.95, missing: str = "raise"
) -> pd.DataFrame:
    """A copy of ``df`` with columns ``rate`` (k/n), ``ci_low`` and ``ci_high``.

    ``k`` and ``n`` name the columns holding the counts. Every row is validated as in
    :func:`exact_ci`; the error names the offending row. ``missing`` decides what a row
    without k or without n does: ``"raise"`` (the default: every row must have both) or
    ``"skip"`` (the row stays, with missing rate and interval: a rate printed without its
    denominator gets no interval, there is nothing to compute it from).
    """
    if missing not in ("raise", "skip"):
        raise ValueError(f"missing must be 'raise' or 'skip', got {missing!r}")
    for column in (k, n):
        if column not in df.columns:
            raise KeyError(f"no column {column!r} in the DataFrame")
    rates, lows, highs = [], [], []
    for label, (kk, nn) in zip(df.index, zip(df[k], df[n])):
        if missing == "skip" and (is_missing(kk) or is_missing(nn)):
            rates.append(pd.NA), lows.append(pd.NA), highs.append(pd.NA)
            continue
        try:
            kk, nn = _check(kk, nn)
            low, high = exact_ci(kk, nn, confidence)
        except ValueError as exc:
            raise ValueError(f"row {label!r}: {exc}") from exc
        rates.append(kk / nn)
        lows.append(low)
        highs.append(high)
    out = df.copy()
    dtype = "Float64" if missing == "skip" else "float64"
    out["rate"] = pd.array(rates, dtype=dtype)
    out["ci_low"] = pd.array(lows, dtype=dtype)
    out["ci_high"] = pd.array(highs, dtype=dtype)
    return out


def percent_change(before: float, after: float) -> tuple[float, float]:
    """(change in percentage points, relative change in per cent) from ``before`` to ``after``."""
    if before == 0:
        raise ZeroDivisionError("relative change from 0 is undefined")
    return after - before, (after - before) / before * 100


_ORDINALS = {
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "last",
    "remaining",
}
_NEGATIONS = {"neither", "none", "no"}


def count_reading(printed: str) -> str:
    """How a printed count is read: 'digits', 'number word', 'ordinal' or 'negation'.

    - 'digits': "14";
    - 'number word': a cardinal written out, "two", "Seventeen", "twenty-one";
    - 'ordinal': "the third patient", one patient singled out (count 1);
    - 'negation': "neither" / "none" / "no" (count 0).

    Raises ValueError for anything else, so an unforeseen phrasing is never guessed.
    """
    text = normalise_whitespace(printed)
    if text.isascii() and text.isdigit():
        return "digits"
    if cardinal(text) is not None:
        return "number word"
    words = text.casefold().split()
    if len(words) == 3 and words[0] == "the" and words[1] in _ORDINALS and words[2] == "patient":
        return "ordinal"
    if text.casefold() in _NEGATIONS:
        return "negation"
    raise ValueError(f"cannot read {printed!r} as a count")


def read_count(printed: str) -> int:
    """The count a printed phrase states (see :func:`count_reading` for the forms)."""
    kind = count_reading(printed)
    if kind in ("digits", "number word"):
        return int(parse_number(printed))
    if kind == "ordinal":
        return 1
    return 0


def percent(proportion, digits: int = 1) -> str:
    """A proportion (0 to 1) as a percentage with a fixed number of decimals: 0.219 -> '21.9%'.

    The one percent format of the chapters' computed rates (printed values keep their own
    form). Raises ValueError outside [0, 1], where a proportion cannot lie.
    """
    value = float(proportion)
    if not 0 <= value <= 1:
        raise ValueError(f"a proportion lies between 0 and 1, got {proportion!r}")
    return f"{100 * value:.{digits}f}%"


def k_of_n(k, n, confidence: float = 0.95, digits: int = 1) -> str:
    """'k of n (rate; 95% CI low to high)', the exact interval of :func:`exact_ci`.

    ``k_of_n(7, 32)`` -> ``'7 of 32 (21.9%; 95% CI 9.3% to 40.0%)'``.
    """
    k, n = _check(k, n)
    low, high = exact_ci(k, n, confidence)
    level = f"{100 * confidence:g}%"
    return (
        f"{k} of {n} ({percent(k / n, digits)}; {level} CI {percent(low, digits)} to {percent(high, digits)})"
    )
