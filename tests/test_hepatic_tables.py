"""Checks on the La Salvia 2016 tables that the generic provenance rules cannot make."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from netbook import load_table
from netbook.references import expand_citations


@pytest.fixture(scope="module")
def outcomes():
    return load_table("trial_outcomes")


@pytest.fixture(scope="module")
def criteria():
    return load_table("selection_criteria")


def _norm(text: str) -> str:
    return " ".join(str(text).split())


@pytest.mark.parametrize("column", ["events_words", "time_point_words"])
def test_numbers_in_words_are_printed_in_the_quote(outcomes, column):
    rows = outcomes[outcomes[column].notna()]
    assert len(rows) > 0
    for row in rows.itertuples():
        word = getattr(row, column)
        assert re.search(rf"\b{re.escape(word)}\b", row.quote), (row.result_id, word)


def test_not_reached_is_never_a_number(outcomes):
    nr = outcomes[outcomes["value_qualifier"] == "not reached"]
    assert set(nr["study"]) == {"CLARINET", "NETTER-1"}
    assert nr["value"].isna().all() and nr["value_low"].isna().all() and nr["value_high"].isna().all()
    for quote in nr["quote"]:
        assert "not reached" in quote


def test_every_row_has_a_value_a_range_a_count_or_not_reached(outcomes):
    has = (outcomes["value"].notna()
           | (outcomes["value_low"].notna() & outcomes["value_high"].notna())
           | outcomes["events"].notna() | outcomes["events_words"].notna()
           | (outcomes["value_qualifier"] == "not reached"))
    assert has.all(), list(outcomes.loc[~has, "result_id"])
    ranges = outcomes[outcomes["value_low"].notna()]
    assert (ranges["value_low"] <= ranges["value_high"]).all()
    assert ranges["value"].isna().all()


def test_randomised_arms_come_in_pairs(outcomes):
    arms = outcomes[outcomes["arm_role"].isin(["experimental", "control"])]
    for (study, endpoint, tp), part in arms.groupby(["study", "endpoint", arms["time_point"].fillna(-1)]):
        roles = sorted(part["arm_role"])
        assert len(roles) == len(set(roles)), (study, endpoint)  # one row per arm
        if endpoint in {"median PFS", "median TTP"}:  # what the PFS figure pairs up
            assert roles == ["control", "experimental"], (study, endpoint)


def test_cited_reference_numbers_exist_in_the_list(outcomes, criteria):
    refs = set(load_table("review_references")["number"])
    options = load_table("management_options")
    for table in (outcomes, criteria, options):
        for markers in table["references"]:
            assert set(expand_citations(markers)) <= refs


def test_criterion_text_is_part_of_its_quote(criteria):
    for row in criteria.itertuples():
        assert _norm(row.criterion_text) in _norm(row.quote), row.criterion_id


def test_milan_criteria_are_all_there(criteria):
    milan = criteria[criteria["criteria_set"] == "milan"].set_index("criterion_id")
    assert len(milan) == 7
    assert (milan.loc["milan_1", "variable"], milan.loc["milan_1", "comparison"], milan.loc["milan_1", "threshold"]) \
        == ("ki67_percent", "lt", "5")
    assert (milan.loc["milan_3", "variable"], milan.loc["milan_3", "threshold"]) == ("age_years", "55")
    assert (milan.loc["milan_6", "variable"], milan.loc["milan_6", "threshold"]) == ("hepatic_tumour_load_percent", "50")


def test_thresholds_parse_for_their_type(criteria):
    from netbook.criteria import parse_threshold
    for row in criteria.itertuples():
        parse_threshold(row.threshold, row.value_type, row.comparison)
        if row.value_type != "number":
            assert pd.isna(row.unit), row.criterion_id
