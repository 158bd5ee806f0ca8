"""netbook.stats: exact binomial intervals and the reading of counts printed as words."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta

from netbook import load_table, provenance
from netbook.stats import count_reading, exact_ci, read_count, with_rate_ci


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


@pytest.mark.parametrize("k,n,message", [
    (5, 4, "larger than n"),
    (0, 0, "n = 0"),
    (-1, 10, "negative"),
    (1, -3, "negative"),
    (1.5, 4, "whole number"),
    (True, 4, "whole number"),
    (None, 4, "whole number"),
    (pd.NA, 4, "whole number"),
])
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
        [exact_ci(0, 10)[0], exact_ci(7, 32)[0]], [exact_ci(0, 10)[1], exact_ci(7, 32)[1]])


def test_with_rate_ci_names_the_bad_row():
    df = pd.DataFrame({"k": [1, 5], "n": [3, 4]}, index=["ok", "bad"])
    with pytest.raises(ValueError, match="row 'bad'.*larger than n"):
        with_rate_ci(df)
    with pytest.raises(KeyError):
        with_rate_ci(df, k="positive")


# --- counts printed as words ----------------------------------------------------------

@pytest.mark.parametrize("printed,count,kind", [
    ("14", 14, "digits"),
    ("0", 0, "digits"),
    ("one", 1, "number word"),
    ("two", 2, "number word"),
    ("Seventeen", 17, "number word"),
    ("twenty-one", 21, "number word"),
    ("the third patient", 1, "ordinal"),
    ("neither", 0, "negation"),
    ("none", 0, "negation"),
])
def test_read_count(printed, count, kind):
    assert read_count(printed) == count
    assert count_reading(printed) == kind


@pytest.mark.parametrize("printed", ["several", "a few", "most patients", "", "1.5", "twenty-zero"])
def test_unreadable_counts_raise_rather_than_guess(printed):
    with pytest.raises(ValueError):
        read_count(printed)


@pytest.mark.parametrize("table", ["salvage_cohort", "salvage_outcomes"])
def test_every_count_is_the_reading_of_its_printed_words(table):
    """count is not covered by the number-in-quote rule (words carry no digits), so the
    chain is checked here: count_as_printed is in the quote, and count is its reading."""
    df = load_table(table)
    for row in df.itertuples():
        assert provenance.normalise_whitespace(row.count_as_printed) in \
            provenance.normalise_whitespace(row.quote), row
        assert read_count(row.count_as_printed) == row.count, row
        assert count_reading(row.count_as_printed) == row.count_reading, row


def test_salvage_word_readings_as_expected():
    """The readings this book relies on, spelled out (a change to the CSV shows up here)."""
    cohort = load_table("salvage_cohort").set_index("group")
    assert cohort.loc["all patients", "count_as_printed"] == "Seventeen"
    assert cohort.loc["all patients", "count"] == 17
    out = load_table("salvage_outcomes").set_index(["arm", "outcome"])
    assert out.loc[("MIBG", "stable disease"), "count"] == 2
    assert out.loc[("MIBG", "progressive disease"), "count"] == 1
    assert out.loc[("chemotherapy", "partial response"), "count"] == 1
    assert out.loc[("chemotherapy", "tumour marker reduction"), "count"] == 0
    assert out.loc[("chemotherapy", "symptom relief"), "count"] == 0
