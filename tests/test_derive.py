"""netbook.derive: every table under data/derived/ is exactly what the code makes from
the source texts (``make data``); a hand edit or a parser change shows up here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from netbook import derive, paths
from netbook.tables import list_tables, resources


def stale(package: Path) -> list[str]:
    """Derived files (relative to the package) whose committed bytes differ from the regeneration."""
    return sorted(
        str(path.relative_to(package.parent))
        for path, text in derive.derived_texts(package).items()
        if path.read_bytes() != text.encode("utf-8")
    )


@pytest.fixture(scope="module")
def regenerated() -> dict[Path, str]:
    return derive.derived_texts()


def test_every_derived_table_is_regenerated(regenerated):
    derived = [r for r in resources() if r.get("netbook:kind") == "derived"]
    assert derived, "datapackage.json marks no table as derived"
    assert sorted(regenerated) == sorted(paths.DATA / r["path"] for r in derived)
    assert all(path.parent == paths.DERIVED for path in regenerated)
    assert sorted(derive.DERIVED) == sorted(r["name"] for r in derived)
    assert set(derive.DERIVED) <= set(list_tables())


def test_committed_derived_tables_are_byte_identical_to_the_regeneration(regenerated):
    differ = [
        str(path.relative_to(paths.ROOT))
        for path, text in regenerated.items()
        if path.read_bytes() != text.encode("utf-8")
    ]
    assert not differ, (
        f"run `make data` (python -m netbook.derive): these differ from the code's output: {differ}"
    )


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text.replace("Faiss S", "Faiss SA", 1),  # a hand edit of a cell
        lambda text: text.replace("\n", "\r\n"),  # line endings only
        lambda text: text + "\n",  # a trailing blank line
    ],
)
def test_a_changed_derived_csv_is_detected(tmp_path, edit):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    assert stale(copy / "datapackage.json") == []
    target = copy / "derived" / "case_references.csv"
    changed = edit(target.read_text(encoding="utf-8"))
    assert changed != target.read_text(encoding="utf-8")
    target.write_bytes(changed.encode("utf-8"))
    assert stale(copy / "datapackage.json") == ["derived/case_references.csv"]


def test_a_derived_table_the_code_does_not_make_is_an_error(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "pdl1_prevalence":
            resource["netbook:kind"] = "derived"
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(KeyError, match="pdl1_prevalence"):
        derive.derived_texts(copy / "datapackage.json")


def test_to_csv_text_writes_booleans_as_table_schema_does():
    df = pd.DataFrame({"number": [1, 2], "number_printed": [True, False], "journal": ["J, Clin", None]})
    assert derive.to_csv_text(df) == 'number,number_printed,journal\n1,true,"J, Clin"\n2,false,\n'
