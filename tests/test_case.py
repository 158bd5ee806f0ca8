"""netbook.case: month arithmetic, the two extractions of Özdirik 2020, Table 1."""
from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest

from netbook import TableError, case, load_sources, load_table, paths


@pytest.fixture(scope="module")
def texts() -> tuple[str, str]:
    sources = load_sources()
    return case.source_text(sources, "ozdirik2020"), case.source_text(sources, "ozdirik2020_pdf")


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load_table("course_of_disease")


# ------------------------------------------------------------------------ months

@pytest.mark.parametrize("start, end, months", [
    ("2016-08", "2016-12", 4),
    ("07/2016", "05/2017", 10),       # across a year end, printed form
    ("2017-05", "2019-12", 31),
    ("2017-05", "2017-05", 0),
    ("2019-03", "2017-05", -22),      # end before start
    (pd.Period("2016-12", freq="M"), "01/2017", 1),
])
def test_months_between(start, end, months):
    assert case.months_between(start, end) == months


def test_add_months_crosses_the_year():
    assert case.add_months("2016-12", 4) == pd.Period("2017-04", freq="M")
    assert case.add_months("05/2017", 30) == pd.Period("2019-11", freq="M")


@pytest.mark.parametrize("bad", ["13/2016", "2016/08", "Aug 2016", "8-2016", ""])
def test_to_period_rejects_what_it_cannot_read(bad):
    with pytest.raises(ValueError):
        case.to_period(bad)


# --------------------------------------------------------------- two extractions

@pytest.mark.parametrize("raw, expected", [
    ("pegylated IFNa2a (135mg/wk)", "pegylated IFNα2a (135mg/wk)"),
    ("SSA+ IFN-a, no benefit", "SSA+ IFN-α, no benefit"),
    ("interferon- a in a patient", "interferon- α in a patient"),
    ("(IFNa) has been used", "(IFNα) has been used"),
    ("IFNa-treatment", "IFNα-treatment"),
    ("IFN and SSA", "IFN and SSA"),                  # a real word after IFN
    ("interferon alpha (IFN-alfa)", "interferon alpha (IFN-alfa)"),
    ("a patient", "a patient"),                      # an ordinary 'a'
])
def test_normalise_raw_pdf_restores_alpha_only_where_it_was_alpha(raw, expected):
    assert case.normalise_raw_pdf(raw) == expected


def test_normalise_raw_pdf_leaves_m_alone():
    # 'm' may be a real milli: only the clean text can tell, so nothing is guessed here.
    assert case.normalise_raw_pdf("30mg LAR; 135mg/wk") == "30mg LAR; 135mg/wk"


@pytest.mark.parametrize("text, number, unit_key", [
    ("(135 μ g/wk)", "135", "μg/wk"),            # clean: spaces around the Greek mu
    ("(135mg/wk)", "135", "mg/wk"),               # raw: mu rendered as m
    ("(29,924mg/L)", "29,924", "mg/L"),           # thousands comma kept as printed
    ("(29,924 \u00b5g/L)", "29,924", "μg/L"),     # micro sign folded into Greek mu
    ("increased to 10,915 mg/24 h (Fig. 2)", "10,915", "mg/24h"),
    ("increased to 10,915mg/24h (Fig. 2)", "10,915", "mg/24h"),
    ("weight loss (-3kg body weight", "-3", "kg"),
    ("diarrhea (up to 10x/day) since", "10", "x/day"),
    ("every 28 d |", "28", "d"),
    ("a 63-year-old male", "63", "-year-old"),
])
def test_quantities_reads_number_and_unit(text, number, unit_key):
    found = case.quantities(text)
    assert [(q.number, q.unit_key) for q in found] == [(number, unit_key)]


@pytest.mark.parametrize("text", ["pT4 pN1(1/12) G2 R0", "IFN1 signaling", "IFNa2a", "Ki 67 up to",
                                  "Medicine 2020;99:25(e20820)", "07/2016"])
def test_quantities_ignores_codes_and_dates(text):
    assert case.quantities(text) == []


def test_compare_quantities_on_tricky_inputs():
    clean = "peg- IFN α 2a (135 μ g/wk) and octreotide 30 mg; CgA 29,924 μ g/L; load 50%."
    raw = "peg- IFNa 2a (135mg/wk) and octreotide 30mg; CgA 29,924mg/L; load 60%."
    df = case.compare_quantities(clean, raw).set_index("number")
    assert df.loc["135", "finding"] == "µ rendered as m"
    assert (df.loc["135", "clean"], df.loc["135", "raw"]) == ("135 μg/wk", "135 mg/wk")
    assert df.loc["135", "book_reading"] == "135 μg/wk"
    assert df.loc["29,924", "finding"] == "µ rendered as m"
    assert df.loc["30", "finding"] == "mg in both; raw cannot tell mg from µg"
    assert df.loc["50", "finding"] == "only in clean"
    assert df.loc["60", "finding"] == "only in raw"
    assert len(df) == 5


def test_compare_quantities_does_not_pair_different_numbers():
    df = case.compare_quantities("dose 135 μ g/wk", "dose 136mg/wk")
    assert sorted(df["finding"]) == ["only in clean", "only in raw"]


def test_the_two_extractions_disagree_only_on_micro(texts):
    df = case.compare_quantities(*texts)
    found = dict(zip(df["clean"], df["finding"]))
    assert found == {
        "135 μg/wk": "µ rendered as m",
        "29,924 μg/L": "µ rendered as m",
        "30 mg": "mg in both; raw cannot tell mg from µg",
        "10,915 mg/24 h": "mg in both; raw cannot tell mg from µg",
    }
    # every other number with a unit is printed equally often in both texts
    assert len(case.quantities(texts[0])) == len(case.quantities(texts[1]))


def test_alpha_forms_match_after_normalisation(texts):
    df = case.compare_alpha(*texts).set_index("raw_form")
    assert df.loc["IFNa", "n_raw"] == df.loc["IFNa", "n_clean"] > 20
    assert df.loc["IFN-a", "n_raw"] == df.loc["IFN-a", "n_clean"] == 1
    # the title is printed twice in the clean text (also in "How to cite"), once in the raw
    assert (df.loc["interferon- a", "n_raw"], df.loc["interferon- a", "n_clean"]) == (1, 2)


def test_letter_o_for_digit_zero_in_the_resection_status(texts):
    df = case.lookalike_tokens(*texts)
    assert list(zip(df["clean"], df["raw"])) == [("LO", "L0"), ("RO", "R0"), ("VO", "V0")]
    assert case.lookalike_tokens("G2 R0 L0", "G2 R0 L0").empty


def test_word_differences_find_the_three_spellings(texts):
    df = case.word_differences(*texts, start="1. Introduction", end="In summary")
    assert list(zip(df["clean"], df["raw"])) == [
        ("immunohistochemical", "immunochemical"),
        ("laparoscopic", "laparascopic"),
        ("telotristatiprat", "telotristatetiprat"),
    ]


def test_dehyphenation_keeps_real_hyphens():
    clean = "a non-functional disease of the neuroendocrine system"
    raw = "a non-\nfunctional disease of the neuroen-\ndocrine system"
    assert list(case.word_differences(clean, raw, "a ", "system").itertuples(index=False)) == []


def test_figure_legend_and_its_months(texts):
    legend = case.figure_legend(texts[0], 3)
    assert legend.startswith("Figure 3. Hepatic metastases") and legend.endswith("CT = computed tomography.")
    assert [str(p) for p in case.printed_months(legend)] == ["2017-05", "2018-09", "2019-03"]
    # the raw extraction wraps the same legend over lines: same months
    assert case.printed_months(case.figure_legend(texts[1], 3)) == case.printed_months(legend)
    with pytest.raises(KeyError):
        case.figure_legend(texts[0], 9)


# ---------------------------------------------------------------------- Table 1

def test_clean_table1_has_two_merged_rows(texts):
    t1 = case.parse_markdown_table1(texts[0])
    assert len(t1) == 11
    merged = t1[t1["dates"].map(len) > 1]
    assert list(merged["date_cell"]) == ["08/2016 11/2016", "05/2017 11/2017"]


def test_raw_table1_has_one_line_per_row(texts):
    raw = case.parse_raw_table1(texts[1])
    assert len(raw) == 13
    assert raw.loc[raw["date"] == "08/2016", "text"].item().startswith("Somatostatin analog")
    # the continuation line 'pT4 pN1(1/12) G2 R0 L0 V0' joins the surgery row
    assert raw.loc[3, "text"].endswith("pT4 pN1(1/12) G2 R0 L0 V0")


def test_align_table1_pairs_every_date(texts):
    aligned = case.align_table1(case.parse_markdown_table1(texts[0]), case.parse_raw_table1(texts[1]))
    assert len(aligned) == 13 and aligned["merged"].sum() == 4
    split = aligned[aligned["merged"]]
    assert split["raw_text"].iloc[1].startswith("Hepatic progressive disease")
    assert split["raw_text"].iloc[2].startswith("Add-on therapy")


def test_align_table1_refuses_a_mismatch(texts):
    tampered = texts[1].replace("12/2016 SSA in a shortened", "01/2017 SSA in a shortened")
    with pytest.raises(ValueError, match="12/2016"):
        case.align_table1(case.parse_markdown_table1(texts[0]), case.parse_raw_table1(tampered))


def test_rederived_table1_matches_the_raw_pdf_rows(texts, events):
    derived = case.rederive_table1(events)
    raw = case.parse_raw_table1(texts[1])
    assert list(derived["Date"]) == list(raw["date"])
    # every tumour load and Ki-67 the events hold is printed on the same raw line
    for d, r in zip(derived.itertuples(), raw.itertuples()):
        for number in case.quantities(d.Staging):
            assert f"{number.number}%" in r.text.replace(" ", ""), (d.Date, number)


def test_rederived_year_labels_follow_the_raw_pdf_not_the_clean_table(texts, events):
    derived = case.rederive_table1(events)
    raw = case.parse_raw_table1(texts[1])
    clean = case.parse_markdown_table1(texts[0])
    assert list(derived["Year"]) == list(raw["year"])
    labelled_clean = list(clean.loc[clean["year"] != "", "date_cell"])
    assert labelled_clean == ["07/2016", "02/2017", "04/2018", "09/2019"]  # off by rows


def test_staging_cell_uses_only_typed_fields():
    event = pd.Series({"hepatic_response": "partial remission", "hepatic_tumour_load_pct": 40.0,
                       "tumour_load_qualifier": pd.NA, "peritoneal_finding": "peritoneal carcinomatosis stable"})
    assert case.staging_cell(event) == ("Hepatic partial remission. Hepatic tumour load 40%. "
                                        "Peritoneal carcinomatosis stable.")
    assert case.staging_cell(pd.Series({"hepatic_response": pd.NA})) == ""


def test_therapy_lanes(events):
    lanes = case.therapy_lanes(events, "2019-12")
    assert list(lanes["lane"]) == ["octreotide LAR 30 mg every 28 d", "octreotide LAR 30 mg every 21 d",
                                   "peg-IFN-α2a 135 μg/wk"]
    first = lanes.iloc[0]
    assert case.months_between(first["start"], first["end"]) == 4 and not first["open_end"]
    assert lanes["open_end"].tolist() == [False, True, True]
    assert str(lanes.iloc[2]["end"]) == "2019-12"


def test_percent_change():
    points, relative = case.percent_change(70, 30)
    assert points == -40 and relative == pytest.approx(-57.142857, rel=1e-6)
    with pytest.raises(ZeroDivisionError):
        case.percent_change(0, 30)


# ------------------------------------------------------------------ the tables

def test_events_are_numbered_in_time_order(events):
    assert events["event_id"].is_monotonic_increasing
    assert events["date"].is_monotonic_increasing


def test_each_split_event_belongs_to_its_merged_row(events):
    split = events[events["table1_row"].fillna("").str.contains(" ")]
    assert list(split["event_id"]) == ["E02", "E03", "E08", "E09", "E10"]
    for e in split.itertuples():
        assert e.date.strftime("%m/%Y") in e.table1_row.split()
        assert "Split from the merged row" in e.note


def test_unit_check_bites_in_an_all_string_table(tmp_path):
    """Regression: a string value with an empty unit crashed the loader; a wrong unit must fail."""
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    path = copy / "tables" / "case_histology.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert any(r["unit"] == "" for r in rows)  # the empty units must load (checked above)
    target = next(i for i, r in enumerate(rows) if r["unit"] == "%")
    rows[target]["unit"] = "mg"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(TableError) as excinfo:
        load_table("case_histology", copy / "datapackage.json")
    assert [(p.rule, p.row) for p in excinfo.value.problems] == [("unit-in-quote", target + 2)]
