"""Checks on the text cells of the checkpoint-inhibitor and salvage tables.

The loader's number-in-quote rule covers digits only; these tests cover the words:
each text value that claims to be "as printed" must occur in its quote, and each
normalised value must follow from the printed one by the stated rule.
"""
from __future__ import annotations

import pandas as pd
import pytest

from netbook import load_table, paths
from netbook.provenance import normalise_whitespace as ws

SPELLING = {"somatostatin analog": "somatostatin analogue",
            "somatostatin analogs": "somatostatin analogue",
            "temozolamide": "temozolomide"}
SITE = {"pNET": "pancreas", "Bronchial NET": "bronchus", "NET of unknown primary": "unknown primary"}


def normalise_agents(printed: list[str]) -> list[str]:
    """The rule stated in the schema of prior_agents: split at 'and', fix spelling, lower case."""
    agents = []
    for item in printed:
        for part in item.split(" and "):
            agent = SPELLING.get(part.strip().lower(), part.strip().lower())
            if agent not in agents:
                agents.append(agent)
    return agents


@pytest.fixture(scope="module")
def patients():
    return load_table("checkpoint_patients")


def test_four_patients_in_table_order(patients):
    assert patients["patient"].tolist() == [1, 2, 3, 4]
    text = ws((paths.SOURCES / "002_dcf84ce6d430b244.txt").read_text(encoding="utf-8"))
    positions = [text.index(ws(q)) for q in patients["quote"]]
    assert positions == sorted(positions)


def test_printed_cells_occur_in_the_quote(patients):
    for row in patients.itertuples():
        quote = ws(row.quote)
        assert f"{row.age_years} y/o" in quote
        assert f"Stage {row.stage}" in quote
        assert row.grade in quote
        assert row.functional_status in quote.lower()
        assert f"{row.months_on_treatment} months on {row.agent}" in quote
        for item in row.prior_treatments:
            assert item in quote, item
        assert sum(site in quote for site, name in SITE.items() if name == row.primary_site) == 1


def test_normalised_agents_follow_from_the_printed_list(patients):
    for row in patients.itertuples():
        assert row.prior_agents == normalise_agents(row.prior_treatments)


def test_outcome_matches_the_printed_cell(patients):
    for row in patients.itertuples():
        quote = ws(row.quote)
        assert row.progressed == ("Progression" in quote)
        assert row.outcome == ("progression" if row.progressed else "stable disease")
        if not row.progressed:
            assert "Stable disease per imaging" in quote


def test_table_agrees_with_the_results_paragraph(patients):
    """The Results give the durations of the three patients still stable as '8 mo, 6 mo
    and 4 mo' and 14 months for the patient who progressed."""
    text = ws((paths.SOURCES / "002_dcf84ce6d430b244.txt").read_text(encoding="utf-8"))
    stable = patients[~patients["progressed"]]
    printed = ", ".join(f"{m} mo" for m in stable["months_on_treatment"][:-1])
    printed += f" and {stable['months_on_treatment'].iloc[-1]} mo"
    assert f"radiological stable disease ({printed})" in text
    progressed = patients[patients["progressed"]]
    assert len(progressed) == 1
    assert f"stable disease for {progressed['months_on_treatment'].iloc[0]} months" in text


def test_pdl1_counts_as_printed():
    for row in load_table("pdl1_prevalence").itertuples():
        assert f"{row.positive} out of their {row.total}" in ws(row.quote)
        assert row.population in ws(row.quote)


def test_regimen_cells_occur_in_the_quote():
    text = ws((paths.SOURCES / "001_c94afc5b11b30ef5.txt").read_text(encoding="utf-8"))
    for row in load_table("salvage_regimens").itertuples():
        # the regimen's name labels the arm; it stands earlier in the sentence than
        # the minimal quote, so it is checked against the whole abstract
        assert f"one {row.regimen_as_printed}" in text
        for cell in (row.drug, row.route, row.schedule):
            if not pd.isna(cell):
                assert cell in ws(row.quote), cell


def test_outcome_words_occur_in_the_quote():
    for row in load_table("salvage_outcomes").itertuples():
        assert row.outcome_as_printed in ws(row.quote)


def test_histologies_add_up_to_the_total():
    cohort = load_table("salvage_cohort")
    total = cohort.loc[cohort["kind"] == "total", "count"]
    assert len(total) == 1
    assert cohort.loc[cohort["kind"] == "histology", "count"].sum() == total.iloc[0]


def test_arms_add_up_to_the_total():
    total = load_table("salvage_cohort").set_index("group").loc["all patients", "count"]
    outcomes = load_table("salvage_outcomes")
    assert outcomes.loc[outcomes["outcome"] == "treated", "count"].sum() == total


@pytest.mark.parametrize("chapter,source", [
    ("checkpoint_inhibitors", "002_dcf84ce6d430b244.txt"),
    ("salvage_after_interferon", "001_c94afc5b11b30ef5.txt"),
])
def test_chapter_block_quotes_are_verbatim(chapter, source):
    """The authors' conclusions are quoted in Markdown; they must match the source."""
    import json
    text = ws((paths.SOURCES / source).read_text(encoding="utf-8"))
    nb = json.loads((paths.CHAPTERS / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    quotes = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        lines = "".join(cell["source"]).splitlines()
        block = [line[2:] for line in lines if line.startswith("> ")]
        if block:
            quotes.append(ws(" ".join(block)))
    assert quotes, "the chapter quotes its authors' conclusions"
    for quote in quotes:
        assert quote in text, quote
