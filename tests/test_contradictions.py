"""The sources' own contradictions. The loader checks both statements (quote_b is declared a
second quote of the source, value_b is read against it; tests/test_data.py feeds it bad rows)."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook import load_table


@pytest.fixture(scope="module")
def contradictions() -> pd.DataFrame:
    return load_table("source_contradictions")


@pytest.fixture(scope="module")
def differences() -> pd.DataFrame:
    return load_table("source_differences")


def test_the_conflicts_the_book_already_flags_are_listed(contradictions):
    """The chapters flag these in prose (hepatic_metastases: transplant DSS; case_ozdirik2020:
    the markers under shortened SSA)."""
    have = set(contradictions["contradiction_id"])
    assert {"lasalvia-lt-dss-below-os", "ozdirik-markers-under-shortened-ssa"} <= have


def test_differences_that_can_both_hold_are_not_contradictions(contradictions, differences):
    """The case's "4 months later" against Table 1 (an overview need not list every CT) and
    the review's 15-20% against 10-25% (what may be different quantities, either a rounding
    of the other) can both hold: they are differences, each saying why, never contradictions."""
    moved = {"ozdirik-ct-response-4-months", "lasalvia-resectable-share"}
    assert moved <= set(differences["difference_id"])
    assert not moved & set(contradictions["contradiction_id"])
    for row in differences.itertuples():
        assert row.rationale.startswith("Not a contradiction:"), row.difference_id
    case = differences.set_index("difference_id").loc["ozdirik-ct-response-4-months"]
    assert case["kind"] == "a detail an overview does not list" and "overview" in case["rationale"]


def test_one_source_per_row_and_distinct_statements(contradictions):
    for row in contradictions.itertuples():
        assert row.quote != row.quote_b or row.value_a != row.value_b, row.contradiction_id
