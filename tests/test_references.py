"""Reference-list parsing and matching, on made-up lists and on the real lists of the
review (La Salvia 2016) and the case report (Özdirik 2020); the reference tables
compared (shared references, same author but another paper)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from netbook import load_table, paths
from netbook.references import (
    EXACT,
    NEAR,
    NONE,
    Reference,
    compare_references,
    expand_citations,
    first_author,
    match_references,
    name_key,
    parse_reference_list,
    reference_table,
    references_from_table,
    same_author_other_paper,
    shared_references,
    surname,
    year_of,
)
from netbook.tables import resources


@pytest.fixture(scope="module")
def review(text_of):
    return {r.number: r for r in parse_reference_list(text_of("lasalvia2016"))}


@pytest.fixture(scope="module")
def case_references():
    return load_table("case_references")


@pytest.fixture(scope="module")
def review_references():
    return load_table("review_references")


def test_expand_citations():
    assert expand_citations("6,12,13") == [6, 12, 13]
    assert expand_citations("34-36") == [34, 35, 36]
    assert expand_citations(["62", "63-65", "66"]) == [62, 63, 64, 65, 66]
    assert expand_citations("[3-5]") == [3, 4, 5]
    assert expand_citations([]) == []
    with pytest.raises(ValueError):
        expand_citations("36-34")


def test_the_real_list_has_92_entries_numbered_1_to_92(review):
    assert sorted(review) == list(range(1, 93))


def test_unnumbered_bullets_are_counted_and_flagged(review):
    # entries 1-21 are bullets with no number; 22 onwards print their number
    assert not review[1].number_printed and review[1].surname == "Mayo"
    assert not review[21].number_printed and review[21].surname == "Kianmanesh"
    assert review[22].number_printed and review[22].surname == "Schnitzbauer"
    assert review[23].number_printed  # printed as " 23." with a leading space


@pytest.mark.parametrize(
    "number, tail, author, year, journal",
    [
        # "Two-step surgery for synchronous" / "- bilobar liver metastases ..." on the next line
        (21, "bilobar liver metastases from digestive endocrine tumors", "Kianmanesh R", 2008, "Ann Surg"),
        # "... extrahepatic" / "- injury: an emerging cause ..."
        (52, "injury: an emerging cause of iatrogenic organ damage", "Crowder CD", 2009, "Am J Surg Pathol"),
        # "... Winkler" / "- RE, Klimovsky J ..." (the wrapped part starts with a capital)
        (80, "Winkler RE, Klimovsky J", "Pavel ME", 2011, "Lancet"),
    ],
)
def test_wrapped_entries_are_joined(review, number, tail, author, year, journal):
    ref = review[number]
    assert tail in ref.raw
    assert "- " + tail.split()[0] not in ref.raw  # the wrapped line's bullet is gone
    assert (ref.first_author, ref.year, ref.journal) == (author, year, journal)
    assert ref.number + 1 in review and review[number + 1].number_printed


def test_tricky_entries(review):
    assert (review[2].surname, review[2].year, review[2].journal) == ("Bosman", 2010, "")  # a book
    assert (review[59].surname, review[59].year, review[59].journal) == ("Strosberg", 2015, "")  # congress
    assert review[33].year == 2013  # "2013; 100:1505-14", a space after the semicolon
    assert review[19].year == 2009 and review[19].doi == "10.1002/14651858.CD007060.pub2"
    assert review[54].surname == "Van der Zwan"
    assert review[24].surname == "Le Treut"
    assert review[58].year == 2008  # "[177 Lu-DOTA 0,Tyr3]" in the title holds no year
    assert review[69].year == 2009  # "FNCLCC-FFCD 9710" in the title is not a year
    assert review[62].journal == "Yale J Biol and Med"
    assert review[86].journal == "J Clin Oncol" and review[86].year == 2015


def test_helpers():
    assert first_author("Oberg K. Interferons in the management.") == "Oberg K"
    assert surname("Rubin de Celis Ferrari AC") == "Rubin de Celis Ferrari"
    assert surname("Pitt SC") == "Pitt"
    assert year_of("WHO Press; 2010.") == 2010
    assert name_key("Böhmig") == name_key("Bohmig") == "bohmig"
    assert name_key("Norlén") == "norlen"


def test_bracketed_numbering_and_plain_wraps():
    text = (
        "Intro\nReferences\n"
        "- [1] Faiss S, Pape UF, Bohmig M, et al. Prospective trial. *J Clin Oncol* 2003;21:2689–96.\n"
        "- [2] Pavel M, O'Toole D. ENETS consensus guidelines update for the\n"
        "management of distant metastatic disease. *Neuroendocrinology* 2016;103:172–85.\n"
        "- [4] Jaeck D, Oussoultzoglou E. Hepatic metastases. *World J Surg* 2001;25:689-92.\n"
    )
    refs = parse_reference_list(text)
    assert [r.number for r in refs] == [1, 2, 4]
    assert refs[1].journal == "Neuroendocrinology" and "distant metastatic" in refs[1].raw
    assert refs[2].notes == ["printed number 4 where 3 was expected"]


def _ref(author, year, journal, number=1, doi=""):
    return Reference(
        number=number,
        number_printed=True,
        first_author=author,
        surname=surname(author),
        year=year,
        journal=journal,
        raw="",
        source_text="",
        doi=doi,
    )


def test_compare_exact_near_and_none():
    a = _ref("Faiss S", 2003, "J Clin Oncol")
    assert compare_references(a, _ref("Faiss S", 2003, "J. Clin. Oncol."))[0] == EXACT
    assert compare_references(_ref("Böhmig M", 2003, "X"), _ref("Bohmig M", 2003, "X"))[0] == EXACT
    # a misspelt first author (the review prints "Jaecck D" for Jaeck D)
    status, diffs = compare_references(
        _ref("Jaecck D", 2001, "World J Surg"), _ref("Jaeck D", 2001, "World J Surg")
    )
    assert status == NEAR and diffs == ["first author 'Jaecck' vs 'Jaeck'"]
    # a year one off
    assert compare_references(a, _ref("Faiss S", 2004, "J Clin Oncol"))[0] == NEAR
    # a year one off and another journal: a different paper
    assert compare_references(a, _ref("Faiss S", 2004, "Ann Oncol"))[0] == NONE
    # same author and journal, four years apart: a different paper
    assert (
        compare_references(
            _ref("Pavel M", 2012, "Neuroendocrinology"), _ref("Pavel M", 2016, "Neuroendocrinology")
        )[0]
        == NONE
    )
    assert compare_references(a, _ref("Raymond E", 2003, "J Clin Oncol"))[0] == NONE


def _cited_twice(refs: list[Reference]) -> set[tuple[int, int]]:
    """Pairs of entries of one list that match exactly (the same paper cited twice)."""
    matched = match_references(refs, refs)
    return {(a, b) for a, numbers in zip(matched["number_a"], matched["numbers_b"]) for b in numbers if b > a}


def test_real_list_duplicates_and_doi_tie_break(review):
    refs = list(review.values())
    # ref 5 and ref 44 are the same guideline (Kennedy A, HPB (Oxford) 2015), cited twice
    assert (5, 44) in _cited_twice(refs)
    # refs 19 and 20: two Cochrane reviews by Gurusamy KS in 2009, told apart by DOI only
    assert (19, 20) not in _cited_twice(refs)
    assert compare_references(review[19], review[20])[0] == NONE
    # refs 10 and 88: Ekeblad S, Clin Cancer Res, 2008 and 2007 -> flagged, not matched
    assert compare_references(review[10], review[88])[0] == NEAR


def test_match_references_reports_all_candidates(review):
    case = parse_reference_list(
        "References\n"
        "- [1] Kennedy A, Bester L, et al. Role of hepatic intra-arterial therapies. "
        "*HPB (Oxford)* 2015;17:29-37.\n"
        "- [2] Ekeblad S, Sundin A, et al. Temozolomide as monotherapy. *Clin Cancer Res* 2007;13:2986-91.\n"
        "- [3] Zhu S, Cao L. Inhibiting autophagy. *Autophagy* 2013;9:317–27.\n"
    )
    table = match_references(case, list(review.values())).set_index("number_a")
    assert table.loc[1, "status"] == EXACT and table.loc[1, "numbers_b"] == [5, 44]
    assert table.loc[2, "status"] == EXACT and table.loc[2, "numbers_b"] == [88]
    assert table.loc[3, "status"] == NONE and table.loc[3, "numbers_b"] == []


def test_stored_table_is_what_the_parser_gives(review):
    """review_references.csv is derived (data/derived/); it must not drift from the parser."""
    resource = next(r for r in resources() if r["name"] == "review_references")
    assert resource["netbook:kind"] == "derived"
    with (paths.DATA / resource["path"]).open(newline="", encoding="utf-8") as f:
        stored = {int(row["number"]): row for row in csv.DictReader(f)}
    assert sorted(stored) == sorted(review)
    for number, ref in review.items():
        row = stored[number]
        assert row["first_author"] == ref.first_author
        assert row["year"] == ("" if ref.year is None else str(ref.year))
        assert row["journal"] == ref.journal
        assert row["doi"] == ref.doi
        assert row["raw"] == ref.raw
        assert row["quote"] == ref.source_text
        assert row["number_printed"] == ("true" if ref.number_printed else "false")
        if ref.number_printed:
            assert row["quote"].startswith(f"{number}.")


def _ref_n(number, author, year, journal, doi=""):
    return Reference(
        number=number,
        number_printed=True,
        first_author=author,
        surname=author.split()[0],
        year=year,
        journal=journal,
        raw="",
        source_text="",
        doi=doi,
    )


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (_ref_n(1, "Faiss S", 2003, "J Clin Oncol"), _ref_n(64, "Faiss S", 2003, "J Clin Oncol"), "exact"),
        (_ref_n(1, "Bohmig M", 2003, "J Clin Oncol"), _ref_n(2, "Böhmig M", 2003, "J Clin Oncol"), "exact"),
        # same author, other year and journal: a different paper (Oberg 1991 vs 1992)
        (
            _ref_n(29, "Oberg K", 1991, "Acta Oncol"),
            _ref_n(62, "Oberg K", 1992, "Yale J Biol and Med"),
            "no match",
        ),
        # same author and journal, year one off: for a human to check, never accepted
        (
            _ref_n(1, "Pavel M", 2012, "Neuroendocrinology"),
            _ref_n(2, "Pavel M", 2013, "Neuroendocrinology"),
            "near miss",
        ),
        # same author, same journal, years far apart (ENETS 2012 vs 2016 update)
        (
            _ref_n(16, "Pavel M", 2012, "Neuroendocrinology"),
            _ref_n(21, "Pavel M", 2016, "Neuroendocrinology"),
            "no match",
        ),
        # a misspelt name
        (
            _ref_n(1, "Jaecck D", 2001, "World J Surg"),
            _ref_n(2, "Jaeck D", 2001, "World J Surg"),
            "near miss",
        ),
        # different authors, same year and journal
        (_ref_n(1, "Kulke MH", 2017, "J Clin Oncol"), _ref_n(2, "Yao JC", 2017, "J Clin Oncol"), "no match"),
    ],
)
def test_matcher_true_matches_and_near_misses(a, b, expected):
    assert compare_references(a, b)[0] == expected


# ------------------------------------------------- reference-list tables


def test_case_reference_table_is_the_parse_of_the_source(case_references, text_of):
    parsed = reference_table(text_of("ozdirik2020"), "ozdirik2020")
    assert list(case_references["number"]) == list(range(1, 32))
    for column in ["number", "first_author", "year", "journal", "raw", "quote"]:
        assert [str(v) for v in case_references[column].fillna("")] == [
            str(v) for v in parsed[column].fillna("")
        ], column
    assert case_references["number_printed"].all()
    assert set(parsed["source_id"]) == {"ozdirik2020"} and set(parsed["locator"]) == {"Reference list"}


def test_reference_table_has_the_shape_of_the_reference_tables(review_references, text_of):
    parsed = reference_table(text_of("lasalvia2016"), "lasalvia2016")
    assert list(parsed.columns) == list(review_references.columns)
    assert parsed["number"].is_monotonic_increasing


def test_shared_references_of_case_and_review(case_references, review_references):
    shared = shared_references(case_references, review_references)
    pairs = set(zip(shared["number_a"], shared["number_b"]))
    assert pairs == {(14, 64), (16, 16), (27, 65)}
    assert set(shared["first_author"]) == {"Faiss S", "Pavel M", "Arnold R"}


def test_references_from_table_round_trip(case_references, text_of):
    refs = references_from_table(case_references)
    direct = parse_reference_list(text_of("ozdirik2020"))
    assert [(r.number, r.surname, r.year, r.journal) for r in refs] == [
        (r.number, r.surname, r.year, r.journal) for r in direct
    ]


def test_references_from_table_fills_what_a_row_leaves_empty():
    row = dict(
        number=3,
        number_printed=False,
        first_author=None,
        year=pd.NA,
        journal=None,
        doi=None,
        raw="Bosman FT. WHO classification of tumours. WHO Press.",
        quote="- Bosman FT ...",
    )
    (ref,) = references_from_table(pd.DataFrame([row]))
    assert (ref.first_author, ref.surname, ref.year, ref.journal, ref.doi) == (
        "Bosman FT",
        "Bosman",
        None,
        "",
        "",
    )


def test_same_author_other_paper_lists_only_non_exact_pairs():
    a = pd.DataFrame(
        [
            dict(
                number=1,
                number_printed=True,
                first_author="Pavel M",
                year=2012,
                journal="Neuroendocrinology",
                doi="",
                raw="r",
                quote="q",
            ),
            dict(
                number=2,
                number_printed=True,
                first_author="Faiss S",
                year=2003,
                journal="J Clin Oncol",
                doi="",
                raw="r",
                quote="q",
            ),
        ]
    )
    b = pd.DataFrame(
        [
            dict(
                number=7,
                number_printed=True,
                first_author="Pavel M",
                year=2016,
                journal="Neuroendocrinology",
                doi="",
                raw="r",
                quote="q",
            ),
            dict(
                number=8,
                number_printed=True,
                first_author="Faiss S",
                year=2003,
                journal="J Clin Oncol",
                doi="",
                raw="r",
                quote="q",
            ),
        ]
    )
    out = same_author_other_paper(a, b)
    assert list(zip(out["surname"], out["number_a"], out["number_b"], out["status"])) == [
        ("Pavel", 1, 7, NONE)
    ]  # Faiss 2003 is the same paper: not listed
