"""The sources' own contradictions: both statements verbatim, each value printed where quoted."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook import coverage, load_table
from netbook.provenance import missing_numbers, normalise_whitespace


@pytest.fixture(scope="module")
def contradictions() -> pd.DataFrame:
    return load_table("source_contradictions")


@pytest.fixture(scope="module")
def differences() -> pd.DataFrame:
    return load_table("source_differences")


def _problems(df: pd.DataFrame, name: str = "source_contradictions") -> list[str]:
    """The second statement is checked here; the loader checks the first (quote, value_a)."""
    problems = []
    for index, row in df.iterrows():
        where = f"{name}.csv, row {index + 2}"
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


def test_every_second_statement_of_a_difference_is_verbatim_and_prints_its_value(differences):
    assert _problems(differences, "source_differences") == []


def test_a_changed_second_value_or_quote_is_reported(contradictions, differences):
    bad = contradictions.copy()
    index = bad.index[bad["contradiction_id"] == "lasalvia-lt-dss-below-os"][0]
    bad.at[index, "value_b"] = "31%"
    assert _problems(bad) == [
        f"source_contradictions.csv, row {index + 2}, column 'value_b': 31 does not occur in quote_b"
    ]
    bad = contradictions.copy()
    bad.at[index, "quote_b"] = "the 5-year OS rate was 52% with a disease-specific survival rate of 31%"
    assert "column 'quote_b': not in the source" in _problems(bad)[0]
    bad = differences.copy()
    index = bad.index[bad["difference_id"] == "lasalvia-resectable-share"][0]
    bad.at[index, "value_b"] = "10-26%"
    assert _problems(bad, "source_differences") == [
        f"source_differences.csv, row {index + 2}, column 'value_b': 26 does not occur in quote_b"
    ]


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
