"""Checks on the La Salvia 2016 tables that the generic provenance rules cannot make."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook import load_table


@pytest.fixture(scope="module")
def outcomes():
    return load_table("trial_outcomes")


@pytest.fixture(scope="module")
def criteria():
    return load_table("selection_criteria")


def _norm(text: str) -> str:
    return " ".join(str(text).split())


# (numbers in words printed in the quote, criterion text part of its quote: the
# loader's netbook:inQuote, tested in tests/test_data.py)


# (a result 'not reached' holds no number, every row holds a value, a range, a count or
# 'not reached', a range is no single value, one row per arm: the loader's netbook:rules,
# tested in tests/test_data.py)


def test_the_medians_not_reached_are_clarinet_and_netter1(outcomes):
    nr = outcomes[outcomes["value_qualifier"] == "not reached"]
    assert set(nr["study"]) == {"CLARINET", "NETTER-1"}


def test_randomised_pfs_and_ttp_medians_come_in_pairs(outcomes):
    arms = outcomes[outcomes["arm_role"].isin(["experimental", "control"])]
    for (study, endpoint, _tp), part in arms.groupby(["study", "endpoint", arms["time_point"].fillna(-1)]):
        if endpoint in {"median PFS", "median TTP"}:  # what the PFS figure pairs up
            assert sorted(part["arm_role"]) == ["control", "experimental"], (study, endpoint)


# (cited reference numbers exist in the list: the loader's netbook:citations rule,
# tested in tests/test_data.py)


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


# (thresholds read for their type, a unit only for numbers: the loader's
# threshold-reads-for-its-type and a-unit-only-for-numbers)


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
    from netbook.criteria import MET, NOT_MET, combine_any, evaluate_criteria, per_criteria_set

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
    assert combine_any(result) == MET  # either indication suffices
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


# ---------------------------------------------------------------- qualifiers (issue 20)

QUALIFIED = ("trial_outcomes", "trial_characteristics", "harms")


@pytest.fixture(scope="module")
def qualified():
    return {name: load_table(name) for name in QUALIFIED}


def _printed_as(df, item):
    return df["printed_as"].map(lambda items: item in items)


# ('no citation marker', 'no unit printed', 'time point in words' and, in harms, 'no rate
# printed' said exactly where the row shows it: the loader's netbook:rules)


def test_how_the_review_prints_a_result_agrees_with_the_row(qualified):
    df = qualified["trial_outcomes"]
    # a median read as a median though the word is not in the quote, and only then
    median = df["endpoint"].str.startswith("median")
    unprinted = ~df["quote"].str.contains(r"\bmedian\b", case=False, regex=True)
    flagged = _printed_as(df, "median not printed")
    assert (flagged <= (median | (df["endpoint"] == "OS"))).all()  # an 'OS' time may be a median
    assert (median & unprinted <= flagged).all(), list(df.loc[median & unprinted & ~flagged, "result_id"])
    assert set(df.loc[flagged, "result_id"]) >= {
        "prrt09-kwekkeboom-os-diagnosis",
        "tt08-radiant4-pfs-everolimus",
    }
    pooled = set(df.loc[_printed_as(df, "arms pooled"), "result_id"])
    assert pooled == {"ia03-tae-tace-symptoms", "tt06-radiant2-pr", "tt07-radiant2-sd"}


def test_the_two_prrt_survival_results_carry_their_time_origins(qualified):
    df = qualified["trial_outcomes"].set_index("result_id")
    assert df.loc["prrt08-kwekkeboom-os-first-cycle", "time_origin"] == "from the first treatment cycle"
    assert df.loc["prrt09-kwekkeboom-os-diagnosis", "time_origin"] == "from initial diagnosis"
    for rid in ("prrt08-kwekkeboom-os-first-cycle", "prrt09-kwekkeboom-os-diagnosis"):
        assert df.loc[rid, "time_origin"] in df.loc[rid, "quote"]


def test_the_bevacizumab_ifn_trial_carries_its_octreotide_background_and_crossover(qualified):
    for name, key in (("trial_outcomes", "study"), ("trial_characteristics", "study")):
        df = qualified[name]
        rows = df[df[key] == "Yao (bevacizumab vs IFN)"]
        assert len(rows) >= 1
        assert (rows["background_therapy"] == "depot octreotide").all()
        assert rows["crossover"].str.contains("allowed to receive the combination").all()
        assert (rows["regimen_in_reference"] == "pegylated interferon alpha-2b").all()
        for passages in rows["qualifier_quote"]:
            assert any(
                "depot octreotide with bevacizumab and pegylated interferon alpha-2b" in p for p in passages
            )


def test_netter1_says_congress_and_interim(qualified):
    rows = qualified["trial_outcomes"]
    netter = rows[rows["study"] == "NETTER-1"]
    assert (
        netter["report_status"].map(lambda s: "presented at the 2015 18th-ECCO-40th-ESMO Congress" in s).all()
    )
    interim = netter[netter["report_status"].map(lambda s: "Interim analysis" in s)]
    assert set(interim["endpoint"]) == {"deaths at interim analysis"}


# ---------------------------------------------------------------- the certainty layer (issue 20)


@pytest.fixture(scope="module")
def certainty():
    return load_table("result_certainty")


def test_every_result_has_its_certainty_judgements(qualified, certainty):
    out = qualified["trial_outcomes"]
    results = out[out["endpoint"] != "baseline share"]
    judged = certainty[certainty["study"] != "every result"]
    assert set(judged["study"]) == set(results["study"])
    for study, part in judged.groupby("study"):
        limitations = set(part["limitation"])
        assert "single study" in limitations, study
        n = qualified["trial_characteristics"].set_index("study").loc[study, "n"]
        assert ("sample size" in limitations) == (pd.isna(n) or n < 100), study
    listed = [i for ids in judged["result_ids"] for i in ids]
    assert set(listed) <= set(results["result_id"])
    for row in judged.itertuples():
        for rid in row.result_ids:
            assert out.set_index("result_id").loc[rid, "study"] == row.study, (row.judgement_id, rid)
    assert set(certainty.loc[certainty["study"] == "every result", "limitation"]) == {
        "not judgeable: risk of bias",
        "not judgeable: publication bias",
    }


def test_certainty_judgements_agree_with_the_extracted_data(qualified, certainty):
    chars = qualified["trial_characteristics"].set_index("study")
    for row in certainty[certainty["limitation"] == "design"].itertuples():
        assert not chars.loc[row.study, "design"].startswith("randomised"), row.judgement_id
    for row in certainty[certainty["limitation"] == "sample size"].itertuples():
        n = chars.loc[row.study, "n"]
        if pd.isna(n):
            assert "not printed" in row.judgement or "group sizes" in row.judgement, row.judgement_id
        else:
            assert row.judgement == f"n = {int(n)}" and n < 100, row.judgement_id
    surrogate = certainty[certainty["limitation"] == "surrogate endpoint"]
    endpoints = qualified["trial_outcomes"].set_index("result_id")["endpoint"]
    for ids in surrogate["result_ids"]:
        assert ids and not {endpoints[i] for i in ids} & {"OS", "median OS", "OS rate", "survival rate"}
    historical = certainty[certainty["limitation"] == "historical comparison"]
    assert list(historical["result_ids"]) == [["prrt10-kwekkeboom-benefit"]]
