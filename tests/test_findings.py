"""The findings tables of the hepatic chapter: study characteristics, harms, the review's
conclusions and the criteria groups; the differences between arms; the shared formatters.

The loader checks schema, quotes, numbers and the fragments each schema declares as the
source's words (``netbook:inQuote``; tests/test_data.py feeds it bad rows); these tests
check what no row rule can: that the tables cover what they claim to cover, and that a
computed difference agrees with the printed values.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from netbook import load_table
from netbook.chapters import hepatic_metastases as hm
from netbook.stats import k_of_n, percent
from netbook.texts import source_text


@pytest.fixture(scope="module")
def tables():
    return {
        name: load_table(name)
        for name in (
            "trial_outcomes",
            "trial_characteristics",
            "harms",
            "review_conclusions",
            "criteria_groups",
            "selection_criteria",
            "management_options",
            "review_references",
        )
    }


# (every study with a result has its characteristics, and what design_basis asks of a
# row: the loader's netbook:rules, tested in tests/test_data.py)


def test_the_designs_derived_rather_than_printed(tables):
    chars = tables["trial_characteristics"]
    derived = chars[chars["design_basis"].str.startswith("derived")]
    assert set(derived["study"]) == {"RADIANT-2", "Raymond (sunitinib)", "Schell (as cited)"}


def test_randomised_designs_agree_between_the_tables(tables):
    chars = tables["trial_characteristics"].set_index("study")["design"]
    arms = tables["trial_outcomes"][tables["trial_outcomes"]["arm_role"].isin(["experimental", "control"])]
    for study in set(arms["study"]):
        assert chars[study].startswith("randomised"), study
    # (a row's randomised design equals its study's: the loader's
    # randomised-design-agrees-with-characteristics)


def test_the_review_prints_its_doses_where_the_table_has_them(tables):
    chars = tables["trial_characteristics"].set_index("study")
    assert chars.loc["CLARINET", "regimen"] == "lanreotide depot 120 mg monthly"
    assert chars.loc["RADIANT-3", "regimen"] == "everolimus 10 mg/day"
    assert chars.loc["PROMID", "regimen"] == "intramuscular octreotide LAR every 4 weeks"
    assert chars.loc["NETTER-1", "comparator"] == "octreotide 60 mg"


# (cited markers exist in the reference list: the loader's netbook:citations rule,
# tested in tests/test_data.py)


# ------------------------------------------------------------------ harms


def test_harms_cover_all_four_publications_or_say_why_not(tables):
    harms = tables["harms"]
    sources = load_table("sources")
    assert set(harms["source_id"]) == {"lasalvia2016", "ozdirik2020", "markey_ici_abstract"}
    # the Zilembo abstract states no harm: no word of harm occurs in it
    text = source_text(sources, "zilembo1993").casefold()
    for word in (
        "toxic",
        "adverse",
        "side effect",
        "side-effect",
        "tolera",
        "complication",
        "death",
        "died",
        "mortality",
        "morbidity",
        "safe",
    ):
        assert word not in text, word


def test_the_case_report_lists_the_adverse_effects_of_interferon(tables):
    harms = tables["harms"]
    oz = harms[(harms["source_id"] == "ozdirik2020") & (harms["comparator"] == "SSA")]
    assert set(oz["harm"]) == {
        "loss of appetite",
        "weight loss",
        "fatigue",
        "bone marrow depression",
        "hepatotoxic reaction",
        "depressive syndrome",
        "mental changes",
        "visual disturbances",
    }
    assert set(oz["option_id"]) == {"ifn_alpha"}
    case = harms[harms["evidence"] == "case report"]
    assert len(case) >= 3 and case["remark"].str.contains("One patient", regex=False).all()


def test_harm_endpoints_are_named_precisely(tables):
    harms = tables["harms"].set_index("harm_id")
    lt = harms.loc["ls03-lt-complication-deaths"]
    assert (
        lt["harm"] == "died from early or late complications of LT" and lt["value"] == 17 and lt["n"] == 213
    )
    assert not tables["harms"]["harm"].str.fullmatch(r"(?i)deaths?").any()


# (a unit exactly where a harm has a rate: the loader's a-rate-has-a-unit; every option_id
# names a management option: a foreign key; every criteria group is a criteria option:
# group-is-a-criteria-option)


def test_conclusions_include_the_threshold_and_systematic_reviews(tables):
    c = tables["review_conclusions"].set_index("conclusion_id")
    assert c.loc["surg04-cytoreduction-90", "number"] == 90
    assert c.loc["surg01-cochrane", "evidence_as_printed"] == "The Cochrane systematic reviews"
    assert {"prognostic factor", "systematic review", "threshold"} <= set(c["topic"])
    lt = c[c["option_id"] == "liver_transplantation"]
    assert (lt["topic"] == "prognostic factor").sum() >= 2


# ------------------------------------------------------------------ differences


def _printed_value(row) -> float:
    return float(hm.printed_number(row["value"], row["quote"]))


def test_every_computed_difference_is_the_printed_values_subtracted(tables):
    outcomes = tables["trial_outcomes"].set_index("result_id")
    comp = hm.comparisons(tables["trial_outcomes"])
    computed = comp[comp["difference"].notna()]
    assert len(computed) >= 12
    for row in computed.itertuples():
        a, b = outcomes.loc[row.result_id], outcomes.loc[row.other_id]
        assert row.difference == pytest.approx(_printed_value(a) - _printed_value(b), abs=1e-9), row.result_id
        assert a["unit"] == b["unit"]
        unit = "percentage points" if a["unit"] == "%" else a["unit"]
        assert row.difference_text.endswith(unit)


def test_randomised_differences_match_a_hand_count(tables):
    """A few differences worked by hand from the quotes, so a sign or pairing error shows."""
    comp = hm.comparisons(tables["trial_outcomes"]).set_index("result_id")
    assert comp.loc["tt01-radiant3-pfs-everolimus", "difference_text"] == "+6.4 months"  # 11.0 - 4.6
    assert comp.loc["ssa01-promid-ttp-octreotide", "difference_text"] == "+8.3 months"  # 14.3 - 6
    assert (
        comp.loc["ssa07-clarinet-pfs24-lanreotide", "difference_text"] == "+32.1 percentage points"
    )  # 65.1 - 33
    assert comp.loc["prrt13-netter1-orr-prrt", "difference_text"] == "+16 percentage points"  # 19 - 3
    assert comp.loc["tt20-calgb-orr-combination", "difference_text"] == "+19 percentage points"  # 31 - 12


def test_no_difference_is_computed_from_what_the_review_does_not_give(tables):
    comp = hm.comparisons(tables["trial_outcomes"]).set_index("result_id")
    for rid in ("prrt11-netter1-pfs-prrt", "ssa05-clarinet-pfs-lanreotide"):
        assert comp.loc[rid, "difference"] is None or pd.isna(comp.loc[rid, "difference"])
        assert "not reached" in comp.loc[rid, "difference_text"]
    assert "arm sizes not printed" in comp.loc["prrt15-netter1-deaths-prrt", "difference_text"]


def test_computed_equals_printed_where_the_review_prints_a_difference(tables):
    """Where a compared row's quote prints a difference between the arms, it must equal the
    computed one. The review prints none for any pair (the only 'benefit' it prints, PRRT's
    40 to 72 months, is against historical cohorts and has no comparator arm): the test
    finds each candidate phrase and fails if one appears without being checked."""
    outcomes = tables["trial_outcomes"]
    comp = hm.comparisons(outcomes)
    compared = outcomes[outcomes["result_id"].isin(comp.loc[comp["difference"].notna(), "result_id"])]
    pattern = re.compile(r"\b(difference|benefit of|improvement of|gain of|longer by|increase of)\b", re.I)
    printed = {
        row.result_id: pattern.search(row.quote).group(0)
        for row in compared.itertuples()
        if pattern.search(row.quote)
    }
    assert printed == {}, f"a printed difference to compare with the computed one: {printed}"
    benefit = outcomes.set_index("result_id").loc["prrt10-kwekkeboom-benefit"]
    assert benefit["arm_role"] == "single group" and "historical cohorts" in benefit["quote"]


def test_pfs_pairs_are_randomised_and_oriented(tables):
    data = hm.HepaticData(
        tables["management_options"],
        tables["trial_outcomes"],
        tables["trial_characteristics"],
        load_table("harms"),
        load_table("review_conclusions"),
        tables["selection_criteria"],
        tables["criteria_groups"],
        load_table("sources"),
    )
    pairs = hm.pfs_pairs(data)
    assert len(pairs) == 7
    assert pairs["design"].str.startswith("randomised").all()
    reached = pairs[~pairs["not_reached"]]
    assert (
        reached["difference"] == (reached["experimental_value"] - reached["control_value"]).round(1)
    ).all()
    assert set(pairs.loc[pairs["not_reached"], "study"]) == {"CLARINET", "NETTER-1"}


# ------------------------------------------------------------------ shared formatters


def test_percent_and_k_of_n():
    assert percent(0.219) == "21.9%"
    assert percent(1) == "100.0%" and percent(0, digits=0) == "0%"
    assert k_of_n(7, 32) == "7 of 32 (21.9%; 95% CI 9.3% to 40.0%)"
    assert k_of_n(0, 14) == "0 of 14 (0.0%; 95% CI 0.0% to 23.2%)"
    with pytest.raises(ValueError):
        percent(1.5)
    with pytest.raises(ValueError):
        k_of_n(3, 2)
