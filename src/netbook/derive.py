"""Regenerate the machine-made tables under ``data/derived/`` from the source texts.

``make data`` runs ``python -m netbook.derive``. Each derived table is registered in
``data/datapackage.json`` with ``"netbook:kind": "derived"`` and made here by one
function from the source texts alone; ``tests/test_derive.py`` regenerates every one and
fails on any difference from the committed file. Never edit a derived CSV by hand.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd

from netbook import paths
from netbook.references import reference_table
from netbook.texts import source_text


def _reference_list(source_id: str):
    def make(sources: pd.DataFrame) -> pd.DataFrame:
        return reference_table(source_text(sources, source_id), source_id, "Reference list")

    return make


# derived table name -> function of the loaded sources table
DERIVED = {
    "case_references": _reference_list("ozdirik2020"),
    "review_references": _reference_list("lasalvia2016"),
}


def to_csv_text(df: pd.DataFrame) -> str:
    """The CSV text a derived table is stored as (booleans as Table Schema's true/false)."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "true", False: "false"})
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def derived_texts(package: Path = paths.DATAPACKAGE) -> dict[Path, str]:
    """Every derived table's path and the CSV text it regenerates to."""
    from netbook.tables import load_table, resources

    sources = load_table("sources", package)
    listed = {
        r["name"]: package.parent / r["path"]
        for r in resources(package)
        if r.get("netbook:kind") == "derived"
    }
    if set(listed) != set(DERIVED):
        raise KeyError(
            f"derived tables in {package.name} {sorted(listed)} differ from those this "
            f"module makes {sorted(DERIVED)}"
        )
    return {listed[name]: to_csv_text(make(sources)) for name, make in sorted(DERIVED.items())}


def main() -> int:
    for path, text in derived_texts().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(paths.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
