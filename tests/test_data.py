"""Every table in the data package validates, and its checks bite."""
from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from netbook import TableError, list_tables, load_sources, load_table, paths
from netbook.cache_inputs import loader_calls

TABLES = list_tables()
SHARED = paths.ROOT.parent / "shared" / "sources"


def _descriptor() -> dict:
    return json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))


def _schema(name: str) -> dict:
    resource = next(r for r in _descriptor()["resources"] if r["name"] == name)
    return json.loads((paths.DATA / resource["schema"]).read_text(encoding="utf-8"))


def test_sources_table_matches_the_files():
    sources = load_sources()
    listed = set(sources["file"])
    on_disk = {p.name for p in paths.SOURCES.glob("*.txt")}
    assert listed == on_disk
    assert sources["preferred"].sum() == sources["publication_id"].nunique()


def test_source_texts_are_byte_identical_to_shared():
    # ../shared exists on the developers' machines and in CI, not on a user's clone.
    if not SHARED.exists():
        pytest.skip("../shared/sources is absent here; data/sources holds the copies")
    for original in sorted(SHARED.glob("*.txt")):
        copy = paths.SOURCES / original.name
        assert copy.exists(), f"{original.name} is missing from data/sources"
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == \
            hashlib.sha256(original.read_bytes()).hexdigest(), original.name


def test_there_are_extracted_tables():
    assert TABLES, "data/datapackage.json registers no extracted table"


@pytest.mark.parametrize("name", TABLES)
def test_table_validates(name):
    df = load_table(name)
    assert len(df) > 0, f"{name} is empty"


@pytest.mark.parametrize("name", TABLES)
def test_table_schema_is_complete(name):
    schema = _schema(name)
    names = [f["name"] for f in schema["fields"]]
    assert names[-3:] == ["source_id", "locator", "quote"], "provenance columns come last"
    assert schema.get("primaryKey"), "every table needs a primary key"
    assert {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}} \
        in schema.get("foreignKeys", []), "source_id must reference the sources table"
    assert any(f.get("netbook:role") == "value" for f in schema["fields"]), \
        "no field is marked as holding extracted values, so no number would be checked"
    undocumented = [f["name"] for f in schema["fields"] if not f.get("description")]
    assert not undocumented, f"fields without a description: {undocumented}"


def _value_fields(name: str) -> dict[str, dict]:
    """Value fields whose cells can print a number (dates are checked separately)."""
    return {f["name"]: f for f in _schema(name)["fields"]
            if f.get("netbook:role") == "value" and f.get("type", "string") in {"integer", "number", "string"}}


def _first_cell_with_a_number(name: str) -> tuple[int, str] | None:
    """(row index, field) of the first value cell that prints a number."""
    fields = _value_fields(name)
    resource = next(r for r in _descriptor()["resources"] if r["name"] == name)
    with (paths.DATA / resource["path"]).open(newline="", encoding="utf-8") as f:
        for index, row in enumerate(csv.DictReader(f)):
            for field in fields:
                if re.search(r"\d", row[field] or ""):
                    return index, field
    return None


def _mutated(cell: str, field: dict, quote: str) -> str:
    """The cell with its first number moved to a value the quote does not print
    (and, for numeric fields, that the schema's minimum and maximum still accept)."""
    from netbook.provenance import quote_numbers

    token = re.search(r"\d+(?:\.\d+)?", cell.replace(",", ""))
    number = float(token.group(0))
    constraints = field.get("constraints", {}) if field.get("type") in {"integer", "number"} else {}
    low, high = constraints.get("minimum", float("-inf")), constraints.get("maximum", float("inf"))
    printed = quote_numbers(quote)
    for step in (1, -1, 2, -2, 3, -3, 7, -7):
        candidate = number + step
        if low <= candidate <= high and candidate >= 0 and candidate not in printed:
            text = str(int(candidate)) if candidate.is_integer() else str(candidate)
            if field.get("type") in {"integer", "number"}:
                return text
            return re.sub(r"\d+(?:[.,]\d+)*", text, cell, count=1)
    raise AssertionError(f"no mutation of {cell!r} fits the schema and differs from the quote")


@pytest.mark.parametrize("name", TABLES)
def test_changing_one_number_fails_validation(name, tmp_path):
    """A number edited in the CSV without its quote must not get through."""
    found = _first_cell_with_a_number(name)
    if found is None:
        pytest.skip(f"{name} prints no number in its value fields")
    index, field = found
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    resource = next(r for r in _descriptor()["resources"] if r["name"] == name)
    csv_path = copy / resource["path"]
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        fieldnames = list(rows[0])
    rows[index][field] = _mutated(rows[index][field], _value_fields(name)[field], rows[index]["quote"])
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(TableError) as excinfo:
        load_table(name, copy / "datapackage.json")
    assert any(p.rule == "number-in-quote" and p.column == field and p.row == index + 2
               for p in excinfo.value.problems), str(excinfo.value)


def test_helpers_never_load_tables_themselves():
    """Only chapters load tables, so the build can see what each chapter reads."""
    offenders = []
    for module in sorted((paths.ROOT / "src" / "netbook").glob("*.py")):
        if module.name in {"tables.py", "__init__.py"}:
            continue
        offenders += [f"{module.name}:{node.lineno}"
                      for _, node in loader_calls(module.read_text(encoding="utf-8"), module.name)]
    assert not offenders, f"these modules load tables; pass DataFrames in instead: {offenders}"


def test_sources_readme_agrees_with_sources_table():
    readme = (paths.SOURCES / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines()
            if line.startswith("| `")}
    for source in load_sources().itertuples():
        assert source.file in rows, f"{source.file} is not in data/sources/README.md"
        assert f"`{source.source_id}`" in rows[source.file]
        assert source.licence in rows[source.file], f"licence of {source.file} differs"
