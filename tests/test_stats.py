"""netbook.stats: exact binomial intervals, their formatting, and the reading of counts
printed as words (the tables' counts are checked against their words in test_data.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta

from netbook.stats import (
    count_reading,
    exact_ci,
    k_of_n,
    percent,
    percent_change,
    read_count,
    with_rate_ci,
)

# --- exact (Clopper–Pearson) intervals ------------------------------------------------


def test_zero_of_ten_matches_published_upper_bound():
    # 0/10: the exact 95% upper bound is 1 - 0.025**(1/10) = 0.3085 (Clopper-Pearson
    # tables; the "rule of three" would give 0.30).
    low, high = exact_ci(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.3085, abs=5e-5)
    assert high == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-9)


def test_n_of_n_is_the_mirror_of_zero_of_n():
    low, high = exact_ci(10, 10)
    assert high == 1.0
    assert low == pytest.approx(0.6915, abs=5e-5)
    assert low == pytest.approx(1 - exact_ci(0, 10)[1], rel=1e-9)


def test_seven_of_thirty_two():
    # PD-L1 positivity in the Korean series cited by the Markey abstract.
    low, high = exact_ci(7, 32)
    assert (round(low, 4), round(high, 4)) == (0.0928, 0.3997)
    # the Clopper-Pearson definition through beta quantiles, computed independently
    assert low == pytest.approx(beta.ppf(0.025, 7, 32 - 7 + 1), rel=1e-6)
    assert high == pytest.approx(beta.ppf(0.975, 7 + 1, 32 - 7), rel=1e-6)


@pytest.mark.parametrize("k,n", [(1, 14), (2, 3), (13, 45), (20, 77)])
def test_interval_matches_beta_quantiles_and_holds_the_estimate(k, n):
    low, high = exact_ci(k, n)
    assert low == pytest.approx(beta.ppf(0.025, k, n - k + 1), rel=1e-6)
    assert high == pytest.approx(beta.ppf(0.975, k + 1, n - k), rel=1e-6)
    assert low < k / n < high


def test_wider_confidence_gives_wider_interval():
    l95, h95 = exact_ci(7, 32)
    l99, h99 = exact_ci(7, 32, confidence=0.99)
    assert l99 < l95 and h99 > h95


@pytest.mark.parametrize(
    "k,n,message",
    [
        (5, 4, "larger than n"),
        (0, 0, "n = 0"),
        (-1, 10, "negative"),
        (1, -3, "negative"),
        (1.5, 4, "whole number"),
        (True, 4, "whole number"),
        (None, 4, "whole number"),
        (pd.NA, 4, "whole number"),
    ],
)
def test_invalid_counts_are_rejected(k, n, message):
    with pytest.raises(ValueError, match=message):
        exact_ci(k, n)


def test_numpy_and_nullable_integers_are_accepted():
    assert exact_ci(np.int64(7), np.int64(32)) == exact_ci(7, 32)
    s = pd.array([7, 32], dtype="Int64")
    assert exact_ci(s[0], s[1]) == exact_ci(7, 32)


def test_with_rate_ci_adds_columns_and_keeps_input():
    df = pd.DataFrame({"series": ["a", "b"], "pos": [0, 7], "tot": [10, 32]})
    out = with_rate_ci(df, k="pos", n="tot")
    assert list(df.columns) == ["series", "pos", "tot"]  # input untouched
    assert list(out.columns) == ["series", "pos", "tot", "rate", "ci_low", "ci_high"]
    assert out["rate"].tolist() == [0.0, 7 / 32]
    assert (out["ci_low"].tolist(), out["ci_high"].tolist()) == (
        [exact_ci(0, 10)[0], exact_ci(7, 32)[0]],
        [exact_ci(0, 10)[1], exact_ci(7, 32)[1]],
    )


def test_with_rate_ci_names_the_bad_row():
    df = pd.DataFrame({"k": [1, 5], "n": [3, 4]}, index=["ok", "bad"])
    with pytest.raises(ValueError, match="row 'bad'.*larger than n"):
        with_rate_ci(df)
    with pytest.raises(KeyError):
        with_rate_ci(df, k="positive")


@pytest.mark.parametrize("k, n", [(None, 10), (3, None), (pd.NA, pd.NA), (float("nan"), 10)])
def test_with_rate_ci_raises_on_a_missing_count_by_default(k, n):
    df = pd.DataFrame({"k": [1, k], "n": [4, n]}, index=["ok", "gap"], dtype="object")
    with pytest.raises(ValueError, match="row 'gap'"):
        with_rate_ci(df)


def test_with_rate_ci_skip_leaves_rows_without_both_counts_without_interval():
    df = pd.DataFrame(
        {"k": pd.array([2, None, 3, 0], dtype="Int64"), "n": pd.array([3, 10, None, 14], dtype="Int64")},
        index=["a", "no k", "no n", "zero"],
    )
    out = with_rate_ci(df, missing="skip")
    assert list(out.index) == list(df.index)  # nothing dropped
    assert str(out["rate"].dtype) == "Float64"
    assert out.loc["a", "rate"] == pytest.approx(2 / 3)
    assert (out.loc["a", "ci_low"], out.loc["a", "ci_high"]) == exact_ci(2, 3)
    for row in ("no k", "no n"):
        assert out.loc[row, ["rate", "ci_low", "ci_high"]].isna().all(), row
    assert out.loc["zero", "ci_low"] == 0  # 0 of 14: the exact interval starts at 0
    # a present but impossible count is still an error, named by row
    bad = pd.DataFrame({"k": [5, None], "n": [4, None]}, index=["bad", "gap"])
    with pytest.raises(ValueError, match="row 'bad'.*larger than n"):
        with_rate_ci(bad, missing="skip")


def test_with_rate_ci_refuses_an_unknown_missing_policy():
    with pytest.raises(ValueError, match="missing must be"):
        with_rate_ci(pd.DataFrame({"k": [1], "n": [2]}), missing="drop")


# --- formatting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "proportion, digits, text",
    [
        (0.4375, 1, "43.8%"),
        (0, 1, "0.0%"),
        (1, 0, "100%"),
        (2 / 3, 2, "66.67%"),
        (0.0714, 1, "7.1%"),
    ],
)
def test_percent(proportion, digits, text):
    assert percent(proportion, digits) == text


def test_k_of_n_agrees_with_with_rate_ci():
    row = with_rate_ci(pd.DataFrame({"pos": [7], "tot": [32]}), k="pos", n="tot").iloc[0]
    assert k_of_n(row["pos"], row["tot"]) == (
        f"7 of 32 ({percent(row['rate'])}; 95% CI {percent(row['ci_low'])} to {percent(row['ci_high'])})"
    )
    assert k_of_n(7, 32) == "7 of 32 (21.9%; 95% CI 9.3% to 40.0%)"
    with pytest.raises(ValueError):
        k_of_n(33, 32)


def test_percent_refuses_what_is_not_a_proportion():
    with pytest.raises(ValueError):
        percent(1.2)


def test_percent_change():
    points, relative = percent_change(70, 30)
    assert points == -40 and relative == pytest.approx(-57.142857, rel=1e-6)
    assert percent_change(50, 70) == (20, 40)
    with pytest.raises(ZeroDivisionError):
        percent_change(0, 30)


# --- counts printed as words ----------------------------------------------------------


@pytest.mark.parametrize(
    "printed,count,kind",
    [
        ("14", 14, "digits"),
        ("0", 0, "digits"),
        ("one", 1, "number word"),
        ("two", 2, "number word"),
        ("Seventeen", 17, "number word"),
        ("twenty-one", 21, "number word"),
        ("the third patient", 1, "ordinal"),
        ("neither", 0, "negation"),
        ("none", 0, "negation"),
    ],
)
def test_read_count(printed, count, kind):
    assert read_count(printed) == count
    assert count_reading(printed) == kind


@pytest.mark.parametrize("printed", ["several", "a few", "most patients", "", "1.5", "twenty-zero"])
def test_unreadable_counts_raise_rather_than_guess(printed):
    with pytest.raises(ValueError):
        read_count(printed)
