"""Months and intervals between them, for texts that date events to the month.

A case report prints "08/2016", a table stores ``2016-08``: both become a
``pandas.Period`` (freq M), and intervals are whole calendar months.
"""

from __future__ import annotations

import pandas as pd

from netbook import numbers


def to_period(value) -> pd.Period:
    """A month as a ``pandas.Period`` (freq M) from a Period or a printed month ('2016-08',
    '08/2016', 'August 2016': every form :func:`netbook.numbers.parse_month` reads)."""
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    year, month = numbers.parse_month(value)
    return pd.Period(year=year, month=month, freq="M")


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
    return sorted({pd.Period(year=y, month=m, freq="M") for y, m in numbers.printed_months(text)})
