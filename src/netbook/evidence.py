"""The level of evidence behind a result, from the data, for the column or caption that
shows it beside the result.

A study's design is in ``trial_characteristics.design`` (:func:`study_design` finds the
study a quote reports); a result a publication reports about its own patients takes the
publication's kind from the sources table (``sources.kind``, "case report, full text":
the part before the comma). A case report is about one patient, and says so.
"""

from __future__ import annotations

import pandas as pd

from netbook.values import is_missing

#: What each kind of publication means for the number of patients behind its own results.
PATIENTS = {"case report": "one patient"}


def publication_design(sources: pd.DataFrame, source_id: str) -> str:
    """'case report (one patient)' for ozdirik2020, from the loaded sources table; the
    kind as recorded for other publications ('conference abstract')."""
    row = sources.loc[sources["source_id"] == source_id]
    if len(row) != 1:
        raise KeyError(f"no single source {source_id!r} in the sources table")
    kind = row["kind"].iloc[0]
    if is_missing(kind):
        return "not stated"
    design = str(kind).split(",")[0].strip()
    return f"{design} ({PATIENTS[design]})" if design in PATIENTS else design


def study_design(characteristics: pd.DataFrame, source_id: str, quote: str) -> str | None:
    """The design of the study of ``trial_characteristics`` (same source) whose quote
    overlaps ``quote`` (:func:`netbook.flags.quotes_overlap`); None when no study's does,
    or when studies of different designs do."""
    from netbook.flags import quotes_overlap

    own = characteristics[characteristics["source_id"] == source_id]
    designs = {d for q, d in zip(own["quote"], own["design"]) if quotes_overlap(source_id, q, quote)}
    return designs.pop() if len(designs) == 1 else None
