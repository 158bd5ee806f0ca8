"""netbook.evidence: the evidence level of a result, from the sources table and the
review's study characteristics."""

from __future__ import annotations

import pytest

from netbook import load_table
from netbook.evidence import publication_design, study_design


def test_publication_design_reads_the_sources_table():
    sources = load_table("sources")
    assert publication_design(sources, "ozdirik2020") == "case report (one patient)"
    assert publication_design(sources, "markey_ici_abstract") == "conference abstract"
    with pytest.raises(KeyError):
        publication_design(sources, "no-such-source")


def test_study_design_finds_the_study_a_quote_reports():
    chars = load_table("trial_characteristics")
    ifn = load_table("interferon_statements").set_index("statement_id")
    assert study_design(chars, "lasalvia2016", ifn.loc["ls08", "quote"]) == "randomised phase II"
    assert study_design(chars, "lasalvia2016", ifn.loc["ls04", "quote"]) == "phase II"
    assert study_design(chars, "lasalvia2016", ifn.loc["ls03", "quote"]) is None  # no study of the table
    assert study_design(chars, "ozdirik2020", ifn.loc["oz07", "quote"]) is None  # another source
