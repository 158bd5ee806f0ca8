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
    has = (
        outcomes["value"].notna()
        | (outcomes["value_low"].notna() & outcomes["value_high"].notna())
        | outcomes["events"].notna()
        | outcomes["events_words"].notna()
        | (outcomes["value_qualifier"] == "not reached")
    )
    assert has.all(), list(outcomes.loc[~has, "result_id"])
    ranges = outcomes[outcomes["value_low"].notna()]
    assert (ranges["value_low"] <= ranges["value_high"]).all()
    assert ranges["value"].isna().all()


def test_randomised_arms_come_in_pairs(outcomes):
    arms = outcomes[outcomes["arm_role"].isin(["experimental", "control"])]
    for (study, endpoint, _tp), part in arms.groupby(["study", "endpoint", arms["time_point"].fillna(-1)]):
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
    assert (
        milan.loc["milan_1", "variable"],
        milan.loc["milan_1", "comparison"],
        milan.loc["milan_1", "threshold"],
    ) == ("ki67_percent", "lt", "5")
    assert (milan.loc["milan_3", "variable"], milan.loc["milan_3", "threshold"]) == ("age_years", "55")
    assert (milan.loc["milan_6", "variable"], milan.loc["milan_6", "threshold"]) == (
        "hepatic_tumour_load_percent",
        "50",
    )


def test_thresholds_parse_for_their_type(criteria):
    from netbook.criteria import parse_threshold

    for row in criteria.itertuples():
        parse_threshold(row.threshold, row.value_type, row.comparison)
        if row.value_type != "number":
            assert pd.isna(row.unit), row.criterion_id


# ------------------------------------------------------------------ corrections of issue 11


def test_time_points_are_numbers_also_where_printed_in_words(outcomes):
    """'One, three, and five-year survival rates': stored as 1, 3, 5 beside the words (the
    loader derives time_point_number from time_point or the words: netbook:derived)."""
    words = outcomes[outcomes["time_point_words"].notna()].sort_values("time_point_number")
    assert list(zip(words["time_point_words"], words["time_point_number"])) == [
        ("One", 1),
        ("three", 3),
        ("five", 5),
    ]


def test_a_five_year_filter_finds_both_transplant_cohorts(outcomes):
    lt = outcomes[
        (outcomes["option_id"] == "liver_transplantation")
        & (outcomes["time_point_number"] == 5)
        & outcomes["value"].notna()
    ]
    assert set(lt["study"]) == {"Le Treut (European multicentre)", "Sher (United States)"}
    assert sorted(lt["value"]) == [52, 52]


def test_both_transplant_cohorts_are_the_two_largest_retrospective_multicentre_studies(outcomes):
    cohorts = outcomes[outcomes["study"].isin(["Le Treut (European multicentre)", "Sher (United States)"])]
    assert set(cohorts["design"]) == {"retrospective multicentre"}
    us = cohorts[cohorts["study"] == "Sher (United States)"]
    assert us["quote"].str.contains("The two largest retrospective multicenter studies", regex=False).all()


def test_transplant_complication_deaths_say_what_they_count(outcomes):
    row = outcomes.set_index("result_id").loc["lt02-europe-complication-deaths"]
    assert (
        "complications" in row["endpoint"] and "died from early or late complications of LT" in row["quote"]
    )
    assert not outcomes["endpoint"].eq("deaths").any(), "a bare 'deaths' label hides what the endpoint is"


def test_ssa_criteria_encode_the_main_indication(criteria):
    soc = criteria[criteria["criteria_set"] == "ssa_standard_of_care"].set_index("criterion_id")
    assert set(soc["option"]) == {"ssa"} and set(soc["strength"]) == {"indication"}
    encoded = {(r.variable, r.comparison, r.threshold) for r in soc.itertuples()}
    assert encoded == {
        ("metastatic_disease", "eq", "true"),
        ("disease_resectable", "eq", "false"),
        ("primary_site", "in", "midgut;pancreas;unknown"),
        ("hormone_hypersecretion", "in", "true;false"),
    }
    assert soc["quote"].str.contains("regardless of the hepatic tumor burden", regex=False).all()


def test_ssa_standard_of_care_is_met_for_a_functional_midgut_net_with_ssr_negative_metastases(criteria):
    """The record that the old encoding 'ruled out': the main indication does not ask for SSR."""
    from netbook.criteria import MET, NOT_MET, evaluate_criteria, per_criteria_set, per_option

    record = dict(
        metastatic_disease=True,
        disease_resectable=False,
        primary_site="midgut",
        hormone_hypersecretion=True,
        differentiation="well",
        ssr_expression=False,
    )
    evaluated = evaluate_criteria(criteria[criteria["option"] == "ssa"], record)
    result = per_criteria_set(evaluated)
    assert result["ssa_standard_of_care"] == MET
    assert result["ssa"] == NOT_MET  # the receptor-expressing indication alone would exclude it
    assert (
        per_option(evaluated).set_index("option").loc["ssa", "allowed"] == MET
    )  # either indication suffices
    for hypersecretion in (True, False):  # 'whether associated or not'
        record["hormone_hypersecretion"] = hypersecretion
        soc = criteria[criteria["criteria_set"] == "ssa_standard_of_care"]
        assert per_criteria_set(evaluate_criteria(soc, record))["ssa_standard_of_care"] == MET


def test_peritoneal_carcinomatosis_of_11_2016_was_found_intraoperatively():
    events = load_table("course_of_disease").set_index("event_id")
    row = events.loc["E03"]
    assert row["peritoneal_finding"] == "peritoneal carcinomatosis"
    assert "intraoperatively" in row["description"] and "not on CT" in row["description"]
    assert "Intraoperatively, peritoneal lesions were detected" in row["quote"]
    ct_part = row["description"].split(".")[0]
    assert ct_part.startswith("CT:") and "peritoneal" not in ct_part.casefold()
