"""Criterion evaluation: each comparison (ranges too), three-valued logic, combination per
criteria set and per option."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from netbook.criteria import (
    MET,
    NOT_MET,
    UNKNOWN,
    Interval,
    combine_all,
    combine_any,
    combine_rows,
    compare,
    evaluate_criteria,
    parse_number_or_range,
    parse_threshold,
)


@pytest.mark.parametrize(
    "comparison, value, expected",
    [
        ("lt", 54, MET),
        ("lt", 55, NOT_MET),
        ("lt", 56, NOT_MET),
        ("le", 54, MET),
        ("le", 55, MET),
        ("le", 56, NOT_MET),
        ("gt", 54, NOT_MET),
        ("gt", 55, NOT_MET),
        ("gt", 56, MET),
        ("ge", 54, NOT_MET),
        ("ge", 55, MET),
        ("ge", 56, MET),
        ("eq", 55, MET),
        ("eq", 54, NOT_MET),
        ("ne", 55, NOT_MET),
        ("ne", 54, MET),
    ],
)
def test_each_numeric_comparison_at_and_around_the_threshold(comparison, value, expected):
    assert compare(value, comparison, "55", "number") == expected


def test_numbers_given_as_text_and_decimals():
    assert compare("4.9", "lt", "5", "number") == MET
    assert compare(5.0, "lt", "5", "number") == NOT_MET


def test_in_with_numbers_and_categories():
    assert compare(2, "in", "1;2", "number") == MET
    assert compare(3, "in", "1;2", "number") == NOT_MET
    assert compare("Pancreas", "in", "lung;pancreas", "category") == MET
    assert compare("ileum", "in", "lung;pancreas", "category") == NOT_MET


@pytest.mark.parametrize(
    "value, expected",
    [
        (False, MET),
        (True, NOT_MET),
        ("false", MET),
        ("yes", NOT_MET),
        (0, MET),
        (1, NOT_MET),
    ],
)
def test_boolean_eq(value, expected):
    assert compare(value, "eq", "false", "boolean") == expected


def test_boolean_ne():
    assert compare(True, "ne", "false", "boolean") == MET
    assert compare(False, "ne", "false", "boolean") == NOT_MET


def test_category_eq_ignores_case_and_spaces():
    assert compare(" iii ", "eq", "III", "category") == MET
    assert compare("II", "eq", "III", "category") == NOT_MET


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, "", "  "])
@pytest.mark.parametrize(
    "comparison, threshold, value_type",
    [
        ("lt", "5", "number"),
        ("ge", "6", "number"),
        ("eq", "true", "boolean"),
        ("ne", "false", "boolean"),
        ("in", "lung;pancreas", "category"),
        ("eq", "III", "category"),
    ],
)
def test_an_unknown_value_stays_unknown(missing, comparison, threshold, value_type):
    assert compare(missing, comparison, threshold, value_type) == UNKNOWN


def test_unreadable_values_are_errors_not_unknowns():
    with pytest.raises(ValueError):
        compare("high", "lt", "5", "number")
    with pytest.raises(ValueError):
        compare("maybe", "eq", "true", "boolean")
    with pytest.raises(ValueError):
        compare(True, "lt", "5", "number")  # a boolean is not a number
    with pytest.raises(ValueError):
        compare("a", "lt", "b", "category")  # order comparisons need numbers


def test_bad_criteria_are_rejected():
    with pytest.raises(ValueError):
        parse_threshold("5", "number", "approx")
    with pytest.raises(ValueError):
        parse_threshold("5", "ordinal", "lt")
    with pytest.raises(ValueError):
        parse_threshold("", "number", "lt")
    with pytest.raises(ValueError):
        parse_threshold(" ; ", "category", "in")


def test_combine_all():
    assert combine_all([MET, MET]) == MET
    assert combine_all([MET, NOT_MET, UNKNOWN]) == NOT_MET
    assert combine_all([MET, UNKNOWN]) == UNKNOWN
    assert combine_all([UNKNOWN]) == UNKNOWN
    with pytest.raises(ValueError):
        combine_all([])
    with pytest.raises(ValueError):
        combine_all([MET, "maybe"])


def test_combine_any():
    assert combine_any([NOT_MET, MET, UNKNOWN]) == MET
    assert combine_any([NOT_MET, NOT_MET]) == NOT_MET
    assert combine_any([NOT_MET, UNKNOWN]) == UNKNOWN
    with pytest.raises(ValueError):
        combine_any([])


def _criteria() -> pd.DataFrame:
    return pd.DataFrame(
        [
            # a Milan-like set
            dict(
                option="lt",
                criteria_set="milan",
                strength="required",
                any_of=None,
                variable="age_years",
                value_type="number",
                comparison="lt",
                threshold="55",
            ),
            dict(
                option="lt",
                criteria_set="milan",
                strength="required",
                any_of=None,
                variable="ki67_percent",
                value_type="number",
                comparison="lt",
                threshold="5",
            ),
            dict(
                option="lt",
                criteria_set="milan",
                strength="required",
                any_of=None,
                variable="extrahepatic_disease",
                value_type="boolean",
                comparison="eq",
                threshold="false",
            ),
            # an indication with alternatives
            dict(
                option="iat",
                criteria_set="iat",
                strength="required",
                any_of=None,
                variable="grade",
                value_type="number",
                comparison="le",
                threshold="2",
            ),
            dict(
                option="iat",
                criteria_set="iat",
                strength="indication",
                any_of="why",
                variable="hormone_hypersecretion",
                value_type="boolean",
                comparison="eq",
                threshold="true",
            ),
            dict(
                option="iat",
                criteria_set="iat",
                strength="indication",
                any_of="why",
                variable="rapid_liver_progression",
                value_type="boolean",
                comparison="eq",
                threshold="true",
            ),
            dict(
                option="iat",
                criteria_set="iat_best",
                strength="favourable",
                any_of=None,
                variable="hepatic_tumour_load_percent",
                value_type="number",
                comparison="lt",
                threshold="50",
            ),
        ]
    )


def _by(criteria: pd.DataFrame, patient, column: str = "criteria_set") -> pd.DataFrame:
    """Evaluated rows grouped by ``column``: the counts and the combined result per group."""
    evaluated = evaluate_criteria(criteria, patient)
    records = []
    for key, part in evaluated.groupby(column, sort=True):
        counts = part["result"].value_counts()
        records.append(
            {
                column: key,
                "n_met": int(counts.get(MET, 0)),
                "n_not_met": int(counts.get(NOT_MET, 0)),
                "n_unknown": int(counts.get(UNKNOWN, 0)),
                "result": combine_rows(part),
            }
        )
    return pd.DataFrame(records).set_index(column)


def _result(criteria: pd.DataFrame, patient, key: str, column: str = "criteria_set") -> str:
    return _by(criteria, patient, column).loc[key, "result"]


def test_all_met_is_met_and_one_failure_is_not_met():
    patient = dict(age_years=50, ki67_percent=3, extrahepatic_disease=False)
    assert _result(_criteria(), patient, "milan") == MET
    patient["age_years"] = 60
    assert _result(_criteria(), patient, "milan") == NOT_MET


def test_an_unknown_value_makes_the_set_unknown_unless_something_fails():
    patient = dict(age_years=50, extrahepatic_disease=False)  # Ki-67 unknown
    row = _by(_criteria(), patient).loc["milan"]
    assert row["result"] == UNKNOWN
    assert (row["n_met"], row["n_not_met"], row["n_unknown"]) == (2, 0, 1)
    patient["extrahepatic_disease"] = True
    assert _result(_criteria(), patient, "milan") == NOT_MET


def test_any_of_groups():
    base = dict(grade=2)
    assert _result(_criteria(), dict(base, hormone_hypersecretion=True), "iat") == MET
    assert _result(_criteria(), dict(base, hormone_hypersecretion=False), "iat") == UNKNOWN
    assert (
        _result(_criteria(), dict(base, hormone_hypersecretion=False, rapid_liver_progression=False), "iat")
        == NOT_MET
    )
    assert _result(_criteria(), dict(grade=3, hormone_hypersecretion=True), "iat") == NOT_MET


def test_evaluate_criteria_keeps_rows_and_reports_values():
    patient = pd.Series({"age_years": 40, "ki67_percent": math.nan})
    out = evaluate_criteria(_criteria(), patient)
    assert len(out) == len(_criteria())
    assert list(out["result"][:3]) == [MET, UNKNOWN, UNKNOWN]
    assert out["patient_value"][1] is None


# --------------------------------------------------------------- values printed as a range


@pytest.mark.parametrize(
    "value, comparison, threshold, expected",
    [
        (Interval(10, 15), "lt", "5", NOT_MET),
        (Interval(1, 4), "lt", "5", MET),
        (Interval(3, 7), "lt", "5", UNKNOWN),  # straddles the threshold
        (Interval(5, 5), "lt", "5", NOT_MET),  # a point on the threshold
        (Interval(5, 5), "le", "5", MET),
        (Interval(3, 7), "eq", "5", UNKNOWN),  # equality on a range is never decided
        (Interval(50, 60), "ge", "50", MET),
        (None, "lt", "5", UNKNOWN),
        (4, "lt", "5", MET),
    ],
)
def test_compare_value_edge_cases(value, comparison, threshold, expected):
    assert compare(value, comparison, threshold, "number") == expected


def test_parse_number_or_range():
    assert parse_number_or_range("10 to 15") == Interval(10, 15)
    assert parse_number_or_range("10-15") == Interval(10, 15)
    assert parse_number_or_range("10 – 15") == Interval(10, 15)
    assert parse_number_or_range("63") == 63.0
    assert parse_number_or_range(" 2.5 ") == 2.5
    for bad in ["about 10", "10%", "", "ten"]:
        with pytest.raises(ValueError):
            parse_number_or_range(bad)
    with pytest.raises(ValueError):
        Interval(15, 10)
    assert str(Interval(10, 15)) == "10 to 15"


def test_unknown_stays_unknown_and_bad_criteria_fail():
    criteria = pd.DataFrame(
        [
            dict(
                criterion_id="a",
                option="x",
                strength="required",
                any_of=None,
                variable="age_years",
                value_type="number",
                comparison="lt",
                threshold="55",
            ),
            dict(
                criterion_id="b",
                option="x",
                strength="required",
                any_of=None,
                variable="grade",
                value_type="number",
                comparison="le",
                threshold="2",
            ),
        ]
    )
    out = evaluate_criteria(criteria, {"grade": 2})
    assert list(out["result"]) == [UNKNOWN, MET]
    assert combine_rows(out) == UNKNOWN
    out = evaluate_criteria(criteria, {"grade": 3, "age_years": None})
    assert combine_rows(out) == NOT_MET  # one failure decides
    with pytest.raises(ValueError):
        compare(Interval(1, 2), "eq", "", "number")
