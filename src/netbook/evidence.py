"""The level of evidence behind a result, from the data, for the column or caption that
shows it beside the result.

The design of a study the review cites is in ``trial_characteristics.design``
(:func:`study_design` finds the study a quote reports). A result a publication reports
about its own patients takes that publication's design from ``study_designs`` (the case
report and the two abstracts: :func:`publication_design` for a column,
:func:`design_as_reported` for a caption, with the source's own words). A case report
is about one patient, and says so.
"""

from __future__ import annotations

import pandas as pd

from netbook.values import is_missing

#: What each kind of publication means for the number of patients behind its own results.
PATIENTS = {"case report": "one patient"}


def _design_row(designs: pd.DataFrame, source_id: str) -> pd.Series:
    rows = designs.loc[designs["source_id"] == source_id]
    if len(rows) != 1:
        raise KeyError(f"study_designs has no single row for source {source_id!r}")
    return rows.iloc[0]


def publication_design(designs: pd.DataFrame, source_id: str) -> str:
    """The design of a publication's own study, from the loaded ``study_designs`` table:
    'case report (one patient)' for ozdirik2020, 'retrospective case series' for the
    Markey abstract. Raises KeyError for a source with no row: a result never goes out
    without its design."""
    design = str(_design_row(designs, source_id)["design"])
    return f"{design} ({PATIENTS[design]})" if design in PATIENTS else design


def design_as_reported(designs: pd.DataFrame, source_id: str) -> str:
    """The design with how the book knows it, for a caption or a figure title:
    'retrospective case series (as printed: “Retrospective record based descriptive
    study”)', or the design and how it was derived."""
    row = _design_row(designs, source_id)
    design = publication_design(designs, source_id)
    if row["design_basis"] == "printed" and not is_missing(row["design_as_printed"]):
        return f"{design} (as printed: “{row['design_as_printed']}”)"
    return f"{design} ({row['design_basis']})"


def study_design(characteristics: pd.DataFrame, source_id: str, quote: str) -> str | None:
    """The design of the study of ``trial_characteristics`` (same source) whose quote
    overlaps ``quote`` (:func:`netbook.flags.quotes_overlap`); None when no study's does,
    or when studies of different designs do."""
    from netbook.flags import quotes_overlap

    own = characteristics[characteristics["source_id"] == source_id]
    designs = {d for q, d in zip(own["quote"], own["design"]) if quotes_overlap(source_id, q, quote)}
    return designs.pop() if len(designs) == 1 else None
