"""netbook.dates: months as printed in the sources, and whole-month intervals."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook.dates import add_months, months_between, printed_months, to_period


@pytest.mark.parametrize(
    "start, end, months",
    [
        ("2016-08", "2016-12", 4),
        ("07/2016", "05/2017", 10),  # across a year end, printed form
        ("2017-05", "2019-12", 31),
        ("2017-05", "2017-05", 0),
        ("2019-03", "2017-05", -22),  # end before start
        (pd.Period("2016-12", freq="M"), "01/2017", 1),
    ],
)
def test_months_between(start, end, months):
    assert months_between(start, end) == months


def test_add_months_crosses_the_year():
    assert add_months("2016-12", 4) == pd.Period("2017-04", freq="M")
    assert add_months("05/2017", 30) == pd.Period("2019-11", freq="M")


@pytest.mark.parametrize(
    "value",
    [
        "08/2016",
        "8/2016",
        "2016-08",
        " 08/2016 ",
        "Aug 2016",
        "August 2016",
        pd.Period("2016-08", freq="M"),
        pd.Period("2016-08-17", freq="D"),
    ],
)
def test_to_period_reads_each_form(value):
    assert to_period(value) == pd.Period("2016-08", freq="M")


@pytest.mark.parametrize("bad", ["13/2016", "2016/08", "Agosto 2016", "8-2016", "2016-13", ""])
def test_to_period_rejects_what_it_cannot_read(bad):
    with pytest.raises(ValueError):
        to_period(bad)


def test_printed_months_are_distinct_and_in_time_order():
    text = "Staged 03/2019 and 05/2017; again 09/2018 and 05/2017 (not 2019-04, not 5/2017)."
    assert [str(p) for p in printed_months(text)] == ["2017-05", "2018-09", "2019-03"]
    assert printed_months("no month here") == []
