"""The level of evidence behind a result, from the data, for the column or caption that
shows it beside the result.

A study's design is in ``trial_characteristics.design`` (read by the hepatic chapter's
companion); a result a publication reports about its own patients takes the
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


def cited_design(
    characteristics: pd.DataFrame, source_id: str, markers: pd.Series, unknown: str = "not stated"
) -> pd.Series:
    """Per citation marker a source prints ('85', '63-65'), the design of the study of
    ``trial_characteristics`` (same source) whose references are exactly that marker;
    ``unknown`` where no study has it (the design is then not in the book's tables)."""
    own = characteristics[characteristics["source_id"] == source_id]
    by_marker: dict[str, set[str]] = {}
    for refs, design in zip(own["references"], own["design"]):
        key = ",".join(m for m in (refs if isinstance(refs, list) else []) if m)
        if key:
            by_marker.setdefault(key, set()).add(design)
    out = []
    for marker in markers:
        designs = by_marker.get("" if is_missing(marker) else str(marker).replace(" ", ""), set())
        out.append(designs.pop() if len(designs) == 1 else unknown)
    return pd.Series(out, index=markers.index, dtype=object)
