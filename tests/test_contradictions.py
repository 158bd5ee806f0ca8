"""The sources' own contradictions: both statements verbatim, each value printed where quoted."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook import coverage, load_table
from netbook.provenance import missing_numbers, normalise_whitespace


@pytest.fixture(scope="module")
def contradictions() -> pd.DataFrame:
    return load_table("source_contradictions")


def _problems(df: pd.DataFrame) -> list[str]:
    """The second statement is checked here; the loader checks the first (quote, value_a)."""
    problems = []
    for index, row in df.iterrows():
        where = f"source_contradictions.csv, row {index + 2}"
        text = coverage.normalised_text(row["source_id"])
        quote_b = normalise_whitespace(row["quote_b"])
        if quote_b not in text:
            problems.append(f"{where}, column 'quote_b': not in the source {row['source_id']}")
            continue
        value_b = row["value_b"] if isinstance(row["value_b"], str) else ""
        for token in missing_numbers(value_b, quote_b):
            problems.append(f"{where}, column 'value_b': {token} does not occur in quote_b")
        if (
            value_b
            and not any(ch.isdigit() for ch in value_b)
            and value_b.casefold() not in quote_b.casefold()
        ):
            problems.append(f"{where}, column 'value_b': {value_b!r} does not occur in quote_b")
        if normalise_whitespace(row["quote"]) == quote_b and row["value_a"] == row["value_b"]:
            problems.append(f"{where}: the two statements and values are the same; nothing conflicts")
    return problems


def test_every_second_statement_is_verbatim_and_prints_its_value(contradictions):
    assert _problems(contradictions) == []


def test_a_changed_second_value_or_quote_is_reported(contradictions):
    bad = contradictions.copy()
    index = bad.index[bad["contradiction_id"] == "lasalvia-resectable-share"][0]
    bad.at[index, "value_b"] = "10-26%"
    assert _problems(bad) == [
        f"source_contradictions.csv, row {index + 2}, column 'value_b': 26 does not occur in quote_b"
    ]
    bad = contradictions.copy()
    bad.at[index, "quote_b"] = "Unfortunately only 10-26% of patients can be directly submitted"
    assert "column 'quote_b': not in the source" in _problems(bad)[0]


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
