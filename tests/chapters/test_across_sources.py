"""netbook.chapters.across_sources: the review's selection criteria applied to the case
report's patient, through the editorial tables case_criteria_mapping, case_vocabulary and
case_option_mapping (their consistency with the data is checked in test_data.py)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import cell_html, contradictions_note_links, notebook_cells

from netbook import load_table
from netbook.chapters.across_sources import (
    AGAINST_CRITERION,
    NOT_STATED,
    READERS,
    VOCABULARY_READERS,
    VOCABULARY_TESTS,
    case_criteria_record,
    case_options_beside_review,
    record_against_criteria,
    record_as_mapping,
    unmapped_variables,
)
from netbook.criteria import MET, NOT_MET, UNKNOWN, Interval, evaluate_criteria


@pytest.fixture(scope="module")
def mapping():
    return load_table("case_criteria_mapping")


@pytest.fixture(scope="module")
def vocabulary():
    return load_table("case_vocabulary")


@pytest.fixture(scope="module")
def option_mapping():
    return load_table("case_option_mapping")


@pytest.fixture(scope="module")
def record(case_tables, mapping, vocabulary):
    return case_criteria_record(case_tables, mapping, vocabulary)


@pytest.fixture(scope="module")
def criteria():
    return load_table("selection_criteria")


@pytest.fixture(scope="module")
def evaluated(criteria, record):
    return evaluate_criteria(criteria, record_as_mapping(record)).set_index("criterion_id")


def read(reader: str, printed: str, vocabulary: pd.DataFrame):
    """How one printed case value reads through ``reader``: a one-row patient record and
    a one-row mapping, through the public entry point."""
    tables = {
        "case_patient_record": pd.DataFrame({"variable": ["item"], "value": [printed], "quote": ["a quote"]})
    }
    mapping = pd.DataFrame(
        {
            "variable": ["v"],
            "case_table": ["case_patient_record"],
            "case_item": ["item"],
            "reader": [reader],
            "rationale": ["test"],
        }
    )
    return case_criteria_record(tables, mapping, vocabulary)["value"].item()


# ------------------------------------------------------------------ vocabulary mapping


def test_every_criteria_variable_has_a_rule(criteria, mapping):
    assert unmapped_variables(criteria, mapping) == []


def test_a_missing_rule_is_reported(criteria, mapping):
    assert unmapped_variables(criteria, mapping[mapping["variable"] != "grade"]) == ["grade"]


def test_vocabulary_mapping(vocabulary):
    assert read("grade", "G2", vocabulary) == 2
    assert read("differentiation", "highly  differentiated", vocabulary) == "well"
    assert read("differentiation", "Moderately differentiated", vocabulary) == "moderately"
    assert read("primary_site", "Ileum", vocabulary) == "midgut"
    assert read("number_or_range", "10 to 15", vocabulary) == Interval(10, 15)
    assert read("number_or_range", "63", vocabulary) == 63.0
    for bad, reader in [
        ("grade 2", "grade"),
        ("G4", "grade"),
        ("undifferentiated", "differentiation"),
        ("caecum", "primary_site"),
        ("about 10", "number_or_range"),
    ]:
        with pytest.raises((KeyError, ValueError)):
            read(reader, bad, vocabulary)


@pytest.mark.parametrize(
    "reader, printed, value",
    [
        ("number", "63", 63.0),
        ("stated_and_not_none", "peritoneal carcinomatosis", True),
        ("stated_and_not_none", "None", False),
        ("mentions_peritoneal", "Peritoneal carcinomatosis", True),
        ("mentions_peritoneal", "lymph nodes", False),
        ("positive_or_negative", "Negative", False),
        ("positive_or_negative", "positive", True),
        ("functional_or_not", "functional", True),
        ("functional_or_not", "non-functional", False),
        ("any_text", "flush", True),
        ("is_progressive_disease", "progressive disease", True),
        ("is_progressive_disease", "partial remission", False),
        ("is_r0", "RO", True),  # the clean extraction prints the letter O
        ("is_r0", "R1", False),
        ("excluded_means_absent", "Hedinger syndrome excluded", False),
    ],
)
def test_each_reader(vocabulary, reader, printed, value):
    assert read(reader, printed, vocabulary) == value


@pytest.mark.parametrize(
    "reader, printed",
    [
        ("positive_or_negative", "equivocal"),
        ("functional_or_not", "maybe"),
        ("excluded_means_absent", "Hedinger syndrome present"),
        ("grade", "2"),
        ("number", "sixty"),
    ],
)
def test_a_wording_no_reader_knows_is_an_error(vocabulary, reader, printed):
    with pytest.raises(ValueError):
        read(reader, printed, vocabulary)


def test_an_unknown_reader_or_vocabulary_row_is_an_error(vocabulary):
    with pytest.raises(KeyError, match="unknown reader"):
        read("guess", "G2", vocabulary)
    with pytest.raises(KeyError, match="add one with its rationale"):
        read("primary_site", "ileum", vocabulary[vocabulary["case_wording"] != "ileum"])


def test_a_wording_reads_through_the_vocabulary_only_where_a_row_says_so(vocabulary):
    # 'RO' is R0 because case_vocabulary says so: without its row it is read as printed
    without = vocabulary[vocabulary["vocabulary"] != "resection_margin"]
    assert read("is_r0", "RO", vocabulary) is True
    assert read("is_r0", "RO", without) is False
    assert read("is_r0", "R0", without) is True
    twice = pd.concat([vocabulary, vocabulary[vocabulary["case_wording"] == "RO"]])
    with pytest.raises(KeyError, match="2 rows for resection_margin 'RO'"):
        read("is_r0", "RO", twice)


def test_an_own_patients_context_takes_its_publications_design():
    from netbook.chapters.across_sources import statement_designs

    ifn = load_table("interferon_statements")
    args = (ifn, load_table("trial_characteristics"), load_table("study_designs"))
    own = load_table("own_patient_contexts")
    with_own = statement_designs(*args, own)
    without = statement_designs(*args, own[own["context"] != "salvage after IFN α"])
    salvage = (ifn["context"] == "salvage after IFN α").to_numpy()
    changed = (with_own != without).to_numpy()
    # the salvage statements not matched to a review study lose their series' design
    assert changed.any() and not (changed & ~salvage).any()
    assert set(with_own[changed]) == {"nonrandomised series"}


def test_every_reader_the_mapping_names_exists(mapping):
    known = set(READERS) | set(VOCABULARY_READERS) | set(VOCABULARY_TESTS) | {NOT_STATED}
    assert set(mapping["reader"]) <= known


def test_the_case_record_in_criteria_vocabulary(record):
    values = record.set_index("variable")["value"]
    assert values["age_years"] == 63
    assert values["grade"] == 2
    assert values["ki67_percent"] == Interval(10, 15)
    assert values["differentiation"] == "well"
    assert values["primary_site"] == "midgut"
    assert values["hepatic_tumour_load_percent"] == 70  # at the IFN decision, not the 50% at diagnosis
    assert values["extrahepatic_disease"] is True and values["peritoneal_disease"] is True
    assert values["ssr_expression"] is False  # liver metastases, not the SSR-positive primary
    assert values["primary_resected_r0"] is True
    assert values["right_heart_insufficiency"] is False
    # what the case report does not state stays unknown
    for variable in [
        "liver_disease_resectable",
        "liver_dominant_disease",
        "extra_abdominal_metastases",
        "portal_vein_thrombosis",
        "stable_disease_months",
        "lm_morphological_type",
    ]:
        assert values[variable] is None, variable


def test_every_read_value_keeps_its_quote_and_its_reading(record, mapping):
    stated = record[record["case_table"].notna()]
    assert stated["quote"].notna().all()
    assert record[record["case_table"].isna()]["quote"].isna().all()
    assert list(record["variable"]) == list(mapping["variable"])
    assert list(record["reading"]) == list(mapping["rationale"])


def test_a_changed_case_value_changes_the_mapping(case_tables, mapping, vocabulary):
    changed = dict(case_tables)
    rec = case_tables["case_patient_record"].copy()
    rec.loc[rec["variable"] == "SSR status of liver metastases", "value"] = "positive"
    changed["case_patient_record"] = rec
    values = case_criteria_record(changed, mapping, vocabulary).set_index("variable")["value"]
    assert values["ssr_expression"] is True


def test_a_mapping_row_naming_no_single_case_row_is_an_error(case_tables, mapping, vocabulary):
    broken = mapping.copy()
    broken.loc[broken["variable"] == "grade", "case_item"] = "grading"
    with pytest.raises(KeyError, match="expected one row 'grading' in case_patient_record"):
        case_criteria_record(case_tables, broken, vocabulary)


# ------------------------------------------------------------------ criteria on the case


@pytest.mark.parametrize(
    "criterion, expected",
    [
        ("milan_1", NOT_MET),  # Ki-67 10 to 15 vs < 5: not met at both ends
        ("milan_3", NOT_MET),  # age 63 vs < 55
        ("milan_5", MET),  # R0 resection of the primary
        ("milan_6", NOT_MET),  # 70% vs < 50%
        ("milan_7", NOT_MET),  # peritoneal carcinomatosis is extrahepatic
        ("milan_2", UNKNOWN),  # drainage not stated
        ("prrt_1", NOT_MET),  # SSR-negative liver metastases
        ("angio_1", MET),  # G2
        ("angio_2", UNKNOWN),  # liver-dominance not stated
        ("angio_3", NOT_MET),  # 70% vs < 50%
        ("iat_3b", MET),  # functional tumour
        ("tace_contra_1", UNKNOWN),
        ("chemo_3", MET),  # highly -> well differentiated
        ("tace_pref_1", NOT_MET),  # midgut, not lung or pancreas
    ],
)
def test_case_criteria(evaluated, criterion, expected):
    assert evaluated.loc[criterion, "result"] == expected


def test_other_readings_of_load_and_ki67_change_no_result(criteria, record, evaluated, case_tables):
    """The mapping rationales say so: the load at diagnosis and the peritoneal Ki-67 give the same results."""
    rec = case_tables["case_patient_record"].set_index("variable")["value"]
    ki67_peritoneal = (
        case_tables["case_histology"].query("specimen == 'peritoneal metastases'")["value"].item()
    )
    patient = record_as_mapping(record)
    for variable, value in [
        ("hepatic_tumour_load_percent", float(rec["hepatic tumour load at diagnosis"])),
        ("ki67_percent", float(ki67_peritoneal)),
    ]:
        other = evaluate_criteria(criteria, dict(patient, **{variable: value})).set_index("criterion_id")
        assert list(other["result"]) == list(evaluated["result"]), variable


def test_the_record_against_each_criterion_is_described_not_decided(evaluated):
    described = record_against_criteria(evaluated.reset_index()).set_axis(evaluated.index)
    assert described["milan_3"] == "differs from the criterion"  # age 63 vs < 55
    assert described["milan_5"] == "agrees with the criterion"  # R0 specimen
    assert described["milan_2"] == "not stated in the case report"
    assert set(described) <= set(AGAINST_CRITERION.values())
    for word in ("met", "allowed", "ruled out", "eligible"):
        assert not any(word in text.split() or word in text for text in AGAINST_CRITERION.values()), word
    with pytest.raises(ValueError):
        record_against_criteria(pd.DataFrame({"result": ["maybe"]}))


# ------------------------------------------------------------------ the case's options


def test_case_options_mapping_is_complete(option_mapping, evaluated):
    rejected = load_table("case_rejected_options")
    side = case_options_beside_review(rejected, evaluated.reset_index(), option_mapping)
    assert set(side["case_option"]) == set(rejected["option"])
    prrt = side[side["case_option"] == "177Lu-dotatate"].iloc[0]
    assert "only to patients with somatostatin receptor" in prrt["record_differs"]
    assert list(side.columns) == [
        "case_option",
        "decision",
        "case_reason",
        "review_option",
        "record_differs",
        "not_stated",
    ]
    with pytest.raises(KeyError):
        case_options_beside_review(
            pd.DataFrame({"option": ["cryoablation"], "decision": ["x"], "reason": ["y"]}),
            evaluated.reset_index(),
            option_mapping,
        )


def test_one_row_per_review_option_of_each_case_option(option_mapping, evaluated):
    rejected = load_table("case_rejected_options")
    side = case_options_beside_review(rejected, evaluated.reset_index(), option_mapping)
    tace = side[side["case_option"] == "Transcatheter arterial chemoembolization"]
    assert list(tace["review_option"]) == ["tace", "tae_tace", "angiographic_techniques"]
    assert tace["not_stated"].iloc[0] == "portal vein thrombosis; impaired liver function"
    unmapped = side[side["case_option"] == "Afterloading"]
    assert list(zip(unmapped["review_option"], unmapped["record_differs"])) == [
        ("—", "the review gives no criteria")
    ]


def test_no_verdict_per_option_comes_back():
    """Describe, do not decide: the chapter sets the case record beside each criterion the
    review gives and combines them into no verdict per treatment (no "allowed" column, no
    "rules out", no "meets the criteria of"), in its code, its prose and its outputs."""
    import re

    cells = _chapter_cells()
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    shown = "\n".join(cell_html(c) for c in cells)
    assert "per_option(" not in code and "per_criteria_set(" not in code
    assert not re.search(r"_allowed\b|\ballowed\s*=|\[\"allowed\"\]", code)
    for text in (prose, shown):
        for verdict in (
            "rules out",
            "meets the criteria of",
            "have allowed it",
            "<th>allowed</th>",
            "<th>result</th>",
            "met, not met or unknown",
            "leaves {glue:text}",
        ):
            assert verdict not in text, verdict
    assert "<th>record against the criterion</th>" in shown


# ------------------------------------------------------------------ evidence level and flags


def test_every_statement_has_a_design_from_the_data():
    from netbook.chapters.across_sources import statement_designs

    ifn = load_table("interferon_statements")
    designs = statement_designs(
        ifn,
        load_table("trial_characteristics"),
        load_table("study_designs"),
        load_table("own_patient_contexts"),
    )
    by_id = dict(zip(ifn["statement_id"], designs))
    assert by_id["ls08"] == by_id["ls07"] == "randomised phase II"  # the Yao trial, by its quote
    assert by_id["ls01"] == "review"
    assert by_id["oz07"] == "case report (one patient)"
    assert by_id["oz15"] == "cited; as printed: a retrospective study"
    assert by_id["zi05"] == "nonrandomised series"
    assert by_id["oz19"] == "a position, not a result"
    assert designs.str.len().gt(0).all()
    results = ifn["context"] != "position"
    assert not designs[results].str.startswith("a position").any()


#: The chapter and the two pages under it in _toc.yml (issue 21: the chapter's page keeps
#: interferon-α and the epidemiology; the criteria beside the case record, and the shared
#: references with the audit, each have a page of their own).
CHAPTER_PAGES = ("across_sources", "across_sources_criteria", "across_sources_checks")


def _chapter_cells(*pages: str):
    """The stored cells of the chapter's pages (all three, in reading order, by default)."""
    from netbook import paths

    return [c for page in pages or CHAPTER_PAGES for c in notebook_cells(paths.CHAPTERS / f"{page}.ipynb")]


def _section_titles(page: str) -> list[str]:
    return [
        line
        for c in _chapter_cells(page)
        if c["cell_type"] == "markdown"
        for line in "".join(c["source"]).splitlines()
        if re.match(r"#{1,3} ", line)
    ]


def test_the_chapter_page_holds_the_clinical_story_and_its_sub_pages_the_rest():
    """Interferon-α and the epidemiology on the chapter's page, the criteria and the audit
    one click away: the chapter's page links both pages under it, each of which links back,
    and _toc.yml lists them under the chapter."""
    import yaml

    from netbook import paths

    main = _section_titles("across_sources")
    assert "## Interferon-α in four sources" in main
    assert "## How often the disease has reached the liver at diagnosis" in main
    assert not any("criteria beside" in t or "References both" in t or "add up" in t for t in main), main
    assert "## Each criterion beside the case record" in _section_titles("across_sources_criteria")
    checks = _section_titles("across_sources_checks")
    assert "## References both sources cite" in checks and "## Do the sources add up?" in checks
    prose = "".join(
        "".join(c["source"]) for c in _chapter_cells("across_sources") if c["cell_type"] == "markdown"
    )
    assert "{doc}`across_sources_criteria`" in prose and "{doc}`across_sources_checks`" in prose
    for page in CHAPTER_PAGES[1:]:
        title = "".join(_chapter_cells(page)[0]["source"])
        assert title.startswith("# ") and "{doc}`across_sources`" in title, page
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    chapter = next(
        c for part in toc["parts"] for c in part["chapters"] if c["file"] == "chapters/across_sources"
    )
    assert [s["file"] for s in chapter["sections"]] == [f"chapters/{p}" for p in CHAPTER_PAGES[1:]]


def test_the_key_points_count_the_criteria_from_the_criteria_page():
    """The key points give the criteria counts glued on the criteria page (a cross-page
    glue), which are the counts that page shows."""
    from conftest import stored_glue

    from netbook import paths

    key_points = "".join(_chapter_cells("across_sources")[1]["source"])
    assert "Key points" in key_points
    glued = stored_glue(paths.CHAPTERS / "across_sources_criteria.ipynb")
    for key in ("crit_n", "crit_agrees", "crit_differs", "crit_unstated"):
        assert f"{{glue:text}}`across_sources_criteria.ipynb::{key}:s`" in key_points, key
        assert key in glued, key
    assert int(glued["crit_n"]) == sum(
        int(glued[k]) for k in ("crit_agrees", "crit_differs", "crit_unstated")
    )


def test_the_chapter_shows_designs_flags_and_its_contradictions(value_flags):
    cells = _chapter_cells()
    for caption in ("Every statement about interferon-α", "The points of the figure below"):
        shown = next(cell_html(c) for c in cells if f"<caption>{caption}" in cell_html(c))
        assert "<th>design</th>" in shown, caption
        assert 'href="source_texts.html#contradiction-lasalvia-bevacizumab-response"' in shown, caption
        assert "case report (one patient)" in shown or "randomised phase II" in shown
    figure = next(c for c in cells if "figure" in c.get("metadata", {}).get("mystnb", {}))
    assert "case_design" in "".join(figure["source"])

    used = [
        load_table(name)
        for name in (
            "interferon_statements",
            "epidemiology",
            "selection_criteria",
            "management_options",
            "case_patient_record",
            "case_clinical_findings",
            "course_of_disease",
            "case_histology",
            "case_rejected_options",
            "case_references",
            "review_references",
        )
    ]
    expected = set(value_flags.contradictions_touching(*used)["contradiction_id"])
    assert {"lasalvia-bevacizumab-response", "lasalvia-metastatic-at-diagnosis"} <= expected
    assert "ozdirik-ct-response-4-months" not in expected  # a difference in detail, listed apart
    assert contradictions_note_links(cells) == expected
    differences = next(cell_html(c) for c in cells if "differences-note" in cell_html(c))
    assert 'id="difference-ozdirik-ct-response-4-months"' in differences


def test_the_chapter_says_what_both_arms_of_the_bevacizumab_trial_received():
    """The 18-week PFS (95% against 67%) compares bevacizumab with pegylated interferon
    alpha-2b, both arms on depot octreotide, crossover allowed (the title of reference [85]
    in the review's own list): never interferon alone, in the data and on the page."""
    from netbook import coverage
    from netbook.provenance import normalise_whitespace

    ifn = load_table("interferon_statements").set_index("statement_id")
    for sid in ("ls07", "ls08", "ls09", "ls10"):
        row = ifn.loc[sid]
        assert "octreotide" in row["intervention"] and row["context"].endswith("both with octreotide"), sid
        assert row["regimen_in_reference"] in row["regimen_quote"]
        assert normalise_whitespace(row["regimen_quote"]) in coverage.normalised_text("lasalvia2016")
        assert row["regimen_locator"] == "Reference list, [85]"
        assert sid == "ls07" or row["cited_as_printed"] == "85"
    assert "pegylated" in ifn.loc["ls10", "intervention"]
    assert "allowed to receive the combination" in ifn.loc["ls07", "quote"]
    cells = _chapter_cells()
    key_points = "".join(next(c for c in cells if "Key points" in "".join(c["source"]))["source"])
    assert "no test of interferon alone" in key_points and "depot octreotide" in key_points
    assert "crossover" in key_points
    shown = "".join(cell_html(c) for c in cells)
    assert "pegylated IFN α-2b, with depot octreotide" in shown


def test_the_case_months_count_from_the_start_of_interferon():
    """30 months after the start of interferon is not 30 months of response: the first
    response came 4 (text) or 6 (Table 1) months after the start."""
    from conftest import stored_glue

    from netbook import paths

    ifn = load_table("interferon_statements").set_index("statement_id")
    assert ifn.loc["oz06", "endpoint"] != "duration of response"
    glued = stored_glue(paths.CHAPTERS / "across_sources.ipynb")
    assert (glued["ifn_case_first_response_text"], glued["ifn_case_first_response_table1"]) == ("4", "6")
    prose = "".join("".join(c["source"]) for c in _chapter_cells() if c["cell_type"] == "markdown")
    assert "count from the start, not from the response" in prose
    assert "response sustained" not in prose


def test_every_extraction_note_on_an_interferon_statement_is_a_footnote_beside_it():
    """Nothing the extraction knows about a statement is off the page: each note of
    interferon_statements is a footnote under the table of every statement, and its letter
    stands in that statement's row (beside the value, or the endpoint where none is printed)."""
    from bs4 import BeautifulSoup

    page = next(
        cell_html(c) for c in _chapter_cells() if "sof-footnotes" in cell_html(c) and "oz11" in cell_html(c)
    )
    soup = BeautifulSoup(page, "html.parser")
    footnotes = {}
    for note in soup.select("span.sof-footnote"):
        key = note.sup.get_text()
        footnotes[note.get_text()[len(key) :].strip()] = key
    marks = {}
    for row in soup.select("tbody tr"):
        cells = row.find_all("td")
        marks[cells[0].get_text()] = {k for m in row.select("sup.sof-mark") for k in m.get_text().split(",")}
    ifn = load_table("interferon_statements")
    noted = ifn[ifn["note"].notna()]
    assert len(noted) >= 20
    for statement_id, note in zip(noted["statement_id"], noted["note"]):
        key = footnotes[f"Extraction note: {' '.join(note.split())}"]
        assert key in marks[statement_id], (statement_id, key)


def test_editing_the_own_patients_contexts_re_executes_the_chapters_that_read_them():
    from netbook import cache_inputs

    using = [
        nb
        for nb in cache_inputs.chapter_notebooks()
        if "statement_designs(" in "\n".join(cache_inputs._code_cells(nb))
    ]
    every_table = [
        nb
        for nb in cache_inputs.chapter_notebooks()
        if cache_inputs.ALL_TABLES in cache_inputs.tables_read(nb)
    ]
    assert (
        using
        and [nb for nb in cache_inputs.readers("own_patient_contexts") if nb not in every_table] == using
    )


# --- the interferon-α figure (companion)
def test_the_ifn_figure_draws_an_interval_only_where_k_and_n_give_one_and_the_case_beside():
    from netbook.chapters.across_sources import ifn_figure

    points = pd.DataFrame(
        {
            "context": ["a", "b"],
            "label": ["first statement", "second statement"],
            "percent": [40.0, 10.0],
            "low": [20.0, None],
            "high": [60.0, None],
            "unit": ["%", None],
            "k": [4, None],
            "qualifier": [None, "up to"],
        }
    )
    case = pd.DataFrame({"timepoint": ["before", "after"], "value": ["90", "20"]})
    ax, ax_case = ifn_figure(points, case, "case report", {"a": "#000000", "b": "#ffffff"}).axes
    drawn = [(list(line.get_xdata()), line.get_marker()) for line in ax.get_lines() if len(line.get_xdata())]
    assert drawn == [([20.0, 60.0], "None"), ([40.0], "o"), ([10.0], "<")]
    assert [label.get_text() for label in ax.get_legend().get_texts()] == ["a", "b"]
    assert list(ax_case.get_lines()[0].get_ydata()) == [90.0, 20.0]
    assert ax_case.get_title() == "case report"
