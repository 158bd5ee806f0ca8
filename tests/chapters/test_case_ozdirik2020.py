"""netbook.chapters.case_ozdirik2020: the case report's own layouts (Table 1, journal
footer), Table 1 re-derived from the event table, the therapy lanes and the timeline."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import cell_html, contradictions_note_links, notebook_cells

from netbook.chapters.case_ozdirik2020 import (
    JOURNAL_FOOTER,
    align_table1,
    decimal_year,
    parse_markdown_table1,
    parse_raw_table1,
    rederive_table1,
    staging_cell,
    therapy_lanes,
    timeline_figure,
)
from netbook.dates import months_between
from netbook.extractions import quantities, word_differences

# ------------------------------------------------------------------ the journal's layout


def test_word_differences_find_the_three_spellings(texts):
    df = word_differences(*texts, start="1. Introduction", end="In summary", footer=JOURNAL_FOOTER)
    assert list(zip(df["clean"], df["raw"])) == [
        ("immunohistochemical", "immunochemical"),
        ("laparoscopic", "laparascopic"),
        ("telotristatiprat", "telotristatetiprat"),
    ]


def test_the_footer_is_what_else_the_raw_text_adds(texts):
    # without the footer pattern the page footers' words show up as differences
    df = word_differences(*texts, start="1. Introduction", end="In summary")
    extra = set(df.loc[df["clean"] == "", "raw"])
    assert {"journal", "medicine"} <= extra

    def body(text):
        start = text.index("1. Introduction")
        return text[start : text.index("In summary", start)]

    # the pattern takes whole footer lines of the raw PDF text and nothing of the clean text
    assert JOURNAL_FOOTER.findall(body(texts[1])) == [
        "Özdirik et al. Medicine (2020) 99:25 www.md-journal.com",
        "http://www.md-journal.com",
    ]
    assert JOURNAL_FOOTER.findall(body(texts[0])) == []


# ---------------------------------------------------------------------- Table 1


def test_clean_table1_has_two_merged_rows(texts):
    t1 = parse_markdown_table1(texts[0])
    assert len(t1) == 11
    merged = t1[t1["dates"].map(len) > 1]
    assert list(merged["date_cell"]) == ["08/2016 11/2016", "05/2017 11/2017"]


def test_raw_table1_has_one_line_per_row(texts):
    raw = parse_raw_table1(texts[1])
    assert len(raw) == 13
    assert raw.loc[raw["date"] == "08/2016", "text"].item().startswith("Somatostatin analog")
    # the continuation line 'pT4 pN1(1/12) G2 R0 L0 V0' joins the surgery row
    assert raw.loc[3, "text"].endswith("pT4 pN1(1/12) G2 R0 L0 V0")


def test_align_table1_pairs_every_date(texts):
    aligned = align_table1(parse_markdown_table1(texts[0]), parse_raw_table1(texts[1]))
    assert len(aligned) == 13 and aligned["merged"].sum() == 4
    split = aligned[aligned["merged"]]
    assert split["raw_text"].iloc[1].startswith("Hepatic progressive disease")
    assert split["raw_text"].iloc[2].startswith("Add-on therapy")


def test_align_table1_refuses_a_mismatch(texts):
    tampered = texts[1].replace("12/2016 SSA in a shortened", "01/2017 SSA in a shortened")
    with pytest.raises(ValueError, match="12/2016"):
        align_table1(parse_markdown_table1(texts[0]), parse_raw_table1(tampered))


def test_align_table1_refuses_extra_raw_lines(texts):
    raw = parse_raw_table1(texts[1])
    extra = pd.concat([raw, raw.tail(1).assign(line=len(raw) + 1)], ignore_index=True)
    with pytest.raises(ValueError, match="more dated lines"):
        align_table1(parse_markdown_table1(texts[0]), extra)


def test_rederived_table1_matches_the_raw_pdf_rows(texts, events):
    derived = rederive_table1(events)
    raw = parse_raw_table1(texts[1])
    assert list(derived["Date"]) == list(raw["date"])
    # every tumour load and Ki-67 the events hold is printed on the same raw line
    for d, r in zip(derived.itertuples(), raw.itertuples()):
        for number in quantities(d.Staging):
            assert f"{number.number}%" in r.text.replace(" ", ""), (d.Date, number)


def test_rederived_year_labels_follow_the_raw_pdf_not_the_clean_table(texts, events):
    derived = rederive_table1(events)
    raw = parse_raw_table1(texts[1])
    clean = parse_markdown_table1(texts[0])
    assert list(derived["Year"]) == list(raw["year"])
    labelled_clean = list(clean.loc[clean["year"] != "", "date_cell"])
    assert labelled_clean == ["07/2016", "02/2017", "04/2018", "09/2019"]  # off by rows


def test_staging_cell_uses_only_typed_fields():
    event = pd.Series(
        {
            "hepatic_response": "partial remission",
            "hepatic_tumour_load_pct": 40.0,
            "tumour_load_qualifier": pd.NA,
            "peritoneal_finding": "peritoneal carcinomatosis stable",
        }
    )
    assert staging_cell(event) == (
        "Hepatic partial remission. Hepatic tumour load 40%. Peritoneal carcinomatosis stable."
    )
    assert staging_cell(pd.Series({"hepatic_response": pd.NA})) == ""
    upto = pd.Series({"hepatic_tumour_load_pct": 70.0, "tumour_load_qualifier": "up to"})
    assert staging_cell(upto) == "Hepatic tumour load up to 70%."


# ------------------------------------------------------------------ the timeline


def test_therapy_lanes(events):
    lanes = therapy_lanes(events, "2019-12")
    assert list(lanes["lane"]) == [
        "octreotide LAR 30 mg every 28 d",
        "octreotide LAR 30 mg every 21 d",
        "peg-IFN-α2a 135 μg/wk",
    ]
    first = lanes.iloc[0]
    assert months_between(first["start"], first["end"]) == 4 and not first["open_end"]
    assert lanes["open_end"].tolist() == [False, True, True]
    assert str(lanes.iloc[2]["end"]) == "2019-12"


@pytest.mark.parametrize(
    "month, year", [("2016-01", 2016.0), ("2016-07", 2016.5), ("2019-12", 2019 + 11 / 12)]
)
def test_decimal_year_is_the_start_of_the_month(month, year):
    assert decimal_year(pd.Period(month, freq="M")) == pytest.approx(year)


def test_timeline_figure_draws_every_lane_and_staging(events):
    import matplotlib.pyplot as plt

    lanes = therapy_lanes(events, events["date"].max())
    ifn_start = lanes.loc[lanes["therapy"].str.startswith("peg-IFN"), "start"].iloc[0]
    fig = timeline_figure(events, lanes, ifn_start)
    try:
        ax, ax_load = fig.axes[:2]
        bars = [p for p in ax.patches if p.get_width() > 0]
        assert len(bars) == len(lanes)
        assert [t.get_text() for t in ax.texts][: len(lanes)] == list(lanes["lane"])
        stagings = events["hepatic_response"].notna().sum()
        assert sorted(a.get_text() for a in ax.texts if a.get_text() in ("PD", "PR")) == sorted(
            "PD" if r == "progressive disease" else "PR" for r in events["hepatic_response"].dropna()
        )
        assert stagings > 0
        loads = events["hepatic_tumour_load_pct"].dropna()
        labels = [a.get_text() for a in ax_load.texts]
        assert labels == [f"{v:g}%" for v in loads]
        assert ax_load.get_ylim() == (0, 100)
    finally:
        plt.close(fig)


def test_timeline_figure_names_the_design_in_its_title(events):
    import matplotlib.pyplot as plt

    lanes = therapy_lanes(events, events["date"].max())
    ifn_start = lanes.loc[lanes["therapy"].str.startswith("peg-IFN"), "start"].iloc[0]
    fig = timeline_figure(events, lanes, ifn_start, "case report (one patient)")
    try:
        assert fig.axes[0].get_title().startswith("Case report (one patient). Course of disease")
    finally:
        plt.close(fig)


# ------------------------------------------------------------------ the chapter as stored


#: The chapter and its audit page under it in _toc.yml (issue 21): the chapter's
#: "How the data were checked" points to the page, whose cells follow it here.
CHAPTER_PAGES = ("case_ozdirik2020", "case_ozdirik2020_checks")


def _chapter_cells(*pages: str):
    """The stored cells of the chapter's pages (both, in reading order, by default)."""
    from netbook import paths

    return [c for page in pages or CHAPTER_PAGES for c in notebook_cells(paths.CHAPTERS / f"{page}.ipynb")]


def test_the_clinical_story_is_on_the_chapter_page_and_the_audit_on_its_own():
    """The chapter's page tells the case; Table 1 re-derived, the relative times, the two
    extractions compared and the contradictions are on the page under it, which the
    chapter links (and which links back), both listed in _toc.yml."""
    import re

    import yaml

    from netbook import paths

    def titles(page):
        return [
            line
            for c in _chapter_cells(page)
            if c["cell_type"] == "markdown"
            for line in "".join(c["source"]).splitlines()
            if re.match(r"#{1,4} ", line)
        ]

    main, checks = titles("case_ozdirik2020"), titles("case_ozdirik2020_checks")
    assert main[-1] == "## How the data were checked", main
    assert {"## The patient", "## Timeline", "## Histology"} <= set(main)
    for audit in ("Table 1, re-derived", "relative times", "Source check", "contradicts itself"):
        assert not any(audit in t for t in main), audit
        assert any(audit in t for t in checks), audit
    pointer = "".join(_chapter_cells("case_ozdirik2020")[-1]["source"])
    assert "{doc}`case_ozdirik2020_checks`" in pointer and "{ref}`case-contradictions`" in pointer
    assert "{doc}`case_ozdirik2020`" in "".join(_chapter_cells("case_ozdirik2020_checks")[0]["source"])
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    chapter = next(
        c for part in toc["parts"] for c in part["chapters"] if c["file"] == "chapters/case_ozdirik2020"
    )
    assert [s["file"] for s in chapter["sections"]] == ["chapters/case_ozdirik2020_checks"]


def test_every_result_table_and_figure_names_the_design():
    """The evidence level comes from the study_designs table and stands in the caption of every
    table of the clinical sections, of Table 1 re-derived and of the relative times, and
    in both figures' titles."""
    import re

    from netbook import load_table
    from netbook.evidence import publication_design

    design = publication_design(load_table("study_designs"), "ozdirik2020")
    assert design == "case report (one patient)"
    cells = _chapter_cells()
    checked = next(
        i for i, c in enumerate(cells) if "".join(c["source"]).startswith("## How the data were checked")
    )
    captions = [
        caption
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
        for caption in re.findall(r"<caption>(.*?)</caption>", cell_html(c))
        if i < checked or caption.startswith(("Table 1 of the paper", "Relative times"))
    ]
    assert len(captions) >= 8
    assert all(caption.endswith(f"; {design}") for caption in captions), captions
    figures = [c for c in cells if "figure" in c.get("metadata", {}).get("mystnb", {})]
    assert len(figures) == 2 and all("design" in "".join(c["source"]) for c in figures)


def test_the_four_months_are_a_difference_in_detail_and_the_contradictions_are_listed(value_flags):
    """The text's "4 months later" against Table 1's 11/2017: Table 1 is an overview, so it is
    listed as a difference (source_differences), with no ⚠ beside the value."""
    import re

    from netbook import load_table

    cells = _chapter_cells()
    relative = next(c for c in cells if "Relative times in the case presentation" in cell_html(c))
    assert "⚠" not in cell_html(relative)
    assert not re.findall(r'href="source_texts\.html#(?:audit|contradiction)-', cell_html(relative))

    used = [
        load_table(name)
        for name in (
            "course_of_disease",
            "case_clinical_findings",
            "case_histology",
            "case_rejected_options",
            "case_patient_record",
            "case_relative_times",
            "symptom_control_statements",
        )
    ]
    expected = set(value_flags.contradictions_touching(*used)["contradiction_id"])
    assert expected == {"ozdirik-markers-under-shortened-ssa"}
    assert contradictions_note_links(cells) == expected
    differences = next(cell_html(c) for c in cells if "differences-note" in cell_html(c))
    assert 'id="difference-ozdirik-ct-response-4-months"' in differences
    assert "Not a contradiction" in differences and "overview" in differences


def _key_points() -> str:
    return "".join(next(c for c in _chapter_cells() if "Key points" in "".join(c["source"]))["source"])


def test_the_thirty_months_count_from_the_start_not_from_the_response():
    """ "The authors state 30 months of response" misread the source: 30 months after the
    start of interferon, with the first response 4 (text) or 6 (Table 1) months later."""
    from conftest import stored_glue

    from netbook import paths

    key_points = _key_points()
    assert "months of response" not in key_points
    assert "count from the start, not from the response" in key_points
    assert (
        "{glue:text}`first_response_text`" in key_points
        and "{glue:text}`first_response_table1`" in key_points
    )
    glued = stored_glue(paths.CHAPTERS / "case_ozdirik2020.ipynb")
    assert (glued["stated_followup"], glued["first_response_text"], glued["first_response_table1"]) == (
        "30",
        "4",
        "6",
    )


def test_the_options_for_functional_disease_and_this_patients_steps_are_shown():
    """The report's options when a standard analogue does not control a functional NET (dose
    escalation, a shorter interval, telotristat, locoregional) and the step this patient had
    (the same dose every 21 instead of 28 days) are on the case page, from the data."""
    from conftest import stored_glue

    from netbook import load_table, paths

    symptom = load_table("symptom_control_statements")
    options = set(symptom["option"])
    assert {"dose escalation (high-dose SSA)", "shortened injection interval", "telotristat"} <= options
    cells = _chapter_cells()
    shown = next(cell_html(c) for c in cells if "Symptom control in functional disease" in cell_html(c))
    assert "shortened injection interval" in shown and "telotristat" in shown
    glued = stored_glue(paths.CHAPTERS / "case_ozdirik2020.ipynb")
    # glued as numbers, shown through the prose's format spec ({glue:text}`ssa_dose:g`)
    assert [float(glued[k]) for k in ("ssa_interval_standard", "ssa_interval_short", "ssa_dose")] == [
        28,
        21,
        30,
    ]
    assert "{ref}`case-functional`" in _key_points()
