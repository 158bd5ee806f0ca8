"""The checkpoint-inhibitor chapter: the Markey abstract's own statements set beside its
Table 1 (flagged, never corrected), and the later paper said to come from the note that came
with the source texts, not from the abstract."""

from __future__ import annotations

import pandas as pd
from conftest import cell_html, notebook_cells, stored_glue

from netbook import load_table, paths
from netbook.chapters.checkpoint_inhibitors import swimmer_figure

NOTEBOOK = paths.CHAPTERS / "checkpoint_inhibitors.ipynb"


def _key_points() -> str:
    return "".join(
        next(c for c in notebook_cells(NOTEBOOK) if "Key points" in "".join(c["source"]))["source"]
    )


def test_the_abstracts_own_statements_are_data_with_their_checks():
    statements = load_table("checkpoint_statements").set_index("statement_id")
    assert statements.loc["mk01", "statement_as_printed"].startswith("Currently, no clinical data exists")
    assert "all FDA-approved agents" in statements.loc["mk02", "statement_as_printed"]
    assert statements.loc["mk02", "checkable_against"] == "Table 1, prior treatments of each patient"
    shown = "".join(cell_html(c) for c in notebook_cells(NOTEBOOK))
    assert "The abstract&#x27;s own statements" in shown or "The abstract's own statements" in shown
    assert "Prior agents that Table 1 lists for some patients and not for others" in shown


def test_all_fda_approved_agents_is_flagged_against_table_1_not_corrected():
    """Table 1 lists sunitinib for two patients only and a somatostatin analogue for three:
    the key points say so beside the claim, and the book supplies no list of approvals."""
    patients = load_table("checkpoint_patients")
    listed = (
        patients[["patient", "prior_agents"]]
        .explode("prior_agents")
        .groupby("prior_agents")["patient"]
        .nunique()
    )
    uneven = listed[listed < len(patients)]
    assert {"sunitinib", "somatostatin analogue"} <= set(uneven.index)
    glued = stored_glue(NOTEBOOK)
    assert (
        glued["ici_uneven_agents"]
        == "'" + "; ".join(f"{a} for {n} of {len(patients)}" for a, n in uneven.sort_index().items()) + "'"
    )
    key_points = _key_points()
    assert "all FDA-approved agents" in key_points and "{glue:text}`ici_uneven_agents`" in key_points


def test_no_objective_response_is_stated():
    assert set(load_table("checkpoint_patients")["outcome"]) <= {"stable disease", "progression"}
    assert stored_glue(NOTEBOOK)["ici_n_objective"] == "0"
    key_points = _key_points()
    assert "No patient had an objective response" in key_points
    assert "no\n  clinical data exists" in key_points or "no clinical data exists" in key_points


def test_the_later_paper_is_attributed_to_the_note_not_to_the_abstract():
    intro = "".join(notebook_cells(NOTEBOOK)[0]["source"])
    assert "chauhan2018" in intro and "note that\ncame with the source texts" in intro
    sources = load_table("sources").set_index("source_id")
    assert "Chauhan" not in sources.loc["markey_ici_abstract", "citation"]
    assert "SHARED_README.md" in sources.loc["markey_ici_abstract", "citation_basis"]
    text = (paths.DATA / "sources" / sources.loc["markey_ici_abstract", "file"]).read_text(encoding="utf-8")
    assert "Chauhan" not in text and "Oncotarget" not in text  # the abstract names no later paper


# --- the swimmer plot (companion)
PATIENTS = pd.DataFrame(
    {
        "patient": [1, 2],
        "agent": ["pembrolizumab", "nivolumab"],
        "months_on_treatment": [3, 11],
        "progressed": [True, False],
        "kps_before": pd.array([None, 70], dtype="Int64"),
        "kps_after": pd.array([None, 90], dtype="Int64"),
        "primary_site": ["lung", "pancreas"],
        "grade": ["G2", "G3"],
    }
)


def test_one_bar_per_patient_as_long_as_the_months_on_treatment_patient_1_on_top():
    ax = swimmer_figure(PATIENTS, "case series").axes[0]
    bars = sorted(ax.patches, key=lambda bar: bar.get_y())
    assert [bar.get_width() for bar in bars] == [11, 3]
    assert [label.get_text() for label in ax.get_yticklabels()] == [
        "Patient 2: pancreas, G3",
        "Patient 1: lung, G2",
    ]


def test_progression_ends_in_a_cross_and_ongoing_disease_in_an_arrow_with_its_kps():
    ax = swimmer_figure(PATIENTS, "case series").axes[0]
    markers = {line.get_marker() for line in ax.get_lines() if len(line.get_xdata())}
    assert markers == {"X", ">"}
    notes = [text.get_text() for text in ax.texts]
    assert notes == ["11 months; KPS 70% → 90%", "3 months"]
    assert ax.get_title(loc="left") == "Design: case series"
