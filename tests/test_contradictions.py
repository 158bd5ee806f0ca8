"""The sources' own contradictions. The loader checks both statements (quote_b is declared a
second quote of the source, value_b is read against it; tests/test_data.py feeds it bad rows)."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook import load_table


@pytest.fixture(scope="module")
def contradictions() -> pd.DataFrame:
    return load_table("source_contradictions")


def test_the_conflicts_the_book_already_flags_are_listed(contradictions):
    """The chapters flag these in prose (hepatic_metastases: resection share and transplant
    DSS; case_ozdirik2020: the relative months and the markers under shortened SSA)."""
    have = set(contradictions["contradiction_id"])
    assert {
        "lasalvia-resectable-share",
        "lasalvia-lt-dss-below-os",
        "ozdirik-ct-response-4-months",
        "ozdirik-markers-under-shortened-ssa",
    } <= have


def test_one_source_per_row_and_distinct_statements(contradictions):
    for row in contradictions.itertuples():
        assert row.quote != row.quote_b or row.value_a != row.value_b, row.contradiction_id
