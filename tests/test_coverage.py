"""Every number a source prints is quoted by a table or set aside for a stated reason."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook import coverage, list_tables, load_table
from netbook.provenance import normalise_whitespace

SOURCES = sorted(coverage.source_files())


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: load_table(name) for name in list_tables()}


@pytest.fixture(scope="module")
def rows(tables) -> pd.DataFrame:
    return coverage.quoting_rows(tables)


@pytest.fixture(scope="module")
def set_aside(tables) -> pd.DataFrame:
    return tables["set_aside_sentences"]


# --- the sentence rule -----------------------------------------------------------


@pytest.mark.parametrize(
    "block, expected",
    [
        (
            "Longer PFS (14.3 vs. 6 months) and a higher rate. Next one.",
            ["Longer PFS (14.3 vs. 6 months) and a higher rate.", "Next one."],
        ),
        (
            "Oberg et al. reported a benefit. Ryschich et al. were first.",
            ["Oberg et al. reported a benefit.", "Ryschich et al. were first."],
        ),
        (
            "It is used in later lines, e.g. in intestinal NET. Then more.",
            ["It is used in later lines, e.g. in intestinal NET.", "Then more."],
        ),
        (
            "A tumour (Fig. 1). In work-up, CgA was 29,924 μ g/L (Fig. 2).",
            ["A tumour (Fig. 1).", "In work-up, CgA was 29,924 μ g/L (Fig. 2)."],
        ),
        (
            "Correspondence to: Dr. Maria Pia Brizzi, Turin. E-mail: x",
            ["Correspondence to: Dr. Maria Pia Brizzi, Turin.", "E-mail: x"],
        ),
        (
            "carcinoid heart disease.^[1–3] Surgical resection is curative.",
            ["carcinoid heart disease.^[1–3]", "Surgical resection is curative."],
        ),
        (
            "an overall response rate of 41.6 was achieved.^[67] Other studies",
            ["an overall response rate of 41.6 was achieved.^[67]", "Other studies"],
        ),
        (
            "| | 02/2018 | | Hepatic partial remission. Peritoneal carcinomatosis stable. |",
            ["| | 02/2018 | | Hepatic partial remission. Peritoneal carcinomatosis stable. |"],
        ),
    ],
)
def test_split_sentences(block, expected):
    assert coverage.split_sentences(block) == expected


def test_blocks_join_a_sentence_broken_by_a_blank_line_and_keep_headings_apart():
    text = (
        "1. Introduction\n\nIn many centres, in the case\n\nof insufficient control, SSA.\n\nSURGERY\n\nText."
    )
    got = [s.text for s in coverage.sentences_of(text, "x")]
    assert got == [
        "1. Introduction",
        "In many centres, in the case of insufficient control, SSA.",
        "SURGERY",
        "Text.",
    ]


@pytest.mark.parametrize(
    "sentence, numbers",
    [
        ("NET G2 with Ki67 < 5% (Fig. 1).^[23]", ["5"]),
        ("urinary 5-HIAA and 5-FU in RADIANT-3 with 177Lu-DOTATATE", []),
        ("Ki 67 up to 15% and KI-67 17%", ["15", "17"]),
        ("a 5-year survival of 52% (Table 1)", ["5", "52"]),
        ("pegylated IFNa2a (135mg/wk), diarrhea (up to 10x/day)", ["135", "10"]),
        ("Seventeen patients; one partial response", ["Seventeen", "one"]),
        ("2. Case presentation", []),
        ("(1) resectable disease; (2) no right heart insufficiency", []),
        ("DOI 10.20517/2394-4722.2016.37", ["10.20517", "2394"]),
        ("was 29,924 μ g/L.", ["29,924"]),
    ],
)
def test_printed_numbers(sentence, numbers):
    assert coverage.printed_numbers(sentence) == numbers


def test_a_quote_covers_a_sentence_only_through_one_of_its_numbers():
    text = "The rate was 52% at five years. Other words follow here."
    first = coverage.sentences_of(text, "x")[0]
    normalised = normalise_whitespace(text)
    assert coverage.quotes_sentence(coverage.quote_spans("rate was 52%", normalised), first)
    assert not coverage.quotes_sentence(coverage.quote_spans("The rate was", normalised), first)
    assert not coverage.quotes_sentence(coverage.quote_spans("years. Other words", normalised), first)


def test_the_raw_pdf_sentences_find_their_clean_twin():
    clean = coverage.sentences("ozdirik2020")
    raw = {s.text: s for s in coverage.sentences("ozdirik2020_pdf")}
    sentence = raw["The proliferation rate according to antigen KI- 67 was 10% to 15%."]
    assert (
        coverage.twin_of(sentence, clean).text
        == "The proliferation rate according to antigen KI-67 was 10% to 15%."
    )
    header = next(s for s in raw.values() if s.text.startswith("Özdirik et al. Medicine"))
    assert coverage.twin_of(header, clean) is None


# --- coverage of the data ------------------------------------------------------------


def _statuses(rows, set_aside):
    return {source: coverage.statuses(source, rows, set_aside) for source in SOURCES}


def test_every_numeric_sentence_is_quoted_or_set_aside(rows, set_aside):
    uncovered = [
        f"{source}, {s.sentence.section}: {s.sentence.text!r} (numbers {', '.join(s.sentence.numbers)})"
        for source, sts in _statuses(rows, set_aside).items()
        for s in sts
        if s.sentence.numeric and s.state == "uncovered"
    ]
    assert not uncovered, (
        "numeric sentences neither quoted by a table nor in set_aside_sentences:\n" + "\n".join(uncovered)
    )


def test_every_source_has_numeric_sentences_and_all_are_accounted_for(rows, set_aside):
    summary = coverage.summary(_statuses(rows, set_aside)).set_index("source")
    assert (summary["numeric sentences"] > 0).all()
    reasons = [c for c in summary if c.startswith("set aside: ")]
    assert (
        summary["quoted"] + summary[reasons].sum(axis=1) + summary["uncovered"]
        == summary["numeric sentences"]
    ).all()


def _set_aside_problems(rows: pd.DataFrame, set_aside: pd.DataFrame) -> list[str]:
    problems = []
    by_text = {(source, s.text): s for source in SOURCES for s in coverage.sentences(source)}
    for index, row in set_aside.iterrows():
        where = f"set_aside_sentences.csv row {index + 2} ({row['source_id']}, {row['quote'][:50]!r})"
        sentence = by_text.get((row["source_id"], normalise_whitespace(row["quote"])))
        if sentence is None:
            problems.append(f"{where}: not a whole sentence of the source as netbook.coverage splits it")
            continue
        if not sentence.numeric:
            problems.append(f"{where}: the sentence prints no number; it needs no set-aside row")
            continue
        if list(sentence.numbers) != list(row["numbers"]):
            problems.append(
                f"{where}: numbers {row['numbers']} but the sentence prints {list(sentence.numbers)}"
            )
        normalised = coverage.normalised_text(row["source_id"])
        quoted_by = sorted(
            {
                f"{t} row {r}"
                for t, r, q in rows[rows["source_id"] == row["source_id"]][
                    ["table", "row", "quote"]
                ].itertuples(index=False)
                if coverage.quotes_sentence(coverage.quote_spans(q, normalised), sentence)
            }
        )
        if quoted_by:
            problems.append(f"{where}: now quoted by table {'; '.join(quoted_by)}: remove this set-aside row")
    return problems


def test_set_aside_rows_are_numeric_sentences_no_table_quotes(rows, set_aside):
    problems = _set_aside_problems(rows, set_aside)
    assert not problems, "\n".join(problems)


def test_the_set_aside_check_reports_a_row_that_became_quoted(rows, set_aside):
    row = set_aside.iloc[0]
    extra = pd.DataFrame(
        [
            {
                "table": "trial_results",
                "row": 9,
                "source_id": row["source_id"],
                "locator": row["locator"],
                "quote": row["quote"],
            }
        ]
    )
    problems = _set_aside_problems(pd.concat([rows, extra], ignore_index=True), set_aside.iloc[[0]])
    assert problems == [
        f"set_aside_sentences.csv row 2 ({row['source_id']}, {row['quote'][:50]!r}): "
        "now quoted by table trial_results row 9: remove this set-aside row"
    ]


def test_the_set_aside_check_rejects_fragments_and_sentences_without_numbers(rows, set_aside):
    bad = set_aside.iloc[[0, 0]].copy().reset_index(drop=True)
    bad.loc[0, "quote"] = bad.loc[0, "quote"][:-5]
    bad.loc[1, ["source_id", "quote"]] = ["ozdirik2020", "Notably, no relevant side effects were observed."]
    problems = _set_aside_problems(rows, bad)
    assert "not a whole sentence" in problems[0] and "prints no number" in problems[1]


def test_a_missing_set_aside_row_fails_the_coverage(rows, set_aside):
    fewer = set_aside.iloc[1:]
    missing = [
        s
        for source, sts in _statuses(rows, fewer).items()
        for s in sts
        if s.sentence.numeric and s.state == "uncovered"
    ]
    assert [s.sentence.text for s in missing] == [
        normalise_whitespace(set_aside.iloc[0]["quote"])
    ] or normalise_whitespace(set_aside.iloc[0]["quote"]) in [s.sentence.text for s in missing]


def test_every_set_aside_row_has_a_reason_from_the_vocabulary_and_a_rationale(set_aside):
    assert set(set_aside["reason"]) <= set(coverage.REASONS)
    assert (set_aside["rationale"].str.split().str.len() >= 2).all()


def test_no_set_aside_sentence_waits_to_be_extracted(set_aside):
    """Every clinical statement is in a table: the epidemiology (table epidemiology) and the
    case report's symptom-control options (symptom_control_statements) were the last ones."""
    assert "not extracted yet" not in set(set_aside["reason"])
    quoted = {
        normalise_whitespace(q)
        for name in ("epidemiology", "symptom_control_statements")
        for q in load_table(name)["quote"]
    }
    assert (
        "At diagnosis, about 65-95% of gastroenteropancreatic neuroendocrine tumors (GEP-NETs) show hepatic metastasis."
        in quoted
    )
    assert not quoted & {normalise_whitespace(q) for q in set_aside["quote"]}


def test_provenance_notes_link_each_place_to_its_first_quoted_sentence():
    from netbook.display import provenance

    outcomes = load_table("salvage_outcomes")
    note = provenance(outcomes)._repr_html_()
    anchors = {u.anchor for u in coverage.units("zilembo1993")}
    linked = [part.split('"')[0] for part in note.split('href="source_texts.html#')[1:]]
    assert linked and set(linked) <= anchors
    first = min(
        (coverage.quote_spans(q, coverage.normalised_text("zilembo1993"))[0][0], q) for q in outcomes["quote"]
    )[1]
    assert linked[0] == coverage.anchor_for_quote("zilembo1993", first)


def test_every_quote_of_every_table_lands_on_a_sentence_of_the_reading_view(tables):
    missing = [
        f"{name} row {i + 2}"
        for name, df in sorted(tables.items())
        if "quote" in df
        for i, (s, q) in enumerate(zip(df["source_id"], df["quote"]))
        if coverage.anchor_for_quote(s, q) is None
    ]
    assert not missing, f"quotes without a sentence to link to: {missing}"


# --- what the module knows of a source comes from sources.csv ---------------------


def _rows_with(monkeypatch, **changes):
    """sources.csv's rows as coverage reads them, with some cells changed:
    ``changes`` maps source_id -> {column: value}."""
    rows = {s: dict(r) for s, r in coverage.source_rows().items()}
    for source_id, cells in changes.items():
        rows[source_id].update(cells)
    monkeypatch.setattr(coverage, "source_rows", lambda: rows)
    return rows


def test_a_second_extraction_is_covered_through_the_preferred_one_of_its_publication():
    rows = coverage.source_rows()
    for source_id, row in rows.items():
        twin = coverage.preferred_extraction(source_id)
        if row["preferred"] == "true":
            assert twin is None
        else:
            assert rows[twin]["publication_id"] == row["publication_id"] and rows[twin]["preferred"] == "true"
    assert any(coverage.preferred_extraction(s) for s in rows)  # the case report's raw PDF


def test_a_second_extraction_without_a_preferred_one_is_an_error_naming_file_row_columns_rule(monkeypatch):
    second = next(s for s, r in coverage.source_rows().items() if r["preferred"] == "false")
    _rows_with(monkeypatch, **{second: {"publication_id": "no_such_publication"}})
    with pytest.raises(
        ValueError, match=rf"sources.csv, row '{second}', columns publication_id and preferred.*rule"
    ):
        coverage.preferred_extraction(second)


def test_the_body_ends_where_sources_csv_says_the_reference_list_begins(monkeypatch):
    text = "Intro 1.\nReferences\n[1] A paper 2001.\n"
    _rows_with(monkeypatch, lasalvia2016={"reference_list_heading": "References"})
    assert coverage.body(text, "lasalvia2016") == "Intro 1."
    _rows_with(monkeypatch, lasalvia2016={"reference_list_heading": ""})
    assert coverage.body(text, "lasalvia2016") == text


def test_the_first_section_is_read_from_sources_csv(monkeypatch):
    text = "A sentence with 12 patients."
    assert coverage.sentences_of(text, "zilembo1993")[0].section == "Abstract"
    _rows_with(monkeypatch, zilembo1993={"first_section": "Front matter"})
    assert coverage.sentences_of(text, "zilembo1993")[0].section == "Front matter"


@pytest.mark.parametrize(
    "block, furniture",
    [
        ("Özdirik et al. Medicine (2020) 99:25 www.md-journal.com", True),
        ("Smith et al. Journal of Things (1999) 4:1", True),
        ("Smith et al. reported 12 patients (2001).", False),
        ("Smith et al. (2001) reported 12 patients.", False),
    ],
)
def test_a_running_page_header_is_furniture_by_its_form_not_its_journal(block, furniture):
    assert bool(coverage._FURNITURE.match(block)) is furniture


def test_coverage_names_no_source():
    import inspect

    code = inspect.getsource(coverage)
    for source_id in coverage.source_rows():
        assert f'"{source_id}"' not in code and f"'{source_id}'" not in code, source_id
