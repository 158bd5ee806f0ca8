"""netbook.evidence: the evidence level of a result, from the sources table and the
review's study characteristics."""

from __future__ import annotations

import pytest

from netbook import load_table
from netbook.evidence import design_as_reported, publication_design, study_design


def test_publication_design_reads_the_study_designs_table():
    designs = load_table("study_designs")
    assert publication_design(designs, "ozdirik2020") == "case report (one patient)"
    assert publication_design(designs, "markey_ici_abstract") == "retrospective case series"
    with pytest.raises(KeyError, match="no single row for source 'no-such-source'"):
        publication_design(designs, "no-such-source")


def test_design_as_reported_quotes_a_printed_design_and_names_a_derived_one():
    designs = load_table("study_designs")
    assert design_as_reported(designs, "markey_ici_abstract") == (
        "retrospective case series (as printed: “Retrospective record based descriptive study”)"
    )
    assert (
        design_as_reported(designs, "zilembo1993")
        == "nonrandomised series (derived from the abstract's wording)"
    )
    assert (
        design_as_reported(designs, "ozdirik2020")
        == "case report (one patient) (as printed: “A case report”)"
    )


def test_study_design_finds_the_study_a_quote_reports():
    chars = load_table("trial_characteristics")
    ifn = load_table("interferon_statements").set_index("statement_id")
    assert study_design(chars, "lasalvia2016", ifn.loc["ls08", "quote"]) == "randomised phase II"
    assert study_design(chars, "lasalvia2016", ifn.loc["ls04", "quote"]) == "phase II"
    assert study_design(chars, "lasalvia2016", ifn.loc["ls03", "quote"]) is None  # no study of the table
    assert study_design(chars, "ozdirik2020", ifn.loc["oz07", "quote"]) is None  # another source
