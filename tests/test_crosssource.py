"""Cross-source helpers: criteria on the case record, the vocabulary mapping, reference
matching and citing sentences, rates with exact intervals."""
from __future__ import annotations

import pandas as pd
import pytest

from netbook import criteria as crit
from netbook import crosssource as xs
from netbook import load_table, paths
from netbook.criteria import MET, NOT_MET, UNKNOWN
from netbook.references import Reference, compare_references, parse_reference_list

CASE_TABLES = ["case_patient_record", "case_clinical_findings", "course_of_disease", "case_histology"]


@pytest.fixture(scope="module")
def case_tables():
    return {name: load_table(name) for name in CASE_TABLES}


@pytest.fixture(scope="module")
def record(case_tables):
    return xs.case_criteria_record(case_tables)


@pytest.fixture(scope="module")
def criteria():
    return load_table("selection_criteria")


@pytest.fixture(scope="module")
def evaluated(criteria, record):
    return crit.evaluate_criteria(criteria, xs.record_as_mapping(record)).set_index("criterion_id")


# ------------------------------------------------------------------ vocabulary mapping

def test_every_criteria_variable_has_a_rule(criteria):
    assert xs.unmapped_variables(criteria) == []


def test_a_missing_rule_is_reported(criteria):
    rules = [r for r in xs.CASE_VARIABLE_RULES if r.variable != "grade"]
    assert xs.unmapped_variables(criteria, rules) == ["grade"]


def test_vocabulary_mapping():
    assert xs.grade_number("G2") == 2
    assert xs.differentiation_category("highly  differentiated") == "well"
    assert xs.differentiation_category("Moderately differentiated") == "moderately"
    assert xs.primary_site_category("Ileum") == "midgut"
    assert xs.parse_number_or_range("10 to 15") == xs.Interval(10, 15)
    assert xs.parse_number_or_range("63") == 63.0
    for bad, func in [("grade 2", xs.grade_number), ("G4", xs.grade_number),
                      ("undifferentiated", xs.differentiation_category),
                      ("caecum", xs.primary_site_category), ("about 10", xs.parse_number_or_range)]:
        with pytest.raises((KeyError, ValueError)):
            func(bad)
    with pytest.raises(ValueError):
        xs.Interval(15, 10)


def test_the_case_record_in_criteria_vocabulary(record):
    values = record.set_index("variable")["value"]
    assert values["age_years"] == 63
    assert values["grade"] == 2
    assert values["ki67_percent"] == xs.Interval(10, 15)
    assert values["differentiation"] == "well"
    assert values["primary_site"] == "midgut"
    assert values["hepatic_tumour_load_percent"] == 70  # at the IFN decision, not the 50% at diagnosis
    assert values["extrahepatic_disease"] is True and values["peritoneal_disease"] is True
    assert values["ssr_expression"] is False  # liver metastases, not the SSR-positive primary
    assert values["primary_resected_r0"] is True
    assert values["right_heart_insufficiency"] is False
    # what the case report does not state stays unknown
    for variable in ["liver_disease_resectable", "liver_dominant_disease", "extra_abdominal_metastases",
                     "portal_vein_thrombosis", "stable_disease_months", "lm_morphological_type"]:
        assert values[variable] is None, variable


def test_every_read_value_keeps_its_quote(record):
    stated = record[record["case_table"].notna()]
    assert stated["quote"].notna().all()
    assert record[record["case_table"].isna()]["quote"].isna().all()


def test_a_changed_case_value_changes_the_mapping(case_tables):
    changed = dict(case_tables)
    rec = case_tables["case_patient_record"].copy()
    rec.loc[rec["variable"] == "SSR status of liver metastases", "value"] = "positive"
    changed["case_patient_record"] = rec
    values = xs.case_criteria_record(changed).set_index("variable")["value"]
    assert values["ssr_expression"] is True


# ------------------------------------------------------------------ criteria on the case

@pytest.mark.parametrize("criterion, expected", [
    ("milan_1", NOT_MET),   # Ki-67 10 to 15 vs < 5: not met at both ends
    ("milan_3", NOT_MET),   # age 63 vs < 55
    ("milan_5", MET),       # R0 resection of the primary
    ("milan_6", NOT_MET),   # 70% vs < 50%
    ("milan_7", NOT_MET),   # peritoneal carcinomatosis is extrahepatic
    ("milan_2", UNKNOWN),   # drainage not stated
    ("prrt_1", NOT_MET),    # SSR-negative liver metastases
    ("angio_1", MET),       # G2
    ("angio_2", UNKNOWN),   # liver-dominance not stated
    ("angio_3", NOT_MET),   # 70% vs < 50%
    ("iat_3b", MET),        # functional tumour
    ("tace_contra_1", UNKNOWN),
    ("chemo_3", MET),       # highly -> well differentiated
    ("tace_pref_1", NOT_MET),  # midgut, not lung or pancreas
])
def test_case_criteria(evaluated, criterion, expected):
    assert evaluated.loc[criterion, "result"] == expected


def test_other_readings_of_load_and_ki67_change_no_result(criteria, record, evaluated, case_tables):
    """The mapping notes say so: the load at diagnosis and the peritoneal Ki-67 give the same results."""
    rec = case_tables["case_patient_record"].set_index("variable")["value"]
    ki67_peritoneal = case_tables["case_histology"].query("specimen == 'peritoneal metastases'")["value"].item()
    patient = xs.record_as_mapping(record)
    for variable, value in [("hepatic_tumour_load_percent", float(rec["hepatic tumour load at diagnosis"])),
                            ("ki67_percent", float(ki67_peritoneal))]:
        other = crit.evaluate_criteria(criteria, dict(patient, **{variable: value})).set_index("criterion_id")
        assert list(other["result"]) == list(evaluated["result"]), variable


def test_per_option_results(evaluated):
    options = xs.per_option(evaluated.reset_index()).set_index("option")
    assert options.loc["liver_transplantation", "allowed"] == NOT_MET
    assert options.loc["prrt", "allowed"] == NOT_MET
    assert options.loc["tace", "allowed"] == UNKNOWN
    assert options.loc["tae_tace", "indications"] == MET  # any-of: hormone excess suffices
    assert options.loc["angiographic_techniques", "favourable conditions"] == NOT_MET
    assert options.loc["chemotherapy", "allowed"] == MET


@pytest.mark.parametrize("value, comparison, threshold, expected", [
    (xs.Interval(10, 15), "lt", "5", NOT_MET),
    (xs.Interval(1, 4), "lt", "5", MET),
    (xs.Interval(3, 7), "lt", "5", UNKNOWN),   # straddles the threshold
    (xs.Interval(5, 5), "lt", "5", NOT_MET),   # a point on the threshold
    (xs.Interval(5, 5), "le", "5", MET),
    (xs.Interval(3, 7), "eq", "5", UNKNOWN),   # equality on a range is never decided
    (xs.Interval(50, 60), "ge", "50", MET),
    (None, "lt", "5", UNKNOWN),
    (4, "lt", "5", MET),
])
def test_compare_value_edge_cases(value, comparison, threshold, expected):
    assert crit.compare(value, comparison, threshold, "number") == expected


def test_unknown_stays_unknown_and_bad_criteria_fail():
    criteria = pd.DataFrame([
        dict(criterion_id="a", option="x", strength="required", any_of=None, variable="age_years",
             value_type="number", comparison="lt", threshold="55"),
        dict(criterion_id="b", option="x", strength="required", any_of=None, variable="grade",
             value_type="number", comparison="le", threshold="2"),
    ])
    out = crit.evaluate_criteria(criteria, {"grade": 2})
    assert list(out["result"]) == [UNKNOWN, MET]
    assert xs.per_option(out).loc[0, "allowed"] == UNKNOWN
    out = crit.evaluate_criteria(criteria, {"grade": 3, "age_years": None})
    assert xs.per_option(out).loc[0, "allowed"] == NOT_MET  # one failure decides
    with pytest.raises(ValueError):
        crit.compare(xs.Interval(1, 2), "eq", "", "number")


def test_case_options_mapping_is_complete():
    rejected = load_table("case_rejected_options")
    options = pd.DataFrame({"option": ["prrt"], "allowed": [NOT_MET]})
    side = xs.case_options_beside_review(rejected, options)
    assert set(side["case_option"]) == set(rejected["option"])
    assert side.loc[side["case_option"] == "177Lu-dotatate", "review_result"].item() == NOT_MET
    with pytest.raises(KeyError):
        xs.case_options_beside_review(
            pd.DataFrame({"option": ["cryoablation"], "decision": ["x"], "reason": ["y"]}), options)


# ------------------------------------------------------------------ references

def _ref(number, author, year, journal, doi=""):
    return Reference(number=number, number_printed=True, first_author=author,
                     surname=author.split()[0], year=year, journal=journal, raw="", source_text="", doi=doi)


@pytest.mark.parametrize("a, b, expected", [
    (_ref(1, "Faiss S", 2003, "J Clin Oncol"), _ref(64, "Faiss S", 2003, "J Clin Oncol"), "exact"),
    (_ref(1, "Bohmig M", 2003, "J Clin Oncol"), _ref(2, "Böhmig M", 2003, "J Clin Oncol"), "exact"),
    # same author, other year and journal: a different paper (Oberg 1991 vs 1992)
    (_ref(29, "Oberg K", 1991, "Acta Oncol"), _ref(62, "Oberg K", 1992, "Yale J Biol and Med"), "no match"),
    # same author and journal, year one off: for a human to check, never accepted
    (_ref(1, "Pavel M", 2012, "Neuroendocrinology"), _ref(2, "Pavel M", 2013, "Neuroendocrinology"), "near miss"),
    # same author, same journal, years far apart (ENETS 2012 vs 2016 update)
    (_ref(16, "Pavel M", 2012, "Neuroendocrinology"), _ref(21, "Pavel M", 2016, "Neuroendocrinology"), "no match"),
    # a misspelt name
    (_ref(1, "Jaecck D", 2001, "World J Surg"), _ref(2, "Jaeck D", 2001, "World J Surg"), "near miss"),
    # different authors, same year and journal
    (_ref(1, "Kulke MH", 2017, "J Clin Oncol"), _ref(2, "Yao JC", 2017, "J Clin Oncol"), "no match"),
])
def test_matcher_true_matches_and_near_misses(a, b, expected):
    assert compare_references(a, b)[0] == expected


def test_case_reference_table_is_the_parse_of_the_source():
    table = load_table("case_references")
    text = (paths.SOURCES / "004_f2b52874d3725175.txt").read_text(encoding="utf-8")
    parsed = xs.reference_table(text, "ozdirik2020")
    assert list(table["number"]) == list(range(1, 32))
    for column in ["number", "first_author", "year", "journal", "raw", "quote"]:
        assert [str(v) for v in table[column].fillna("")] == [str(v) for v in parsed[column].fillna("")], column
    assert table["number_printed"].all()


def test_shared_references_of_case_and_review():
    shared = xs.shared_references(load_table("case_references"), load_table("review_references"))
    pairs = set(zip(shared["number_a"], shared["number_b"]))
    assert pairs == {(14, 64), (16, 16), (27, 65)}
    assert set(shared["first_author"]) == {"Faiss S", "Pavel M", "Arnold R"}


def test_references_from_table_round_trip():
    table = load_table("case_references")
    refs = xs.references_from_table(table)
    direct = parse_reference_list((paths.SOURCES / "004_f2b52874d3725175.txt").read_text(encoding="utf-8"))
    assert [(r.number, r.surname, r.year, r.journal) for r in refs] == \
        [(r.number, r.surname, r.year, r.journal) for r in direct]


def test_citing_sentences():
    text = ("Intro sentence.^[1] As Smith et al. showed, it works,^[2,5] and more.^[3-4] "
            "Nothing here. Another e.g. case.^[4]\n\nHeading\n\nLast one.^[5]\n\nReferences\n- [1] A. X.")
    assert xs.citing_sentences(text, 4, stop_at="References") == [
        "As Smith et al. showed, it works,^[2,5] and more.^[3-4]", "Another e.g. case.^[4]"]
    assert xs.citing_sentences(text, 5) == ["As Smith et al. showed, it works,^[2,5] and more.^[3-4]",
                                            "Last one.^[5]"]
    assert xs.citing_sentences(text, 9) == []


def test_citing_sentences_are_verbatim_in_the_sources():
    from netbook.provenance import normalise_whitespace
    for file, numbers, stop in [("004_f2b52874d3725175.txt", (14, 16, 27), "References"),
                                ("003_01dc37210d749153.txt", (16, 64, 65), "REFERENCES")]:
        text = (paths.SOURCES / file).read_text(encoding="utf-8")
        flat = normalise_whitespace(text)
        for number in numbers:
            found = xs.citing_sentences(text, number, stop_at=stop)
            assert found, (file, number)
            for sentence in found:
                assert sentence in flat


# ------------------------------------------------------------------ interferon table

@pytest.fixture(scope="module")
def ifn():
    return load_table("interferon_statements")


def test_counts_are_the_readings_of_the_printed_counts(ifn):
    assert xs.count_readings_agree(ifn) == []
    broken = ifn.copy()
    broken.loc[broken["statement_id"] == "zi04", "n"] = 18
    assert xs.count_readings_agree(broken) == ["zi04"]


def test_salvage_counts_agree_with_the_salvage_table(ifn):
    outcomes = load_table("salvage_outcomes").set_index(["arm", "outcome"])["count"]
    rows = ifn.set_index("statement_id")
    assert (rows.loc["zi05", "k"], rows.loc["zi05", "n"]) == (outcomes[("MIBG", "stable disease")],
                                                              outcomes[("MIBG", "treated")])
    assert (rows.loc["zi07", "k"], rows.loc["zi07", "n"]) == (outcomes[("chemotherapy", "partial response")],
                                                              outcomes[("chemotherapy", "treated")])
    cohort = load_table("salvage_cohort").set_index("kind")["count"]
    assert rows.loc["zi04", "n"] == cohort["total"]


def test_review_values_agree_with_trial_outcomes(ifn):
    trial = load_table("trial_outcomes").set_index("result_id")["value"]
    rows = ifn.set_index("statement_id")["value"]
    for statement, result in [("ls01", "ifn01-review-orr"), ("ls04", "ifn02-5fu-orr"),
                              ("ls08", "tt17-bev-pr"), ("ls09", "tt18-bev-pfs18w-bev"),
                              ("ls10", "tt19-bev-pfs18w-ifn")]:
        assert rows[statement] == trial[result], statement


def test_intervals_only_where_k_and_n_are_printed(ifn):
    rated = xs.with_count_ci(ifn).set_index("statement_id")
    have = rated[rated["rate"].notna()].index.tolist()
    assert have == ["oz12", "zi05", "zi06", "zi07", "zi08"]
    assert rated.loc["zi05", "rate"] == pytest.approx(2 / 3)
    low, high = rated.loc["zi07", ["ci_low", "ci_high"]]
    assert 0 < low < 1 / 14 < high < 0.5
    assert rated.loc["zi08", "ci_low"] == 0  # 0 of 14: the exact interval starts at 0
    assert pd.isna(rated.loc["ls10", "rate"])  # 67% printed without a per-arm denominator


def test_single_case_rows_carry_no_count(ifn):
    case = ifn[ifn["context"] == "single case"]
    assert len(case) > 0
    assert case["n"].isna().all() and case["k"].isna().all()
