"""netbook.extractions: two extractions of one text compared (α, µ, numbers, spelling).

Synthetic inputs pin each rule; the case report's two extractions (clean and raw PDF,
fixture ``texts``, by source_id) show what the rules find in a real pair.
"""

from __future__ import annotations

import re

import pytest

from netbook.extractions import (
    compare_alpha,
    compare_quantities,
    lookalike_tokens,
    normalise_raw_pdf,
    quantities,
    word_differences,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("pegylated IFNa2a (135mg/wk)", "pegylated IFNα2a (135mg/wk)"),
        ("SSA+ IFN-a, no benefit", "SSA+ IFN-α, no benefit"),
        ("interferon- a in a patient", "interferon- α in a patient"),
        ("(IFNa) has been used", "(IFNα) has been used"),
        ("IFNa-treatment", "IFNα-treatment"),
        ("IFN and SSA", "IFN and SSA"),  # a real word after IFN
        ("interferon alpha (IFN-alfa)", "interferon alpha (IFN-alfa)"),
        ("a patient", "a patient"),  # an ordinary 'a'
    ],
)
def test_normalise_raw_pdf_restores_alpha_only_where_it_was_alpha(raw, expected):
    assert normalise_raw_pdf(raw) == expected


def test_normalise_raw_pdf_leaves_m_alone():
    # 'm' may be a real milli: only the clean text can tell, so nothing is guessed here.
    assert normalise_raw_pdf("30mg LAR; 135mg/wk") == "30mg LAR; 135mg/wk"


@pytest.mark.parametrize(
    "text, number, unit_key",
    [
        ("(135 μ g/wk)", "135", "μg/wk"),  # clean: spaces around the Greek mu
        ("(135mg/wk)", "135", "mg/wk"),  # raw: mu rendered as m
        ("(29,924mg/L)", "29,924", "mg/L"),  # thousands comma kept as printed
        ("(29,924 \u00b5g/L)", "29,924", "μg/L"),  # micro sign folded into Greek mu
        ("increased to 10,915 mg/24 h (Fig. 2)", "10,915", "mg/24h"),
        ("increased to 10,915mg/24h (Fig. 2)", "10,915", "mg/24h"),
        ("weight loss (-3kg body weight", "-3", "kg"),
        ("diarrhea (up to 10x/day) since", "10", "x/day"),
        ("every 28 d |", "28", "d"),
        ("a 63-year-old male", "63", "-year-old"),
    ],
)
def test_quantities_reads_number_and_unit(text, number, unit_key):
    found = quantities(text)
    assert [(q.number, q.unit_key) for q in found] == [(number, unit_key)]


@pytest.mark.parametrize(
    "text",
    [
        "pT4 pN1(1/12) G2 R0",
        "IFN1 signaling",
        "IFNa2a",
        "Ki 67 up to",
        "Medicine 2020;99:25(e20820)",
        "07/2016",
    ],
)
def test_quantities_ignores_codes_and_dates(text):
    assert quantities(text) == []


def test_compare_quantities_on_tricky_inputs():
    clean = "peg- IFN α 2a (135 μ g/wk) and octreotide 30 mg; CgA 29,924 μ g/L; load 50%."
    raw = "peg- IFNa 2a (135mg/wk) and octreotide 30mg; CgA 29,924mg/L; load 60%."
    df = compare_quantities(clean, raw).set_index("number")
    assert df.loc["135", "finding"] == "µ rendered as m"
    assert (df.loc["135", "clean"], df.loc["135", "raw"]) == ("135 μg/wk", "135 mg/wk")
    assert df.loc["135", "book_reading"] == "135 μg/wk"
    assert df.loc["29,924", "finding"] == "µ rendered as m"
    assert df.loc["30", "finding"] == "mg in both; raw cannot tell mg from µg"
    assert df.loc["50", "finding"] == "only in clean"
    assert df.loc["60", "finding"] == "only in raw"
    assert len(df) == 5


def test_compare_quantities_does_not_pair_different_numbers():
    df = compare_quantities("dose 135 μ g/wk", "dose 136mg/wk")
    assert sorted(df["finding"]) == ["only in clean", "only in raw"]


def test_the_two_extractions_disagree_only_on_micro(texts):
    df = compare_quantities(*texts)
    found = dict(zip(df["clean"], df["finding"]))
    assert found == {
        "135 μg/wk": "µ rendered as m",
        "29,924 μg/L": "µ rendered as m",
        "30 mg": "mg in both; raw cannot tell mg from µg",
        "10,915 mg/24 h": "mg in both; raw cannot tell mg from µg",
    }
    # every other number with a unit is printed equally often in both texts
    assert len(quantities(texts[0])) == len(quantities(texts[1]))


def test_alpha_forms_match_after_normalisation(texts):
    df = compare_alpha(*texts).set_index("raw_form")
    assert df.loc["IFNa", "n_raw"] == df.loc["IFNa", "n_clean"] > 20
    assert df.loc["IFN-a", "n_raw"] == df.loc["IFN-a", "n_clean"] == 1
    # the title is printed twice in the clean text (also in "How to cite"), once in the raw
    assert (df.loc["interferon- a", "n_raw"], df.loc["interferon- a", "n_clean"]) == (1, 2)


def test_compare_alpha_on_a_made_up_pair():
    df = compare_alpha("IFN α 2a and IFN-α; IFN and", "IFNa2a and IFN-a; IFN and")
    assert list(zip(df["raw_form"], df["n_raw"], df["normalised"], df["n_clean"])) == [
        ("IFN-a", 1, "IFN-α", 1),
        ("IFNa", 1, "IFNα", 1),
    ]


def test_letter_o_for_digit_zero_in_the_resection_status(texts):
    df = lookalike_tokens(*texts)
    assert list(zip(df["clean"], df["raw"])) == [("LO", "L0"), ("RO", "R0"), ("VO", "V0")]
    assert lookalike_tokens("G2 R0 L0", "G2 R0 L0").empty


def test_dehyphenation_keeps_real_hyphens():
    clean = "a non-functional disease of the neuroendocrine system"
    raw = "a non-\nfunctional disease of the neuroen-\ndocrine system"
    assert list(word_differences(clean, raw, "a ", "system").itertuples(index=False)) == []


def test_word_differences_pairs_close_spellings_and_keeps_the_rest():
    clean = "Start: a laparoscopic resection, then octreotide. End"
    raw = "Start: a laparascopic resection, then lanreotide tablets. End"
    df = word_differences(clean, raw, "Start", "End")
    assert list(df.itertuples(index=False, name=None)) == [
        ("laparoscopic", "laparascopic", 1, 1),
        ("octreotide", "", 1, 0),  # too unlike lanreotide to be a misspelling
        ("", "lanreotide", 0, 1),
        ("", "tablets", 0, 1),
    ]


def test_word_differences_drops_footer_lines_of_the_raw_text():
    clean = "Start of the introduction\nwith metastases\nEnd"
    raw = "Start of the introduction\nJournal Medicine 2020 footer\nwith metastases\nEnd"
    footer = re.compile(r"^Journal Medicine.*$", re.M)
    assert set(word_differences(clean, raw, "Start", "End")["raw"]) == {"journal", "medicine", "footer"}
    assert word_differences(clean, raw, "Start", "End", footer=footer).empty
