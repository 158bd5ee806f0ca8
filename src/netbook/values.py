"""What counts as an empty value, in one place for the loader, the criteria and the stats.

A CSV cell becomes None, ``pd.NA``, NaN or NaT depending on its column's dtype; a list
column holds ``[]``; a patient record may hold ``""``. All of these mean "not stated".
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """None, pd.NA, NaN, NaT, a blank string or an empty list/tuple/set."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (list, tuple, set)):
        return not value
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
