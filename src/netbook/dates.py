"""Months and intervals between them, for texts that date events to the month.

A case report prints "08/2016", a table stores ``2016-08``: both become a
``pandas.Period`` (freq M), and intervals are whole calendar months.
"""

from __future__ import annotations

import re

import pandas as pd


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


def printed_months(text: str) -> list[pd.Period]:
    """The distinct months printed as MM/YYYY in a text, in time order."""
    return sorted({to_period(m) for m in re.findall(r"\b\d{2}/\d{4}\b", text)})
