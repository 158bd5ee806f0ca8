"""netbook.flags: the audit's flags and the sources' contradictions beside the values shown."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook import flags, load_table
from netbook.display import table


@pytest.fixture(scope="module")
def checks() -> pd.DataFrame:
    return load_table("printed_arithmetic")


@pytest.fixture(scope="module")
def contradictions() -> pd.DataFrame:
    return load_table("source_contradictions")


@pytest.fixture(scope="module")
def fl(checks, contradictions) -> flags.Flags:
    return flags.Flags(checks, contradictions)


@pytest.fixture(scope="module")
def outcomes() -> pd.DataFrame:
    return load_table("trial_outcomes").set_index("result_id", drop=False)


def _keys(found):
    return sorted(f.key for f in found)


def _flags_of(fl, row, *columns):
    return fl.for_value(row["source_id"], row["quote"], [row[c] for c in columns], row["unit"])


def test_quotes_overlap():
    sentence = "the 5-year OS rate was 52% with a disease-specific survival rate of 30%"
    assert flags.quotes_overlap("lasalvia2016", sentence, "disease-specific survival rate of 30%")
    assert not flags.quotes_overlap("lasalvia2016", sentence, "Unfortunately only 10-25% of patients")
    assert not flags.quotes_overlap("lasalvia2016", sentence, "not in the source at all, anywhere")


def test_flagged_values_carry_their_audit_flags(fl, outcomes):
    pasireotide = _flags_of(fl, outcomes.loc["ssa12-pasireotide-dcr"], "value")
    assert _keys(pasireotide) == ["lasalvia-pasireotide-dcr-grim", "lasalvia-pasireotide-dcr-rate"]
    assert all(f.kind == "audit" and f.text.startswith("⚠ audit: ") for f in pasireotide)
    assert {f.href for f in pasireotide} == {
        "source_texts.html#audit-lasalvia-pasireotide-dcr-grim",
        "source_texts.html#audit-lasalvia-pasireotide-dcr-rate",
    }
    # TAE's 83% of its 51 patients would be impossible, but the review prints no denominator
    # for symptom control (patients with symptoms): no flag (netbook.audit, denominator_basis)
    assert _flags_of(fl, outcomes.loc["ia05-pitt-tae-symptoms"], "value") == []
    assert _flags_of(fl, outcomes.loc["ia04-pitt-tace-symptoms"], "value") == []


def test_the_flag_follows_the_audit_result(checks, contradictions, outcomes):
    """Were the printed rate consistent, the flag would vanish: it comes from the audit,
    not from a list of values."""
    agreeing = checks.copy()
    agreeing.loc[agreeing["check_id"] == "lasalvia-pasireotide-dcr-rate", "denominator"] = "28"
    found = _flags_of(flags.Flags(agreeing, contradictions), outcomes.loc["ssa12-pasireotide-dcr"], "value")
    assert _keys(found) == ["lasalvia-pasireotide-dcr-grim"]


def test_contradiction_flags_tie_to_the_value_not_to_the_passage(fl, outcomes):
    european = _flags_of(fl, outcomes.loc["lt03-europe-os-5y"], "value")
    assert _keys(european) == ["lasalvia-lt-dss-below-os"] and european[0].kind == "contradiction"
    assert european[0].href == "source_texts.html#contradiction-lasalvia-lt-dss-below-os"
    # the United States cohort's quote holds the European sentence too, and prints 52% for itself
    assert _flags_of(fl, outcomes.loc["lt07-us-5y"], "value") == []
    # a range: both ends printed with the unit after the high end ("15-20%")
    # 15-20% against 10-25% is a difference (source_differences), not a contradiction: no flag
    assert _flags_of(fl, outcomes.loc["surg04-suitable-for-resection"], "value_low", "value_high") == []
    assert _keys(_flags_of(fl, outcomes.loc["lt04-europe-dss"], "value")) == ["lasalvia-lt-dss-below-os"]
    # with its unit, 18% is the partial responses, not the 18 weeks printed around it
    assert _keys(_flags_of(fl, outcomes.loc["tt17-bev-pr"], "value")) == ["lasalvia-bevacizumab-response"]
    assert fl.for_value("lasalvia2016", outcomes.loc["tt17-bev-pr", "quote"], [18], "months") == []


def test_for_rows_reads_the_unit_column_or_the_given_unit(fl):
    relative = load_table("case_relative_times").set_index("statement_id", drop=False)
    found = fl.for_rows(relative, "months", unit="months")
    # "4 months later" against Table 1's 11/2017 is a detail the overview does not list
    # (source_differences): neither an audit flag nor a contradiction
    assert found["ct_response"] == [] and found["ct_progression"] == [] and found["followup_ifn"] == []
    unit_of_row = fl.for_rows(load_table("trial_outcomes").set_index("result_id", drop=False), "value")
    assert _keys(unit_of_row["ssa12-pasireotide-dcr"]) == [
        "lasalvia-pasireotide-dcr-grim",
        "lasalvia-pasireotide-dcr-rate",
    ]


def test_mark_and_linked(fl, outcomes):
    row = outcomes.loc["ssa12-pasireotide-dcr"]
    found = _flags_of(fl, row, "value")
    text = flags.mark("pasireotide: 64%", found)
    assert text.startswith("pasireotide: 64% ⚠ audit: no whole count of n gives it (GRIM)")
    assert flags.mark("pasireotide: 64%", []) == "pasireotide: 64%"
    shown = flags.linked(table(pd.DataFrame({"Treatment arm": [text]}), "caption"), found)
    html = shown._repr_html_()
    assert '<a class="audit-flag" href="source_texts.html#audit-lasalvia-pasireotide-dcr-grim"' in html
    assert "⚠ audit" in repr(shown) and "⚠ audit" in shown._repr_markdown_()
    with pytest.raises(ValueError, match="not in the table"):
        flags.linked(table(pd.DataFrame({"Treatment arm": ["pasireotide: 64%"]})), found)._repr_html_()


def test_contradictions_touching_and_the_note(fl):
    review = fl.contradictions_touching(load_table("trial_outcomes"))
    assert "lasalvia-lt-dss-below-os" in set(review["contradiction_id"])
    assert "lasalvia-resectable-share" not in set(review["contradiction_id"])
    assert not review["source_id"].ne("lasalvia2016").any()
    case = fl.contradictions_touching(load_table("case_clinical_findings"))
    assert set(case["contradiction_id"]) == {"ozdirik-markers-under-shortened-ssa"}
    assert fl.contradictions_touching(load_table("case_rejected_options")).empty

    note = fl.note(load_table("case_clinical_findings"))
    html = note._repr_html_()
    assert 'class="admonition warning contradictions-note"' in html
    assert html.count('href="source_texts.html#contradiction-') == 1
    assert "Where the source contradicts itself" in repr(note) and "ozdirik-markers" in repr(note)
    empty = fl.note(load_table("case_rejected_options"))._repr_html_()
    assert "None of the values" in empty and "href" not in empty


def test_differences_are_listed_but_not_flagged(fl):
    """A difference that can hold both ways (source_differences) is never a ⚠ beside a value,
    and the chapters list the ones their rows quote, with why it is not a contradiction."""
    differences = flags.Differences(load_table("source_differences"))
    assert set(differences.differences["difference_id"]) & set(fl.contradictions["contradiction_id"]) == set()
    case = differences.touching(load_table("case_relative_times"))
    assert list(case["difference_id"]) == ["ozdirik-ct-response-4-months"]
    review = differences.touching(load_table("trial_outcomes"))
    assert "lasalvia-resectable-share" in set(review["difference_id"])
    note = differences.note(load_table("case_relative_times"))
    html = note._repr_html_()
    assert 'class="admonition note differences-note"' in html and "⚠" not in html
    assert 'id="difference-ozdirik-ct-response-4-months"' in html and "Not a contradiction" in html
    assert "ozdirik-ct-response-4-months" in repr(note) and "Not a contradiction" in note._repr_markdown_()
    assert "None of the values" in differences.note(load_table("case_rejected_options"))._repr_html_()
    assert all(r.startswith("Not a contradiction") for r in differences.differences["rationale"])


def test_the_ledger_shows_every_flag_beside_its_value(fl):
    """The provenance ledger lists every extracted value; each value a flag touches carries
    it there too (read from the ledger's stored outputs, so a re-run that lost them fails)."""
    from conftest import stored_glue

    from netbook import extracted_values, load_all_tables, paths

    values = extracted_values(load_all_tables())
    number = pd.to_numeric(values["value"], errors="coerce")
    per_value = [
        fl.for_value(s, q, [x])
        for s, q, x in zip(values["source_id"], values["quote"], number)
        if pd.notna(x)
    ]
    expected = [f.text for value_flags in per_value for f in value_flags]
    assert any(t.startswith("⚠ audit") for t in expected) and any(
        t.startswith("⚠ contradicted") for t in expected
    )
    ledger = paths.CHAPTERS / "provenance_ledger.ipynb"
    shown = ledger.read_text(encoding="utf-8")
    assert all(text.split(" (")[0] in shown for text in expected)
    flagged_values = sum(bool(value_flags) for value_flags in per_value)
    assert int(stored_glue(ledger)["ledger_flagged"]) == flagged_values


def test_a_flag_is_linked_in_the_cells_text_only_never_inside_a_tag():
    import html

    flag = flags.Flag("audit", "x1", '⚠ audit: <off> & "odd"', "why")

    class Shown:
        def _repr_html_(self):
            text = html.escape(flag.text, quote=False)
            return f'<table><tr><td title="{html.escape(flag.text)}">{text}</td></tr></table><p><a href="#">{text}</a></p>'

    out = flags.linked(Shown(), [flag])._repr_html_()
    assert out.count('<a class="audit-flag"') == 1
    assert f'<td title="{html.escape(flag.text)}"><a class="audit-flag"' in out
    assert out.endswith(f'<p><a href="#">{html.escape(flag.text, quote=False)}</a></p>')
