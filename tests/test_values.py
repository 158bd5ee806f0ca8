"""netbook.values: the one test of "not stated", shared by the loader, criteria and stats."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from netbook.values import is_missing


@pytest.mark.parametrize(
    "value",
    [
        None,
        pd.NA,
        pd.NaT,
        float("nan"),
        math.nan,
        np.nan,
        np.float64("nan"),
        "",
        "   ",
        "\t\n",
        [],
        (),
        set(),
    ],
    ids=repr,
)
def test_what_counts_as_missing(value):
    assert is_missing(value)


@pytest.mark.parametrize(
    "value",
    [
        0,
        0.0,
        False,
        True,
        "0",
        "none",
        "x",
        [""],
        [None],
        (0,),
        {"a"},
        pd.Period("2016-08", freq="M"),
        pd.Timestamp("2016-08-01"),
        np.int64(0),
        math.inf,
    ],
    ids=repr,
)
def test_what_is_a_value(value):
    # zero, false and the word "none" are stated values; only emptiness is missing
    assert not is_missing(value)


def test_cells_of_a_loaded_frame():
    """Each dtype the loader produces marks an empty cell its own way; all read as missing."""
    df = pd.DataFrame(
        {
            "n": pd.array([1, None], dtype="Int64"),
            "x": pd.array([1.5, None], dtype="Float64"),
            "b": pd.array([True, None], dtype="boolean"),
            "s": pd.array(["a", None], dtype="string"),
            "month": pd.PeriodIndex(["2016-08", None], freq="M"),
            "day": pd.to_datetime(pd.Series(["2016-08-01", None]), format="%Y-%m-%d"),
            "items": [["a"], []],
        }
    )
    assert [is_missing(v) for v in df.iloc[0]] == [False] * len(df.columns)
    assert [is_missing(v) for v in df.iloc[1]] == [True] * len(df.columns)


def test_an_array_is_not_read_as_missing_element_by_element():
    # pd.isna of an array is an array; is_missing answers for a single value only
    assert not is_missing(np.array([np.nan, 1.0]))
