"""The companion module of the hepatic chapter, and the chapter's reader-facing layout."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pandas as pd
import pytest
from conftest import cell_html, contradictions_note_links, stored_glue
from test_pdf import pdf_pages  # noqa: F401, F811 (the fixture that builds the PDF, once per module)

from netbook import load_table, paths
from netbook.chapters import hepatic_metastases as hm
from netbook.footnotes import qualifier_notes
from netbook.stats import k_of_n, percent
from netbook.texts import source_text

NOTEBOOK = paths.CHAPTERS / "hepatic_metastases.ipynb"  # the overview: intro, key points, evidence map
# every page of the chapter, in reading order (the overview, the option pages of
# hm.OPTION_PAGES, across the options, the audit): the chapter's tests read them as one
PAGES = ["hepatic_metastases", *hm.OPTION_PAGES, "hepatic_across_options", "hepatic_audit"]
NOTEBOOKS = [paths.CHAPTERS / f"{name}.ipynb" for name in PAGES]


def chapter_glue() -> dict[str, str]:
    """Every value any page of the chapter glues (a key glued on two pages: the same value)."""
    glued: dict[str, str] = {}
    for nb in NOTEBOOKS:
        for key, value in stored_glue(nb).items():
            if not key.startswith("kp_"):  # kp_: each option page's own key points
                assert glued.setdefault(key, value) == value, f"{key} differs between the chapter's pages"
    return glued


def _row(**kw):
    base = dict(
        result_id="x",
        study="S",
        option_id="o",
        arm="A",
        arm_role="single group",
        endpoint="ORR",
        population="p",
        value=None,
        value_low=None,
        value_high=None,
        unit="%",
        value_qualifier=None,
        events=None,
        events_words=None,
        time_point=None,
        time_point_words=None,
        time_point_number=None,
        time_unit=None,
        p_value=None,
        quote="",
    )
    base.update(kw)
    return base


ENDPOINTS = load_table("response_endpoints")


@pytest.fixture(scope="module")
def data():
    L = load_table
    return hm.HepaticData(
        L("management_options"),
        L("trial_outcomes"),
        L("trial_characteristics"),
        L("harms"),
        L("review_conclusions"),
        L("selection_criteria"),
        L("criteria_groups"),
        load_table("sources"),
        designs=L("evidence_map_designs"),
    )


@pytest.fixture(scope="module")
def notebook():
    """The chapter's pages as one notebook: their cells in reading order."""
    cells = [c for nb in NOTEBOOKS for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]]
    return {"cells": cells}


# ------------------------------------------------------------------ values


def test_printed_number_keeps_the_printed_digits():
    assert hm.printed_number(11.0, "(11.0 vs. 4.6 months)") == "11.0"
    assert hm.printed_number(6, "(14.3 vs. 6 months)") == "6"
    assert hm.printed_number(45, "a rate of 45.0% at 3 years") == "45.0"
    assert hm.printed_number(2.5, "no such number") == "2.5"


def test_show_value_keeps_every_printed_form():
    assert hm.show_value(_row(value_qualifier="not reached", quote="not reached")) == "not reached"
    assert hm.show_value(_row(value=75, value_qualifier="about", quote="of about 75%")) == "about 75%"
    assert hm.show_value(_row(value_low=39, value_high=95, quote="from 39 to 95%")) == "39–95%"
    assert hm.show_value(_row(value=41.6, unit=None, quote="rate of 41.6 was")) == "41.6 (no unit printed)"
    assert hm.show_value(_row(events_words="one", unit=None, quote="one patient")) == "one patient(s)"


def test_show_time_gives_numbers_and_keeps_words():
    assert (
        hm.show_time(_row(time_point_number=5, time_point_words="five", time_unit="year"))
        == 'at 5 years (printed "five")'
    )
    assert hm.show_time(_row(time_point_number=1, time_unit="year")) == "at 1 year"
    assert hm.show_time(_row()) == ""


def test_count_of_reads_words_with_the_shared_reader():
    assert hm.count_of(_row(events_words="four")) == 4
    assert hm.count_of(_row(events=165)) == 165
    assert hm.count_of(_row()) is None


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (
            dict(value=11.0, unit="months", quote="11.0"),
            dict(value=4.6, unit="months", quote="4.6"),
            (6.4, "+6.4 months"),
        ),
        (dict(value=46, quote="46%"), dict(value=66, quote="66%"), (-20.0, "-20 percentage points")),
        (
            dict(value=16.4, unit="months", quote="16.4"),
            dict(value=11.3, unit="months", quote="11.3"),
            (5.1, "+5.1 months"),
        ),
    ],
)
def test_difference_is_treatment_minus_comparator(a, b, expected):
    assert hm.difference(_row(**a), _row(**b)) == expected


@pytest.mark.parametrize(
    "a, b, reason",
    [
        (dict(value_qualifier="not reached"), dict(value=18, unit="months", quote="18"), "not reached"),
        (dict(value=75, value_qualifier="about", quote="75"), dict(value=5, quote="5"), "about"),
        (dict(value_low=20, value_high=35, quote="20-35"), dict(value=5, quote="5"), "no single value"),
        (dict(value=13, unit="deaths", quote="13"), dict(value=22, unit="deaths", quote="22"), "arm sizes"),
        (dict(value=13, unit="months", quote="13"), dict(value=22, quote="22"), "units differ"),
    ],
)
def test_difference_is_not_computed_from_what_is_not_printed(a, b, reason):
    value, text = hm.difference(_row(**a), _row(**b))
    assert value is None and reason in text


def test_comparisons_show_a_randomised_pair_once_and_both_non_randomised_sides(data):
    comp = hm.comparisons(data.outcomes)
    assert "tt02-radiant3-pfs-placebo" not in set(comp["result_id"])  # folded into its experimental arm
    pitt = comp[comp["study"] == "Pitt"]
    assert len(pitt) == 4 and set(pitt["difference_text"]) == {
        "+5 percentage points",
        "-5 percentage points",
        "+0.2 months",
        "-0.2 months",
    }
    tace = hm.option_rows(comp, "tace")
    assert set(tace.loc[tace["study"] == "Pitt", "arm_option"]) == {"tace"}
    ssa = hm.option_rows(comp, "ssa")
    assert "NETTER-1" in set(ssa["study"])  # the octreotide control arm belongs to the SSA option


# ------------------------------------------------------------------ tables for readers


def test_option_tables_read_on_a_phone(data):
    for option_id in data.options["option_id"]:
        for df in (
            hm.studies_table(data, option_id),
            hm.results_table(data, option_id),
            hm.harms_table(data, option_id),
        ):
            assert not any("_" in c for c in df.columns), df.columns  # names in words
            assert len(df.columns) <= 8
            for column in df.columns:
                assert not df[column].astype(str).str.contains("|", regex=False).any(), (option_id, column)
                assert df[column].notna().all(), (option_id, column)  # blanks read "not stated"


def test_every_result_shows_its_design(data):
    for option_id in data.options["option_id"]:
        results = hm.results_table(data, option_id)
        assert (
            results["Design"]
            .isin(
                list(data.designs["design"])
                + [f"{d} (derived from the reference list)" for d in data.designs["design"]]
                + [f"{d} (derived from the review's wording)" for d in data.designs["design"]]
            )
            .all()
        )
    orr = hm.orr_points(
        data, load_table("computed_response_rates"), load_table("cytotoxic_options"), ENDPOINTS
    )
    assert orr["design"].isin(hm.DESIGN_MARKER).all()


def test_the_strongest_design_follows_the_editorial_ranking(data):
    # TACE has results of several designs; reversing the ranking names its weakest one
    designs = data.designs
    ranked = sorted(
        data.characteristics.set_index("study").loc[list(hm.option_studies(data, "tace")), "design"]
    )
    assert len(set(ranked)) > 1
    rank = designs.set_index("design")["rank"]
    strongest = min(set(ranked), key=rank.get)
    weakest = max(set(ranked), key=rank.get)
    assert hm.strongest_design(data, "tace") == strongest
    reversed_ = dataclasses.replace(data, designs=designs.assign(rank=len(designs) + 1 - designs["rank"]))
    assert hm.strongest_design(reversed_, "tace") == weakest


def test_a_design_without_a_rank_is_an_error_naming_the_table(data):
    unranked = dataclasses.replace(data, designs=data.designs[data.designs["design"] != "registry"])
    with pytest.raises(
        KeyError, match="evidence_map_designs.csv, column design: no row for 'registry'.*rule"
    ):
        unranked.design_rank("registry")
    with pytest.raises(ValueError, match="evidence_map_designs"):
        dataclasses.replace(data, designs=None).design_rank("registry")


def test_computed_response_rates_replace_the_results_they_are_computed_from(data):
    computed = load_table("computed_response_rates")
    orr = hm.orr_points(data, computed, load_table("cytotoxic_options"), ENDPOINTS)
    used = {i for ids in computed["from_result_ids"] for i in ids}
    assert not orr["result_id"].isin(used).any()
    by_id = data.outcomes.set_index("result_id")
    points = orr.set_index("result_id")
    for rule in computed.itertuples(index=False):
        printed = by_id.loc[list(rule.from_result_ids)]
        point = points.loc[rule.result_id]
        if rule.method == "sum":
            assert point["value"] == printed["value"].sum()
        else:
            assert point["value"] == 100 * hm.count_of(printed.iloc[-1]) / printed.iloc[-1]["n"]
        assert point["how"] != "as printed" and point["endpoint"] == rule.endpoint


def test_a_computed_rate_from_an_unknown_result_is_an_error_naming_file_row_and_column(data):
    computed = load_table("computed_response_rates").copy()
    computed.at[0, "from_result_ids"] = ["no-such-result"]
    with pytest.raises(
        KeyError, match=r"computed_response_rates.csv, row '.+', column from_result_ids.*rule"
    ):
        hm.orr_points(data, computed, load_table("cytotoxic_options"), ENDPOINTS)


def test_the_cytotoxic_options_are_the_editorial_tables(data):
    cytotoxic = load_table("cytotoxic_options")
    orr = hm.orr_points(data, load_table("computed_response_rates"), cytotoxic, ENDPOINTS)
    assert set(orr.loc[orr["cytotoxic"], "option_id"]) <= set(cytotoxic["option_id"])
    none = hm.orr_points(data, load_table("computed_response_rates"), cytotoxic.iloc[0:0], ENDPOINTS)
    assert not none["cytotoxic"].any()


def test_only_the_response_endpoints_are_drawn(data):
    orr = hm.orr_points(
        data, load_table("computed_response_rates"), load_table("cytotoxic_options"), ENDPOINTS
    )
    assert set(orr["endpoint"]) <= set(ENDPOINTS["endpoint"])
    fewer = ENDPOINTS[ENDPOINTS["endpoint"] != "tumour shrinkage"]
    without = hm.orr_points(
        data, load_table("computed_response_rates"), load_table("cytotoxic_options"), fewer
    )
    assert len(without) == len(orr) - (orr["endpoint"] == "tumour shrinkage").sum() < len(orr)


def test_a_reference_line_is_read_from_its_table():
    lines = load_table("figure_reference_lines")
    assert hm.reference_line(lines, "response rates") == int(
        lines.set_index("figure").loc["response rates", "value"]
    )
    with pytest.raises(KeyError, match="figure_reference_lines.csv, column figure"):
        hm.reference_line(lines, "survival")


def test_each_option_summary_has_its_parts(data):
    parts = hm.option_parts(data, "liver_transplantation")
    text = "\n".join(repr(p) if not hasattr(p, "data") else p.data for p in parts)
    assert "Milan criteria" in text and "results per arm" in text and "harms stated" in text
    assert "died from early or late complications of LT" in text
    assert "What the review concludes" in text


def test_overview_has_no_list_in_a_cell(data):
    ov = hm.overview(data)
    assert len(ov) == len(data.options)
    assert not ov.astype(str).apply(lambda s: s.str.contains("|", regex=False)).any().any()
    assert set(ov["Strongest design"]) <= set(data.designs["design"]) | {"no result reported"}


def test_every_criteria_set_has_a_name(data):
    assert set(data.criteria["criteria_set"]) <= set(hm.CRITERIA_SET_NAMES)


# ------------------------------------------------------------------ the notebook's layout


def _cells(notebook, kind):
    return [c for c in notebook["cells"] if c["cell_type"] == kind]


def test_every_code_cell_is_folded(notebook):
    for index, cell in enumerate(_cells(notebook, "code")):
        assert "hide-input" in cell["metadata"].get("tags", []), index


def test_key_points_come_before_the_first_section(notebook):
    text = "\n".join("".join(c["source"]) for c in _cells(notebook, "markdown"))
    first_section = text.index("\n## ")
    head = text[:first_section]
    block = head[head.index("{admonition} Key points") :]
    items = re.findall(r"^- ", block, flags=re.M)
    assert 3 <= len(items) <= 6
    assert not re.search(
        r"(?<![\w{`-])\d", re.sub(r"\{glue:text\}`[^`]*`", "", block.split(":class: tip", 1)[1])
    ), "every number in the key points is glued"


def test_no_helper_definitions_or_word_tables_in_the_chapter(notebook):
    code = "\n".join("".join(c["source"]) for c in _cells(notebook, "code"))
    assert "WORDS = {" not in code
    glance = next(c for c in notebook["cells"] if c.get("id") == "hep-glance")
    assert not "".join(glance["source"]).lstrip().startswith("def ")


def test_no_stray_expression_prints_a_plain_value(notebook):
    for cell in _cells(notebook, "code"):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                plain = "".join(output["data"].get("text/plain", ""))
                assert (
                    "text/html" in output["data"]
                    or "text/markdown" in output["data"]
                    or plain.startswith("Data:")
                ), plain[:80]


def test_interferon_prose_says_the_one_randomised_comparison_with_numbers(notebook):
    text = " ".join(" ".join("".join(c["source"]) for c in _cells(notebook, "markdown")).split())
    text = re.sub(r"\{term\}`([^`]*)`", r"\1", text)  # a glossary link reads as its word
    assert "the one randomised comparison with numbers" in text
    assert "can be attributed to IFN-α alone" in text and "neither the response nor the tolerability" in text


def test_readers_see_names_not_identifiers(notebook):
    text = "\n".join("".join(c["source"]) for c in _cells(notebook, "markdown"))
    prose = re.sub(r"`[^`]*`", "", text)
    ids = set(load_table("management_options")["option_id"]) | set(
        load_table("selection_criteria")["criteria_set"]
    )
    found = [i for i in ids if "_" in i and re.search(rf"\b{re.escape(i)}\b", prose)]
    assert not found, found


# ------------------------------------------------------------------ flags beside values


@pytest.fixture(scope="module")
def flagged_data(data, value_flags):
    return dataclasses.replace(data, flags=value_flags)


def test_flagged_values_carry_their_flag_in_the_results_tables(flagged_data):
    pasireotide = hm.results_table(flagged_data, "pasireotide")
    dcr = pasireotide.loc[pasireotide["Outcome"] == "disease control", "Treatment arm"].iloc[0]
    assert dcr.startswith("pasireotide: 64% ⚠ audit: no whole count of n gives it (GRIM)")
    # TAE's 83% symptom control: the source prints no denominator (symptom control concerns
    # the patients with symptoms, not all 51), so no whole-count check can flag it
    tae = hm.results_table(flagged_data, "tae")
    pitt = tae.loc[(tae["Outcome"] == "symptom control") & (tae["Study"] == "Pitt"), "Treatment arm"]
    assert pitt.iloc[0].startswith("TAE: 83%") and "⚠" not in pitt.iloc[0]
    tace = hm.results_table(flagged_data, "tace")
    symptoms = tace.loc[(tace["Outcome"] == "symptom control") & (tace["Study"] == "Pitt")].iloc[0]
    assert "⚠" not in symptoms["Treatment arm"] and "⚠" not in symptoms["Comparator arm"]
    # without flags, the same tables carry none
    assert (
        not hm.results_table(hm.HepaticData(*list(vars(flagged_data).values())[:8]), "pasireotide")[
            "Treatment arm"
        ]
        .str.contains("⚠")
        .any()
    )


def test_the_chapter_links_every_flag_its_values_carry(flagged_data, notebook):
    """Every flag the data put beside a value of trial_outcomes is a link in the stored
    outputs (so a flag that vanished from the chapter fails here)."""
    page = "".join(cell_html(c) for c in notebook["cells"])
    expected = {f.href for found in flagged_data.outcome_flags().values() for f in found}
    assert "source_texts.html#audit-lasalvia-pasireotide-dcr-grim" in expected
    assert "source_texts.html#audit-lasalvia-pitt-tae-symptoms" not in expected  # no denominator printed
    missing = sorted(h for h in expected if f'href="{h}"' not in page)
    assert not missing, f"flags not shown in the chapter: {missing}"


def test_the_contradictions_note_lists_every_contradiction_touching_the_chapter(flagged_data, notebook):
    d = flagged_data
    touching = d.flags.contradictions_touching(
        d.outcomes, d.characteristics, d.harms, d.conclusions, d.criteria, d.options
    )
    # 15-20% against 10-25% resectable can both hold: a difference, not a contradiction
    assert "lasalvia-tace-grade" in set(touching["contradiction_id"])
    assert "lasalvia-resectable-share" not in set(touching["contradiction_id"])
    assert "lasalvia-resectable-share" in set(load_table("source_differences")["difference_id"])
    assert contradictions_note_links(notebook["cells"]) == set(touching["contradiction_id"])
    headings = [
        "".join(c["source"]).splitlines()[0] for c in notebook["cells"] if c["cell_type"] == "markdown"
    ]
    assert headings.index("## Where the source contradicts itself") < headings.index(
        "## How the data were checked"
    )


# ------------------------------------------------------------------ qualifiers, n and certainty beside each result

_TR = re.compile(r"<tr>(.*?)</tr>", re.S)
_TD = re.compile(r"<td>(.*?)</td>", re.S)
_SUP = re.compile(r'<sup class="sof-mark">([a-z,]+)</sup>')
_FOOTNOTE = re.compile(r'<span class="sof-footnote"><sup>([a-z]+)</sup> (.*?)</span>', re.S)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", _SUP.sub("", fragment))).split())


def shown_cells(page: str) -> list[tuple[str, set[str]]]:
    """(cell text without its marks, the footnote texts its marks point to), for every cell
    of every footnoted table in ``page`` (each table's letters resolved against the
    footnotes under that table)."""
    found = []
    for chunk in page.split("<table")[1:]:
        body, _, after = chunk.partition("</table>")
        notes = dict(_FOOTNOTE.findall(after.split("<table")[0]))
        for row in _TR.findall(body):
            for cell in _TD.findall(row):
                letters = {k for m in _SUP.findall(cell) for k in m.split(",")}
                assert letters <= set(notes), (letters - set(notes), _text(cell))
                found.append((_text(cell), {" ".join(html.unescape(notes[k]).split()) for k in letters}))
    return found


@pytest.fixture(scope="module")
def sof_data(data, value_flags):
    return dataclasses.replace(data, flags=value_flags, certainty=load_table("result_certainty"))


@pytest.fixture(scope="module")
def page(notebook) -> str:
    return "".join(cell_html(c) for c in notebook["cells"])


def _beside(cells, start: str, notes: list[str]) -> bool:
    wanted = {" ".join(n.split()) for n in notes}
    return any(text.startswith(start) and wanted <= have for text, have in cells)


def test_every_qualifier_of_a_result_is_beside_its_value_in_the_chapter(sof_data, page):
    """Walks every result of trial_outcomes the chapter shows and every qualifier the
    extraction holds for it: each is a footnote whose letter stands beside the value."""
    cells = shown_cells(page)
    comp = sof_data.comparisons()
    shown = set(comp["result_id"]) | set(comp["other_id"].dropna())
    rows = sof_data.outcomes[sof_data.outcomes["result_id"].isin(shown)]
    assert len(rows) >= 90
    checked = 0
    for _, row in rows.iterrows():
        notes = qualifier_notes(row)
        # a result of no option is shown in the survival table only, as its value
        start = f"{hm.arm_label(row)}: " if not pd.isna(row["option_id"]) else ""
        assert _beside(cells, start + hm.show_value(row), notes), (row["result_id"], notes)
        checked += len(notes)
    assert checked >= 100


def test_every_qualifier_of_a_harm_and_a_study_is_beside_it_in_the_chapter(sof_data, page):
    cells = shown_cells(page)
    for _, row in sof_data.harms.iterrows():
        assert _beside(cells, hm.how_often(row), qualifier_notes(row)), row["harm_id"]
    studies = set(sof_data.comparisons()["study"])
    for _, row in sof_data.characteristics[sof_data.characteristics["study"].isin(studies)].iterrows():
        label = hm.study_label(sof_data.characteristics, row["study"])
        assert _beside(cells, label, qualifier_notes(row)), row["study"]


def test_a_result_without_a_time_origin_says_so_and_one_with_an_origin_prints_it(sof_data):
    rows = sof_data.outcomes.set_index("result_id")
    assert "Time origin not stated" in qualifier_notes(rows.loc["prrt07-kwekkeboom-ttp"].to_dict())
    assert "Time origin not stated" not in qualifier_notes(rows.loc["prrt13-netter1-orr-prrt"].to_dict())
    assert "Time origin: “from initial diagnosis”" in qualifier_notes(
        rows.loc["prrt09-kwekkeboom-os-diagnosis"].to_dict()
    )


def test_prrt_survival_shows_its_time_origin_beside_the_value(sof_data, page):
    """The review: 46 months 'from the first treatment cycle', 128 months 'from initial
    diagnosis'. Without the origin a reader takes 128 months as survival after PRRT."""
    results = hm.results_table(sof_data, "prrt")
    by_value = {
        t.split("[")[0].split("\ue000")[0]: o for t, o in zip(results["Treatment arm"], results["Outcome"])
    }
    assert by_value["177Lu-DOTATATE: 128 months"] == "OS from initial diagnosis"
    assert by_value["177Lu-DOTATATE: 46 months"] == "median OS from the first treatment cycle"
    cells = shown_cells(page)
    assert _beside(cells, "177Lu-DOTATATE: 128 months", ["Time origin: “from initial diagnosis”"])
    assert _beside(cells, "177Lu-DOTATATE: 46 months", ["Time origin: “from the first treatment cycle”"])
    rows = [_text(r) for r in _TR.findall(page) if "128 months" in r]
    assert rows and all("from initial diagnosis" in r for r in rows)


def test_the_bevacizumab_ifn_comparison_shows_octreotide_in_both_arms_and_crossover(sof_data, page):
    """Reference [85]: 'depot octreotide with bevacizumab and pegylated interferon
    alpha-2b'; crossover allowed. The 95% against 67% is not IFN alone."""
    for option in ("ifn_alpha", "bevacizumab"):
        results = hm.results_table(sof_data, option)
        row = results[results["Outcome"] == "PFS rate at 18 weeks"].iloc[0]
        assert row["Treatment arm"].startswith("bevacizumab + depot octreotide (background, every arm): 95%")
        assert row["Comparator arm"].startswith("IFN + depot octreotide (background, every arm): 67%")
    cells = shown_cells(page)
    notes = [
        "Background therapy, given in every arm: “depot octreotide” (Reference list)",
        "Crossover: “patients were allowed to receive the combination of these two treatments”",
        "Regimen as the cited reference names it: “pegylated interferon alpha-2b” (Reference list)",
    ]
    assert _beside(cells, "IFN + depot octreotide (background, every arm): 67%", notes)
    assert _beside(cells, "bevacizumab + depot octreotide (background, every arm): 95%", notes)


def test_every_result_row_shows_its_patients_and_what_limits_confidence(sof_data):
    studies = sof_data.characteristics.set_index("study")
    for option_id in sof_data.options["option_id"]:
        results = hm.results_table(sof_data, option_id)
        assert len(results.columns) <= 8
        for _, row in results.iterrows():
            n = row["Patients (n)"]
            assert (
                n == "not stated" or re.match(r"\d+ (\(|vs)", n) or n.startswith("not stated for this result")
            ), n
            if n[0].isdigit():
                assert int(n.split()[0]) in set(sof_data.outcomes["n"].dropna()), n
            assert row["What limits confidence"].strip(), (option_id, row["Study"])
            if not studies.loc[row["Study"], "design"].startswith("randomised"):
                assert (
                    "not randomised" in row["What limits confidence"]
                    or "design not stated" in row["What limits confidence"]
                    or "review" in row["What limits confidence"]
                    or "registry" in row["What limits confidence"]
                ), row
    yao = hm.results_table(sof_data, "ifn_alpha")
    assert yao.loc[yao["Study"] == "Yao (bevacizumab vs IFN)", "Patients (n)"].iloc[0] == "44 (whole study)"
    pitt = hm.results_table(sof_data, "tace")
    assert "49 vs 51 (per arm)" in set(pitt["Patients (n)"])


def test_what_a_narrative_review_cannot_judge_is_said_under_every_results_table(sof_data, page):
    texts = hm.not_judgeable(sof_data)
    assert any("risk of bias" in t for t in texts) and any("publication bias" in t for t in texts)
    tables = page.count("results per arm</caption>")
    assert tables >= 20
    for text in texts:
        assert page.count(html.escape(text, quote=False)) >= tables, text


def test_the_pdf_markdown_carries_the_marks_and_the_footnotes(sof_data):
    part = hm.results_part(sof_data, "prrt")
    markdown = part._repr_markdown_()
    assert "{sup}`" in markdown and "\ue000" not in markdown
    assert "from initial diagnosis" in markdown and "Time origin not stated" in markdown
    # the footnotes stand under the table, outside the table directive
    table_end = markdown.index("\n:::")
    assert markdown.index("Time origin not stated") > table_end


# ------------------------------------------------------------------ what the clinical read found (issue 20)


def _keypoints(notebook) -> str:
    cell = next(c for c in notebook["cells"] if c.get("id") == "hep-keypoints")
    return " ".join("".join(cell["source"]).split())


def test_prrt_survival_benefit_is_against_historical_cohorts(sof_data):
    results = hm.results_table(sof_data, "prrt")
    row = results[results["Outcome"].str.startswith("survival benefit")].iloc[0]
    assert row["Comparator arm"] == "historical cohorts (no value printed)"
    assert "compared with historical cohorts" in row["What limits confidence"]


def test_key_points_say_where_higher_response_rates_come_from(notebook):
    text = _keypoints(notebook)
    assert "not from randomised comparisons" not in text
    assert "randomised phase II trial ({glue:text}`hep_orr_above`)" in text
    assert "neither chemotherapy nor intra-arterial" in text
    glued = chapter_glue()["hep_orr_above"]
    assert "everolimus + bevacizumab 31% (CALGB 80701, randomised phase II)" in glued


def test_key_points_say_the_cochrane_reviews_did_not_identify_benefit(notebook, data):
    text = _keypoints(notebook)
    assert '"did not identify benefit"' in text and "found no benefit" not in text
    statement = data.conclusions.set_index("conclusion_id").loc["surg01-cochrane", "statement"]
    assert statement.startswith("did not identify benefit")


def test_tae_shows_the_similar_toxicities_of_the_tace_comparison(sof_data):
    for option, other in (("tae", "TACE"), ("tace", "TAE")):
        harms = hm.harms_table(sof_data, option)
        assert (harms["Harm as printed"] == "similar toxicities").any(), option
        assert (
            harms.loc[harms["Harm as printed"] == "similar toxicities", "Treatment"]
            .iloc[0]
            .endswith(f"(against {other})")
        )
    text = "\n".join(getattr(p, "data", "") for p in hm.option_parts(sof_data, "tae"))
    assert "None of the four sources states a harm" not in text


def test_recurrence_is_not_a_harm_of_transplantation(sof_data):
    lt = sof_data.harms[sof_data.harms["option_id"] == "liver_transplantation"]
    assert not lt["harm"].str.contains("recurren").any() and not lt["kind"].eq("cause of death").any()
    sher = sof_data.characteristics.set_index("study").loc["Sher (United States)"]
    assert "half of deaths were due to recurrent disease" in sher["remark"]
    assert "half of deaths were due to recurrent disease" in sher["quote"]


def test_populations_the_review_prints_are_shown(sof_data):
    def population(option, study):
        studies = hm.studies_table(sof_data, option)
        return studies.loc[studies["Study [reference]"].str.startswith(study), "Population as printed"].iloc[
            0
        ]

    assert population("ifn_5fu", "Andreyev") == "“patients with rapidly progressive NETs”"
    assert "NET LM from 1982 to 2009" in population("liver_transplantation", "Le Treut")
    assert "patients with NETs LM" in population("tace", "Pitt")


def test_sirt_against_tace_keeps_significantly_lower_the_registry_and_the_review_s_endpoint(sof_data, page):
    results = hm.results_table(sof_data, "sirt")
    twelve = results[results["Outcome"] == "response rate at 12 months"].iloc[0]
    assert (
        twelve["Difference (computed); P as printed"]
        == "-20 percentage points; P not printed; “significantly lower”"
    )
    assert twelve["Design"] == "registry (derived from the review's wording)"
    assert set(results["Outcome"]) >= {"treatment response", "response rate at 12 months"}
    assert "ORR" not in set(results["Outcome"])
    schell = sof_data.characteristics.set_index("study").loc["Schell (as cited)"]
    assert schell["design_as_printed"] == "international multicenter prospective treatment registry"
    assert schell["design_as_printed"] in schell["quote"] and "(46% vs. 66%)" in schell["quote"]


def test_the_case_patient_s_interferon_harms_are_those_of_the_combination_and_keep_the_hedge(
    sof_data, notebook
):
    case = sof_data.harms[sof_data.harms["evidence"] == "case report"]
    assert len(case) == 4
    assert (case["treatment"] == "pegylated IFN α 2a added to octreotide LAR every 21 days").all()
    assert (case["background_therapy"] == "octreotide depot 30 mg LAR every 21 days").all()
    hedge = case.set_index("harm_id").loc["oz19-case-no-side-effects"]
    assert (hedge["harm"], hedge["frequency_as_printed"]) == ("side effects", "no relevant")
    glued = chapter_glue()
    assert glued["hep_case_hedge"] == "'no relevant'"
    assert "octreotide LAR every 21 days" in glued["hep_case_ifn"]
    prose = " ".join("".join(c["source"]) for c in notebook["cells"] if c.get("id") == "hep-md-ifn-alpha")
    assert "had no adverse event" not in prose and "{glue:text}`hep_case_hedge` side effects" in prose


# ------------------------------------------------------------------ what a clinician looks for (issue 20, item 5)


def test_sirt_selection_says_what_is_not_a_contraindication(sof_data):
    text = hm.criteria_markdown(sof_data, "sirt").replace("\\", "")  # the Markdown escapes
    assert (
        "“portal vein thrombosis and impaired liver function are not considered contraindications to SIRT, "
        "as they are for TACE and TA”" in text
    )
    assert "not considered contraindications" not in hm.conclusions_markdown(sof_data, "sirt")


def test_the_liver_metastasis_types_are_defined(sof_data, page):
    types = hm.lm_types_table(sof_data)
    assert list(types["Type, as the review defines it"]) == [
        "“type I (single metastasis)”",
        "“type II (isolated bulk metastasis accompanied by smaller deposits)”",
        "“type III (disseminated metastatic spread)”",
    ]
    assert "Types of liver metastases, as the review defines them" in page


def test_survival_after_surgery_is_shown_beside_the_baseline(sof_data, page):
    glued = chapter_glue()
    assert glued["hep_base_pnet_5y"] == "'around 40–60%'" and glued["hep_radical_5y"] == "'up to 46–86%'"
    assert "metastatic pNETs (all treatments) (baseline, not a treatment result)" in page


def test_the_interferon_option_shows_what_every_source_states(notebook):
    cell = next(c for c in notebook["cells"] if c.get("id") == "hep-code-ifn-alpha")
    shown = cell_html(cell)
    assert "Interferon-α: what each of the four sources states" in shown
    for source in ("La Salvia 2016", "Özdirik", "Markey Cancer Center", "Zilembo 1993"):
        assert source in shown, source
    statements = load_table("interferon_statements")
    assert shown.count("<tr>") - shown.count("</thead>") >= len(statements)


def test_significance_printed_only_in_words_is_kept_as_printed(sof_data):
    def p_cell(option, study, outcome):
        results = hm.results_table(sof_data, option)
        row = results[(results["Study"] == study) & (results["Outcome"] == outcome)].iloc[0]
        return row["Difference (computed); P as printed"]

    assert p_cell("everolimus", "RADIANT-4", "median PFS").endswith(
        "P not printed; “significant improvement”"
    )
    assert p_cell("sunitinib", "Raymond (sunitinib)", "median PFS").endswith(
        "P not printed; “significantly longer”"
    )
    assert p_cell("everolimus", "RADIANT-2", "median PFS").endswith("P = 0.026")


def test_indirectness_is_said_once_and_holds_for_every_trial(sof_data, notebook):
    glued = chapter_glue()
    assert glued["hep_n_trials_indirect"] == glued["hep_n_trials"] != "0"
    trials = sof_data.characteristics[sof_data.characteristics["design"].str.startswith("randomised")][
        "study"
    ]
    judged = sof_data.certainty[sof_data.certainty["limitation"] == "indirect population"]["study"]
    assert set(trials) <= set(judged)
    text = " ".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert text.count("No trial the review quotes selected its patients by hepatic") == 1


# ------------------------------------------------------------------ the same footnotes in the PDF


def _alnum(text: str) -> str:
    """Letters and digits only: the PDF's text breaks and hyphenates lines, in tables and footnotes."""
    return re.sub(r"[\W_]+", "", text).casefold()


def _body(page: str) -> str:
    """A PDF page without its running head and foot (the book's title; the chapter or
    section and the page number; a footnote letter set apart), so that a footnote that
    runs onto the next page reads as one text."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    furniture = re.compile(
        r"^(\d+|[a-z]{1,2}|Metastatic neuroendocrine tumours: a reproducible review"
        r"|(Chapter )?\d+(\.\d+)*\.? [A-Z].*)$"
    )
    while lines and furniture.match(lines[0]):
        lines.pop(0)
    while lines and furniture.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def test_every_qualifier_footnote_is_in_the_pdf(sof_data, pdf_pages):  # noqa: F811
    """Every footnote the chapter puts under a table (each qualifier of each result, harm
    and study) is printed in the PDF, and the two majors read there as on the page."""
    text = _alnum(" ".join(_body(page) for page in pdf_pages))
    notes = set()
    for option_id in sof_data.options["option_id"]:
        for part in hm.option_parts(sof_data, option_id):
            if hasattr(part, "footnotes"):
                notes |= set(part.footnotes.texts)
    assert len(notes) >= 60
    missing = sorted(n for n in notes if _alnum(n) not in text)
    assert not missing, missing
    for shown in (
        "OS from initial diagnosis",
        "median OS from the first treatment cycle",
        "IFN + depot octreotide (background, every arm): 67%",
        "Time origin not stated",
    ):
        assert _alnum(shown) in text, shown


# ------------------------------------------------------------------ and in the built HTML


@pytest.fixture(scope="module")
def built_page() -> str:
    built = [paths.BUILD_HTML / "chapters" / f"{name}.html" for name in PAGES]
    assert all(b.exists() for b in built), (
        "no built chapter: run `make book` (make test does) before these tests"
    )
    return "".join(b.read_text(encoding="utf-8") for b in built)


def test_every_qualifier_is_beside_its_value_in_the_built_page(sof_data, built_page):
    """The same walk as above, over the page the reader opens (the build keeps the
    chapter's table HTML, its marks and its footnotes)."""
    test_every_qualifier_of_a_result_is_beside_its_value_in_the_chapter(sof_data, built_page)
    test_every_qualifier_of_a_harm_and_a_study_is_beside_it_in_the_chapter(sof_data, built_page)


# ------------------------------------------------------------------ pages, cards and the evidence map


@pytest.fixture(scope="module")
def map_cells(flagged_data):
    return hm.evidence_cells(flagged_data, load_table("evidence_map_designs"))


def test_every_option_has_its_card_on_exactly_one_page(data):
    on_pages = [o for options in hm.OPTION_PAGES.values() for o in options]
    assert sorted(on_pages) == sorted(data.options["option_id"])  # each once
    for page, option_ids in hm.OPTION_PAGES.items():
        code = "".join(
            "".join(c["source"])
            for c in json.loads((paths.CHAPTERS / f"{page}.ipynb").read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"
        )
        shown = re.findall(r'hm\.option_card\(data, "([a-z0-9_]+)"', code)
        assert shown == option_ids, (page, shown)


def test_evidence_map_counts_agree_with_the_tables(flagged_data, map_cells):
    """Recounted from the rows: every result of an option (as the options at a glance count
    them) sits in the column of its study's design; the patients are the printed n of the
    cell's distinct studies; the case report's column counts the harms rows whose evidence
    is the case report; an option with none of these has the one cell 'none'."""
    d = flagged_data
    designs = load_table("evidence_map_designs").set_index("design")["column"]
    design_of = d.characteristics.set_index("study")["design"]
    n_of = d.characteristics.set_index("study")["n"]
    overview = hm.overview(d).set_index("Option")["Results"]
    comp = d.comparisons()
    for option_id, modality in zip(d.options["option_id"], d.options["modality"]):
        mine = map_cells[map_cells["option_id"] == option_id].set_index("column")
        rows = hm.option_rows(comp, option_id)
        expected = {}
        for study in rows["study"]:
            expected[designs[design_of[study]]] = expected.get(designs[design_of[study]], 0) + 1
        got = {c: int(mine.loc[c, "results"]) for c in mine.index if mine.loc[c, "results"]}
        assert got == expected, (option_id, got, expected)
        assert sum(got.values()) == overview[modality]
        for column in got:
            studies = {s for s in rows["study"] if designs[design_of[s]] == column}
            printed = [int(n_of[s]) for s in studies if not pd.isna(n_of[s])]
            assert mine.loc[column, "patients"] == sum(printed)
            assert mine.loc[column, "studies"] == len(studies)
        case = d.harms[(d.harms["option_id"] == option_id) & (d.harms["evidence"] == "case report")]
        assert (int(mine.loc["case report", "statements"]) if "case report" in mine.index else 0) == len(case)
        assert ("none" in mine.index) == (rows.empty and case.empty)
    assert (map_cells["column"] == "randomised").any() and (map_cells["column"] == "none").any()


def test_every_design_has_a_column_and_an_unmapped_design_fails(flagged_data):
    designs = load_table("evidence_map_designs")
    assert set(flagged_data.characteristics["design"]) <= set(designs["design"])
    with pytest.raises(ValueError, match="evidence_map_designs.csv: no row for the design"):
        hm.evidence_cells(flagged_data, designs[designs["design"] != "registry"])


def test_the_stored_evidence_map_shows_every_cell_and_links_every_card(flagged_data, map_cells):
    overview = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    shown = next(cell_html(c) for c in overview["cells"] if "evidence-map" in cell_html(c))
    for row in map_cells.to_dict("records"):
        assert html.escape(hm.cell_text(row), quote=True) in shown, row
    hrefs = set(re.findall(r'href="([^"]+)"', shown.split('<p class="provenance-note">')[0]))
    assert hrefs == {hm.card_href(o) for o in flagged_data.options["option_id"]}
    figure = next(c for c in overview["cells"] if "fig-evidence-map" in json.dumps(c.get("metadata", {})))
    assert any("image/png" in o.get("data", {}) for o in figure["outputs"])
    prose = " ".join("".join(c["source"]) for c in overview["cells"] if c["cell_type"] == "markdown")
    assert "{numref}`fig-evidence-map`" in prose


def test_a_card_lists_its_results_strongest_design_first_with_links(flagged_data):
    refs = load_table("review_references")
    card = hm.option_card(flagged_data, "everolimus", refs)
    shown = card._repr_html_()
    in_card = shown.split("</section>")[0]
    assert in_card.count("<tr>") == min(hm.CARD_RESULTS, len(card.results)) + 1
    assert card.results["_rank"].is_monotonic_increasing
    assert "source_texts.html#" in shown  # each result's passage, each study's reference
    assert 'id="option-everolimus"' in shown and '<details class="option-evidence">' in shown
    more = len(card.results) - hm.CARD_RESULTS
    assert more > 0 and f"and {more} more results in the full evidence below" in shown
    # everything the card leaves out is in the fold: the full results table of the option
    assert (
        "everolimus (mTOR inhibitor), alone or with octreotide LAR: results per arm".casefold()
        in shown.casefold()
    )
    # the PDF form: the card's words and the full evidence
    md = card._repr_markdown_()
    assert "summary" in md and "results per arm" in md


def test_each_option_links_across_sources_where_they_speak_of_it():
    statements, case_options = load_table("interferon_statements"), load_table("case_option_mapping")
    assert hm.across_sources_links("ifn_alpha", statements, case_options)
    assert hm.across_sources_links("prrt", statements, case_options)  # the case report ruled it out
    assert not hm.across_sources_links("thermal_ablation", statements, case_options)


@pytest.mark.parametrize(
    "table, call",
    [
        ("evidence_map_designs", "hm.HepaticData("),  # the ranking: every page names a strongest design
        ("computed_response_rates", "hm.orr_points("),
        ("cytotoxic_options", "hm.orr_points("),
        ("response_endpoints", "hm.orr_points("),
        ("figure_reference_lines", "hm.reference_line("),
        ("citation_mismatches", "mismatches["),
    ],
)
def test_editing_a_judgement_re_executes_exactly_the_chapters_that_use_it(table, call):
    """The companion loads nothing: each chapter that calls the function a judgement
    feeds loads its table itself, so the build's digest (cache_inputs) knows it."""
    from netbook import cache_inputs

    def code(nb):
        return "\n".join(cache_inputs._code_cells(nb))

    using = [nb for nb in cache_inputs.chapter_notebooks() if call in code(nb)]
    assert using, call
    every_table = [
        nb
        for nb in cache_inputs.chapter_notebooks()
        if cache_inputs.ALL_TABLES in cache_inputs.tables_read(nb)
    ]
    assert [nb for nb in cache_inputs.readers(table) if nb not in every_table] == using
    csv_file = paths.DATA / "editorial" / f"{table}.csv"
    assert all(csv_file in cache_inputs.input_files(nb) for nb in using)


def test_two_designs_of_one_rank_are_refused_naming_file_row_column_and_rule(tmp_path):
    import shutil

    from netbook.tables import TableError

    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    csv_path = copy / "editorial" / "evidence_map_designs.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    rank = header.index("rank")
    first = lines[1].split(",")
    second = lines[2].split(",")
    second[rank] = first[rank]
    lines[2] = ",".join(second)
    csv_path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(TableError) as error:
        load_table("evidence_map_designs", copy / "datapackage.json")
    assert any(
        p.file.endswith("evidence_map_designs.csv")
        and p.row == 3
        and p.column == "rank"
        and "unique" in p.rule
        for p in error.value.problems
    ), error.value.problems


# ------------------------------------------------------------ the findings tables and the differences between arms
# The findings tables of the hepatic chapter: study characteristics, harms, the review's
# conclusions and the criteria groups; the differences between arms; the shared formatters.
#
# The loader checks schema, quotes, numbers and the fragments each schema declares as the
# source's words (``netbook:inQuote``; tests/test_data.py feeds it bad rows); these tests
# check what no row rule can: that the tables cover what they claim to cover, and that a
# computed difference agrees with the printed values.


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
