"""Evaluate encoded selection criteria against a patient record, with three-valued logic.

A criterion (one row of the ``selection_criteria`` table) says: *variable* *comparison*
*threshold*, e.g. ``age_years lt 55``. Evaluated against a patient record (a mapping
from variable names to values) it gives one of three answers:

``"met"``, ``"not met"``, or ``"unknown"`` when the patient value is missing.

An unknown value never passes and never fails. Criteria are combined per criteria set
(or per option):

* all-of: every result met -> met; any result not met -> not met; otherwise unknown;
* any-of (rows sharing an ``any_of`` group): any met -> met; every one not met ->
  not met; otherwise unknown. The group's result then enters the all-of combination.

This encodes what a review text says; it is descriptive, not a clinical decision rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from netbook.numbers import normalise_whitespace, parse_number, parse_range
from netbook.values import is_missing

MET = "met"
NOT_MET = "not met"
UNKNOWN = "unknown"
RESULTS = (MET, NOT_MET, UNKNOWN)

COMPARISONS = ("lt", "le", "gt", "ge", "eq", "ne", "in")
VALUE_TYPES = ("number", "boolean", "category")
LIST_SEPARATOR = ";"

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _to_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _to_category(value: Any) -> str:
    return str(value).strip().casefold()


_CONVERT = {"number": _to_number, "boolean": _to_boolean, "category": _to_category}


def parse_threshold(threshold: Any, value_type: str, comparison: str) -> Any:
    """The threshold as a typed value; a list of typed values for ``in``."""
    if value_type not in _CONVERT:
        raise ValueError(f"unknown value_type {value_type!r}; expected one of {VALUE_TYPES}")
    if comparison not in COMPARISONS:
        raise ValueError(f"unknown comparison {comparison!r}; expected one of {COMPARISONS}")
    if is_missing(threshold):
        raise ValueError("a criterion needs a threshold")
    convert = _CONVERT[value_type]
    if comparison == "in":
        items = [item.strip() for item in str(threshold).split(LIST_SEPARATOR) if item.strip()]
        if not items:
            raise ValueError("comparison 'in' needs at least one threshold item")
        return [convert(item) for item in items]
    return convert(threshold)


@dataclass(frozen=True)
class Interval:
    """A value printed as a range, e.g. Ki-67 "10% to 15%"."""

    low: float
    high: float

    def __post_init__(self):
        if self.low > self.high:
            raise ValueError(f"interval low {self.low} is above high {self.high}")

    def __str__(self) -> str:
        return f"{self.low:g} to {self.high:g}"


def compare(value: Any, comparison: str, threshold: Any, value_type: str = "number") -> str:
    """One criterion: ``value <comparison> threshold`` -> met / not met / unknown.

    A missing patient value gives ``"unknown"``. A present value that cannot be read
    as ``value_type`` raises ``ValueError`` (a data error, not an unknown).

    An :class:`Interval` value is decided only where the whole range agrees: for
    lt/le/gt/ge the comparison is monotone, so both ends answering alike decide it,
    otherwise it is unknown; for eq/ne/in a range is unknown unless it is one point.
    """
    limit = parse_threshold(threshold, value_type, comparison)
    if isinstance(value, Interval):
        if comparison in ("eq", "ne", "in") and value.low != value.high:
            return UNKNOWN
        at_low = compare(value.low, comparison, threshold, value_type)
        at_high = compare(value.high, comparison, threshold, value_type)
        return at_low if at_low == at_high else UNKNOWN
    if is_missing(value):
        return UNKNOWN
    if value_type in ("boolean", "category") and comparison in ("lt", "le", "gt", "ge"):
        raise ValueError(f"comparison {comparison!r} needs numbers, not {value_type}")
    v = _CONVERT[value_type](value)
    if comparison == "lt":
        ok = v < limit
    elif comparison == "le":
        ok = v <= limit
    elif comparison == "gt":
        ok = v > limit
    elif comparison == "ge":
        ok = v >= limit
    elif comparison == "eq":
        ok = v == limit
    elif comparison == "ne":
        ok = v != limit
    else:  # "in"
        ok = v in limit
    return MET if ok else NOT_MET


def combine_all(results: Iterable[str]) -> str:
    """All-of: all met -> met; any not met -> not met; otherwise unknown."""
    return _combine(results, decisive=NOT_MET, unanimous=MET)


def combine_any(results: Iterable[str]) -> str:
    """Any-of: any met -> met; all not met -> not met; otherwise unknown."""
    return _combine(results, decisive=MET, unanimous=NOT_MET)


def _combine(results: Iterable[str], decisive: str, unanimous: str) -> str:
    # all-of and any-of are duals: one result decides, or all agree, or it is unknown
    results = list(results)
    _check(results)
    if not results:
        raise ValueError("cannot combine an empty list of criteria")
    if decisive in results:
        return decisive
    if all(r == unanimous for r in results):
        return unanimous
    return UNKNOWN


def _check(results: list[str]) -> None:
    bad = [r for r in results if r not in RESULTS]
    if bad:
        raise ValueError(f"not a criterion result: {bad[0]!r}; expected one of {RESULTS}")


def _get(patient: Mapping[str, Any], variable: str) -> Any:
    return patient.get(variable) if hasattr(patient, "get") else patient[variable]


def evaluate_criteria(criteria: pd.DataFrame, patient: Mapping[str, Any]) -> pd.DataFrame:
    """Each criterion row with the patient's value and the result (met / not met / unknown).

    ``criteria`` has the columns of the ``selection_criteria`` table (at least variable,
    value_type, comparison, threshold). Variables the record lacks are unknown.
    """
    out = criteria.copy()
    values, results = [], []
    for row in criteria.itertuples(index=False):
        value = _get(patient, row.variable)
        values.append(None if is_missing(value) else value)
        results.append(compare(value, row.comparison, row.threshold, row.value_type))
    out["patient_value"] = pd.array(values, dtype="object")
    out["result"] = pd.array(results, dtype="string")
    return out


def combine_rows(evaluated: pd.DataFrame) -> str:
    """Combine evaluated rows of one set or option: any-of groups first, then all-of."""
    parts = []
    group_col = evaluated["any_of"] if "any_of" in evaluated else pd.Series([None] * len(evaluated))
    groups: dict[str, list[str]] = {}
    for group, result in zip(group_col, evaluated["result"]):
        if is_missing(group):
            parts.append(str(result))
        else:
            groups.setdefault(str(group), []).append(str(result))
    parts += [combine_any(rs) for _, rs in sorted(groups.items())]
    return combine_all(parts)


def parse_number_or_range(text: str) -> float | Interval:
    """ "63" -> 63.0; "10 to 15" or "10-15" -> Interval(10, 15). Anything else is an error."""
    text = normalise_whitespace(str(text))
    ends = parse_range(text)
    if ends is not None:
        return Interval(*ends)
    try:
        return parse_number(text, words=False)  # a threshold is typed in digits, never "sixty"
    except ValueError:
        raise ValueError(f"not a number or a range: {text!r}") from None


def per_criteria_set(evaluated: pd.DataFrame) -> pd.Series:
    """The combined result of each criteria set (all-of its rows, any-of inside an
    any-of group), indexed by criteria_set."""
    return evaluated.groupby("criteria_set", sort=True).apply(combine_rows, include_groups=False)
