"""The data checks, in one place: every table in the data package validates and its
checks bite; then, table by table, what the generic rules cannot check (counts printed
as words, text cells against their quotes, tables that must agree with each other, the
editorial tables against the data they map).

Sources are named by source_id (fixture ``text_of``), never by file name.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil

import pandas as pd
import pytest

from netbook import TableError, list_tables, load_table, paths
from netbook.cache_inputs import loader_calls
from netbook.provenance import normalise_whitespace as ws
from netbook.stats import with_rate_ci
from netbook.values import is_missing

TABLES = list_tables()  # every table whose rows quote a source (extracted and derived)
EDITORIAL = list_tables(kinds=("editorial",))
SHARED = paths.ROOT.parent / "shared" / "sources"


def _descriptor() -> dict:
    return json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))


def _schema(name: str) -> dict:
    resource = next(r for r in _descriptor()["resources"] if r["name"] == name)
    return json.loads((paths.DATA / resource["schema"]).read_text(encoding="utf-8"))


def test_sources_table_matches_the_files(sources):
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
        assert (
            hashlib.sha256(copy.read_bytes()).hexdigest() == hashlib.sha256(original.read_bytes()).hexdigest()
        ), original.name


def test_there_are_extracted_tables():
    assert TABLES, "data/datapackage.json registers no extracted table"


def test_every_table_has_a_kind_and_lives_in_the_folder_of_its_kind():
    folders = {"extracted": "tables", "derived": "derived", "editorial": "editorial"}
    for resource in _descriptor()["resources"]:
        if resource["name"] == "sources":
            continue
        kind = resource.get("netbook:kind")
        assert kind in folders, resource["name"]
        assert resource["path"] == f"{folders[kind]}/{resource['name']}.csv", resource["name"]
        assert resource["schema"] == f"{folders[kind]}/{resource['name']}.schema.json", resource["name"]
    assert sorted(TABLES + EDITORIAL) == sorted(
        r["name"] for r in _descriptor()["resources"] if r["name"] != "sources"
    )


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
    assert {
        "fields": ["source_id"],
        "reference": {"resource": "sources", "fields": ["source_id"]},
    } in schema.get("foreignKeys", []), "source_id must reference the sources table"
    assert any(f.get("netbook:role") == "value" for f in schema["fields"]), (
        "no field is marked as holding extracted values, so no number would be checked"
    )
    undocumented = [f["name"] for f in schema["fields"] if not f.get("description")]
    assert not undocumented, f"fields without a description: {undocumented}"


def test_there_are_editorial_tables():
    assert EDITORIAL, "data/datapackage.json registers no editorial table"


@pytest.mark.parametrize("name", EDITORIAL)
def test_editorial_table_validates(name):
    df = load_table(name)
    assert len(df) > 0, f"{name} is empty"
    assert not df["rationale"].map(is_missing).any()


@pytest.mark.parametrize("name", EDITORIAL)
def test_editorial_schema_is_complete(name):
    """A judgement states its reason and quotes nothing (it is the book's, not a source's)."""
    schema = _schema(name)
    names = [f["name"] for f in schema["fields"]]
    assert names[-1] == "rationale", "the rationale column comes last"
    assert (
        next(f for f in schema["fields"] if f["name"] == "rationale").get("constraints", {}).get("required")
    )
    assert not {"quote", "source_id", "locator"} & set(names), "an editorial table quotes no source"
    assert schema.get("primaryKey"), "every table needs a primary key"
    undocumented = [f["name"] for f in schema["fields"] if not f.get("description")]
    assert not undocumented, f"fields without a description: {undocumented}"


def _value_fields(name: str) -> dict[str, dict]:
    """Value fields whose cells can print a number (dates are checked separately)."""
    return {
        f["name"]: f
        for f in _schema(name)["fields"]
        if f.get("netbook:role") == "value" and f.get("type", "string") in {"integer", "number", "string"}
    }


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
    assert any(
        p.rule == "number-in-quote" and p.column == field and p.row == index + 2
        for p in excinfo.value.problems
    ), str(excinfo.value)


# ------------------------------------------------------- the declared rules bite on the real tables
# Each rule lives in the loader and is declared in the schema; these tests feed the
# loader a bad row of a real table (in a temporary copy) and expect its error.


def _declared(key: str) -> list[tuple[str, str]]:
    """(table, field) of every field of every table whose schema declares ``key``."""
    return [(name, f["name"]) for name in TABLES + EDITORIAL for f in _schema(name)["fields"] if key in f]


def _load_changed(name: str, tmp_path, change) -> TableError:
    """Load ``name`` from a copy of the data whose rows ``change`` edited; the error."""
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    resource = next(r for r in _descriptor()["resources"] if r["name"] == name)
    _rewrite_cell(copy / resource["path"], change)
    with pytest.raises(TableError) as excinfo:
        load_table(name, copy / "datapackage.json")
    return excinfo.value


def _first_filled(rows: list[dict], field: str) -> int:
    return next(i for i, r in enumerate(rows) if r[field])


def test_rules_are_declared_where_the_tables_need_them():
    """Every *_as_printed field declares its rule (the loader refuses one that does not),
    and the derived columns the chapters rely on are declared as derived."""
    printed = {(t, f) for t, f in _declared("netbook:inQuote")}
    assert {
        (t, f) for t in TABLES for f in (x["name"] for x in _schema(t)["fields"]) if f.endswith("_as_printed")
    } <= printed
    # words the chapters show as the review's own (tests once checked these by hand)
    assert {
        ("selection_criteria", "criterion_text"),
        ("trial_outcomes", "events_words"),
        ("trial_outcomes", "time_point_words"),
    } <= printed
    derived = set(_declared("netbook:derived"))
    assert {
        ("checkpoint_patients", "prior_agents"),
        ("salvage_cohort", "count"),
        ("salvage_cohort", "count_reading"),
        ("salvage_outcomes", "count"),
        ("salvage_outcomes", "count_reading"),
        ("interferon_statements", "k"),
        ("interferon_statements", "n"),
        ("trial_outcomes", "time_point_number"),
    } <= derived


@pytest.mark.parametrize("name,field", _declared("netbook:inQuote"))
def test_a_printed_fragment_not_in_its_quote_is_refused(name, field, tmp_path):
    """Words added to the first filled cell of each declared field: the loader refuses."""

    declared = next(f for f in _schema(name)["fields"] if f["name"] == field)
    numeric = declared.get("type") == "integer"

    def change(rows):
        index = _first_filled(rows, field)
        cell = rows[index][field]
        rows[index][field] = (
            str(int(cell) + 1000) if numeric else cell.replace(cell.split(";")[0].strip(), "zqx", 1)
        )
        return index

    error = _load_changed(name, tmp_path, change)
    # a closed vocabulary refuses the words first (and a cell it refuses is not read further)
    rules = (
        {"printed-in-quote", "constraint-error"}
        if "enum" in declared.get("constraints", {})
        else {"printed-in-quote"}
    )
    assert any(p.column == field and p.rule in rules for p in error.problems), str(error)


def _other(cell: str, field: dict) -> str:
    """A different cell of the same type (so only the derivation can object)."""
    if field.get("type") == "integer":
        return str(int(cell) + 1)
    if field.get("type") == "boolean":
        return "false" if cell == "true" else "true"
    if field.get("netbook:separator"):
        items = cell.split(field["netbook:separator"])
        return field["netbook:separator"].join(items[:-1] or ["zqx"])
    enum = field.get("constraints", {}).get("enum")
    return next(v for v in enum if v != cell) if enum else cell + " zqx"


@pytest.mark.parametrize("name,field", _declared("netbook:derived"))
def test_a_derived_column_that_code_does_not_derive_is_refused(name, field, tmp_path):
    declared = next(f for f in _schema(name)["fields"] if f["name"] == field)

    def change(rows):
        index = _first_filled(rows, field)
        rows[index][field] = _other(rows[index][field], declared)
        return index

    error = _load_changed(name, tmp_path, change)
    assert any(p.column == field and p.rule == "derived-column" for p in error.problems), str(error)


@pytest.mark.parametrize(
    "name,key,field,cell,rule",
    [
        ("interferon_statements", "zi04", "n", "18", "derived-column"),  # 'Seventeen' read as 17
        ("printed_arithmetic", None, "operands", "999", "printed-in-quote"),
        ("source_differences", "lasalvia-resectable-share", "value_b", "10-26%", "number-in-quote"),
        (
            "source_differences",
            "lasalvia-resectable-share",
            "quote_b",
            "not in the review at all",
            "quote-in-source",
        ),
    ],
)
def test_named_bad_cells_are_refused(name, key, field, cell, rule, tmp_path):
    key_field = _schema(name)["primaryKey"][0]

    def change(rows):
        index = 0 if key is None else next(i for i, r in enumerate(rows) if r[key_field] == key)
        rows[index][field] = cell
        return index

    error = _load_changed(name, tmp_path, change)
    assert any(p.column == field and p.rule == rule for p in error.problems), str(error)


def test_every_field_of_citation_markers_declares_its_reference_lists():
    """Every 'references' field (citation markers as printed) is checked by the loader."""
    marked = {(n, f["name"]) for n in TABLES for f in _schema(n)["fields"] if f["name"] == "references"}
    assert len(marked) >= 6
    assert marked <= set(_declared("netbook:citations"))


@pytest.mark.parametrize("name", sorted(n for n, _ in _declared("netbook:citations")))
def test_a_citation_marker_outside_the_reference_list_is_refused(name, tmp_path):
    """A row's citation markers naming a reference the source's list lacks (the review
    has 92 references, the case report 31), or not reading as markers at all, are
    refused, naming the file, the row, the column and the rule."""
    field = next(f for n, f in _declared("netbook:citations") if n == name)
    rows_changed = {}

    def change(rows):
        cited = [i for i, r in enumerate(rows) if r["source_id"] == "lasalvia2016"]
        rows[cited[0]][field] = "999"
        rows[cited[1]][field] = "twelve"
        rows_changed.update({"999": cited[0] + 2, "twelve": cited[1] + 2})
        return cited[0]

    error = _load_changed(name, tmp_path, change)
    assert any(
        p.row == rows_changed["999"] and p.column == field and p.rule == "citation-in-reference-list"
        for p in error.problems
    ), str(error)
    assert any(
        p.row == rows_changed["twelve"] and p.column == field and p.rule == "citation-marker"
        for p in error.problems
    ), str(error)
    assert all(p.file.endswith(f"{name}.csv") for p in error.problems if p.rule.startswith("citation")), str(
        error
    )


def test_a_number_word_not_in_the_quote_is_refused(tmp_path):
    """The audit's printed values may be words ('Seventeen'): the loader reads them too."""

    def change(rows):
        index = next(i for i, r in enumerate(rows) if r["printed"] == "Seventeen")
        rows[index]["printed"] = "Eighteen"
        return index

    error = _load_changed("printed_arithmetic", tmp_path, change)
    assert any(p.column == "printed" and "'Eighteen'" in p.message for p in error.problems), str(error)


# ------------------------------------------------------- pairs: swapped values are refused


def _comparisons() -> list[tuple[str, str]]:
    """Every two arms the hepatic chapter compares whose values are numbers that differ
    (found from the arms, independently of the table of printed pairs)."""
    from netbook.chapters.hepatic_metastases import comparisons

    outcomes = load_table("trial_outcomes")
    value = outcomes.set_index("result_id")["value"]
    pairs = set()
    for row in comparisons(outcomes).itertuples():
        if (
            isinstance(row.other_id, str)
            and not is_missing(value[row.result_id])
            and not is_missing(value[row.other_id])
        ):
            if value[row.result_id] != value[row.other_id]:
                pairs.add(tuple(sorted((row.result_id, row.other_id))))
    return sorted(pairs)


def _swap_all(name: str, tmp_path, pairs: list[tuple[str, str, str, str]]) -> TableError:
    """Swap each pair of cells ((key, field), (key, field)) in one copy; load; the error."""
    key_field = _schema(name)["primaryKey"][0]

    def change(rows):
        at = {r[key_field]: r for r in rows}
        for key_a, field_a, key_b, field_b in pairs:
            at[key_a][field_a], at[key_b][field_b] = at[key_b][field_b], at[key_a][field_a]
        return 0

    return _load_changed(name, tmp_path, change)


def _named(error: TableError, rule: str) -> list[str]:
    return [p.message for p in error.problems if p.rule == rule]


def test_two_arms_swapped_are_refused_for_every_comparison(tmp_path):
    """Every comparison's two values swapped (all in one copy, so one load): the loader
    names both rows of each, by the second reading in printed_pairs."""
    pairs = _comparisons()
    assert len(pairs) >= 15
    rows = {k: i + 2 for i, k in enumerate(load_table("trial_outcomes")["result_id"])}
    error = _swap_all("trial_outcomes", tmp_path, [(a, "value", b, "value") for a, b in pairs])
    messages = _named(error, "pair-as-printed")
    for a, b in pairs:
        low, high = sorted((rows[a], rows[b]))
        assert any(f"rows {low} and {high} " in m or f"rows {high} and {low} " in m for m in messages), (a, b)
    assert all("swapped" in m for m in messages)


def _word_comparisons() -> list[tuple[str, str]]:
    """Every two arms the hepatic chapter compares where one arm's value is printed as
    words ('not reached': an empty value and a value_qualifier) and the other's as a
    number (found from the arms, independently of the table of printed pairs)."""
    from netbook.chapters.hepatic_metastases import comparisons

    outcomes = load_table("trial_outcomes").set_index("result_id")
    pairs = set()
    for row in comparisons(outcomes.reset_index()).itertuples():
        if not isinstance(row.other_id, str):
            continue
        a, b = outcomes.loc[row.result_id], outcomes.loc[row.other_id]
        if is_missing(a["value"]) != is_missing(b["value"]) and not (
            is_missing(a["value_qualifier"]) and is_missing(b["value_qualifier"])
        ):
            pairs.add(tuple(sorted((row.result_id, row.other_id))))
    return sorted(pairs)


def test_two_arms_swapped_are_refused_where_one_value_is_words(tmp_path):
    """NETTER-1 and CLARINET print one arm's median PFS as 'not reached' and the other's
    as months: the arms' value, unit and qualifier swapped (one copy, all at once) are
    refused, naming both rows."""
    pairs = _word_comparisons()
    assert len(pairs) >= 2, pairs
    rows = {k: i + 2 for i, k in enumerate(load_table("trial_outcomes")["result_id"])}
    swaps = [(a, f, b, f) for a, b in pairs for f in ("value", "unit", "value_qualifier")]
    error = _swap_all("trial_outcomes", tmp_path, swaps)
    messages = _named(error, "pair-as-printed")
    for a, b in pairs:
        low, high = sorted((rows[a], rows[b]))
        assert any(
            (f"rows {low} and {high} " in m or f"rows {high} and {low} " in m) and "swapped" in m
            for m in messages
        ), (a, b, str(error))


def test_every_printed_pair_swapped_is_refused(tmp_path):
    """Each pair of the second reading (arms, subgroups, events, before and after)."""
    pairs = load_table("printed_pairs")
    for table, group in pairs.groupby("table"):
        # pairs sharing a cell (three subgroups in one list) are swapped in separate copies
        batches: list[list] = [[]]
        for row in group.itertuples():
            cells = {(row.first_key, row.first_field), (row.second_key, row.second_field)}
            batch = next((b for b in batches if not cells & {c for p in b for c in p}), None)
            if batch is None:
                batch = []
                batches.append(batch)
            batch.append(((row.first_key, row.first_field), (row.second_key, row.second_field)))
        for number, batch in enumerate(batches):
            # two rows, two fields (one arm's value printed as words, 'not reached' in its
            # value_qualifier, the other's a number): the arms' cells swap field by field
            flat = [
                swap
                for a, b in batch
                for swap in (
                    [(a[0], a[1], b[0], b[1])]
                    if a[1] == b[1] or a[0] == b[0]
                    else [(a[0], a[1], b[0], a[1]), (a[0], b[1], b[0], b[1])]
                )
            ]
            error = _swap_all(table, tmp_path / f"{table}-{number}", flat)
            key_field = _schema(table)["primaryKey"][0]
            rows = {str(k): i + 2 for i, k in enumerate(load_table(table)[key_field])}
            messages = _named(error, "pair-as-printed")
            for (key_a, _), (key_b, _) in batch:
                named = f"rows {rows[key_a]} and {rows[key_b]} " if key_a != key_b else f"row {rows[key_a]} "
                assert any(m.startswith(named) and "swapped" in m for m in messages), (
                    key_a,
                    key_b,
                    str(error),
                )


@pytest.mark.parametrize(
    "name,low,high,also",
    [
        ("trial_outcomes", "value_low", "value_high", None),
        ("harms", "value_low", "value_high", None),
        ("epidemiology", "value_low", "value_high", None),
        ("pdl1_prevalence", "positive", "total", None),
        ("trial_outcomes", "events", "n", None),
        # the counts as printed are swapped with them, so each row stays self-consistent
        ("interferon_statements", "k", "n", ("k_as_printed", "n_as_printed")),
    ],
)
def test_a_swapped_range_or_count_is_refused(name, low, high, also, tmp_path):
    """Low and high ends of every range (numerator and denominator of every count)
    swapped in one copy: every such row is refused."""
    df = load_table(name)
    key_field = _schema(name)["primaryKey"][0]
    both = df[df[low].notna() & df[high].notna() & (df[low] != df[high])]
    assert len(both) > 0
    swaps = [(k, low, k, high) for k in both[key_field]]
    swaps += [(k, also[0], k, also[1]) for k in both[key_field]] if also else []
    error = _swap_all(name, tmp_path, swaps)
    # each row is refused: by pair-order, or first by the schema (a count of 0 as n)
    assert {p.row for p in error.problems} == {i + 2 for i in both.index}, str(error)
    assert {p.row for p in error.problems if p.rule == "pair-order"}


@pytest.mark.parametrize("name", TABLES)
def test_a_locator_naming_another_section_is_refused(name, tmp_path):
    """The first row's locator moved to another section of its source (one the reading
    view does not place its quote in, and one the schema's closed list of locators
    allows, where it has one): the loader refuses it, naming the row."""
    from netbook import coverage

    allowed = (
        next(f for f in _schema(name)["fields"] if f["name"] == "locator").get("constraints", {}).get("enum")
    )

    def change(rows):
        row = rows[0]
        here = row["locator"].split(" (")[0]
        others = sorted({u.section for u in coverage.units(row["source_id"])} - {here})
        others = [s for s in others if not s.startswith(here + ",") and not here.startswith(s + ",")]
        if allowed:
            others = [s for s in allowed if s.split(" (")[0] != here] or others
        row["locator"] = others[0]
        return 0

    error = _load_changed(name, tmp_path, change)
    # a closed list with a single locator refuses any other first (schema constraint)
    rules = (
        {"locator-holds-quote"}
        if not allowed or len(allowed) > 1
        else {"locator-holds-quote", "constraint-error"}
    )
    assert any(p.row == 2 and p.column == "locator" and p.rule in rules for p in error.problems), str(error)


# derive.py is no helper of the book: `make data` runs it, the build never does, and it
# reads only the sources table (to find the texts it parses).
NOT_CHAPTER_CODE = {"tables.py", "__init__.py", "derive.py"}


def test_helpers_never_load_tables_themselves():
    """Only chapters load tables, so the build can see what each chapter reads (chapter
    companion modules in netbook/chapters/ included: they take DataFrames too)."""
    package = paths.ROOT / "src" / "netbook"
    modules = sorted(package.rglob("*.py"))
    assert package / "chapters" / "case_ozdirik2020.py" in modules
    offenders = []
    for module in modules:
        if module.parent == package and module.name in NOT_CHAPTER_CODE:
            continue
        offenders += [
            f"{module.relative_to(package)}:{node.lineno}"
            for _, node in loader_calls(module.read_text(encoding="utf-8"), module.name)
        ]
    assert not offenders, f"these modules load tables; pass DataFrames in instead: {offenders}"


def test_sources_readme_agrees_with_sources_table(sources):
    readme = (paths.SOURCES / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines() if line.startswith("| `")}
    for source in sources.itertuples():
        assert source.file in rows, f"{source.file} is not in data/sources/README.md"
        assert f"`{source.source_id}`" in rows[source.file]
        assert source.licence in rows[source.file], f"licence of {source.file} differs"


def _rewrite_cell(csv_path, change) -> int:
    """Apply ``change`` to the rows of a CSV (a list of dicts); returns the row index it names."""
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    target = change(rows)
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_unit_check_bites_in_an_all_string_table(tmp_path):
    """Regression: a string value with an empty unit crashed the loader; a wrong unit must fail."""
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)

    def wrong_unit(rows):
        assert any(r["unit"] == "" for r in rows)  # the empty units must load (checked above)
        target = next(i for i, r in enumerate(rows) if r["unit"] == "%")
        rows[target]["unit"] = "mg"
        return target

    target = _rewrite_cell(copy / "tables" / "case_histology.csv", wrong_unit)
    with pytest.raises(TableError) as excinfo:
        load_table("case_histology", copy / "datapackage.json")
    assert [(p.rule, p.row) for p in excinfo.value.problems] == [("unit-in-quote", target + 2)]


# ---------------------------------------------------------------- the row rules of the schemas
# Each rule a schema declares in "netbook:rules" (netbook.row_rules) is fed one bad cell
# of a real table: (table, rule, the row to change, the column, the new cell, and where
# the refusal points when it is not the changed cell: {"row": ..., "column": ...}). A row
# is chosen by the cells it holds; "*" matches any filled cell.

FILLED = "*"
ROW_RULE_CASES = [
    ("course_of_disease", "events-in-time-order", {"event_id": "E05"}, "date", "2016-06", None),
    ("course_of_disease", "split-event-names-its-merged-row", {"event_id": "E02"}, "note", "A note.", None),
    ("course_of_disease", "event-month-in-its-table-row", {"event_id": "E04"}, "table1_row", "12/2016", None),
    (
        "case_option_mapping",
        "one-row-per-rejected-option",
        {"case_option": "everolimus"},
        "case_option",
        "zqx",
        None,
    ),
    (
        "case_option_mapping",
        "criteria-option-exists",
        {"criteria_options": "prrt"},
        "criteria_options",
        "zqx",
        None,
    ),
    (
        "case_option_mapping",
        "management-option-exists",
        {"management_option": "prrt"},
        "management_option",
        "zqx",
        None,
    ),
    (
        "case_criteria_mapping",
        "one-row-per-criteria-variable",
        {"variable": "grade"},
        "variable",
        "zqx",
        None,
    ),
    (
        "case_criteria_mapping",
        "stated-variable-names-its-case-row",
        {"variable": "grade"},
        "case_item",
        "",
        None,
    ),
    (
        "case_criteria_mapping",
        "not-stated-names-no-case-row",
        {"reader": "not_stated"},
        "case_table",
        "case_histology",
        None,
    ),
    (
        "case_criteria_mapping",
        "case-table-is-a-table-of-the-case",
        {"variable": "grade"},
        "case_table",
        "harms",
        None,
    ),
    (
        "case_vocabulary",
        "one-wording-per-vocabulary",
        {"case_wording": "moderately differentiated"},
        "case_wording",
        "Highly differentiated",
        None,
    ),
    (
        "interferon_statements",
        "salvage-counts-agree-with-salvage-outcomes",
        {"statement_id": "zi07"},
        "k",
        "2",
        None,
    ),
    (
        "interferon_statements",
        "salvage-total-agrees-with-salvage-cohort",
        {"statement_id": "zi04"},
        "n",
        "18",
        None,
    ),
    (
        "interferon_statements",
        "review-values-agree-with-trial-outcomes",
        {"statement_id": "ls01"},
        "value",
        "21",
        None,
    ),
    (
        "interferon_statements",
        "single-case-carries-no-count",
        {"context": "single case", "value": FILLED},
        "n",
        "30",
        None,
    ),
    ("interferon_statements", "a-percentage-or-a-count-not-both", {"statement_id": "ls01"}, "k", "20", None),
    (
        "salvage_cohort",
        "histologies-add-up-to-the-total",
        {"group": "carcinoid"},
        "count",
        "13",
        {"row": {"kind": "total"}},
    ),
    (
        "salvage_outcomes",
        "arms-add-up-to-the-cohort",
        {"arm": "chemotherapy", "outcome": "treated"},
        "count",
        "15",
        {"row": {"outcome": "treated"}},
    ),
    ("checkpoint_patients", "patients-in-the-order-of-the-source", {"patient": "3"}, "quote", None, None),
    (
        "trial_characteristics",
        "printed-design-has-its-words",
        {"design_basis": "printed"},
        "design_as_printed",
        "",
        None,
    ),
    (
        "trial_characteristics",
        "unstated-design-is-not-stated",
        {"design_basis": "not stated"},
        "design",
        "phase II",
        None,
    ),
    (
        "trial_characteristics",
        "derived-design-says-how",
        {"design_basis": "derived from the reference list"},
        "remark",
        "",
        None,
    ),
    (
        "trial_characteristics",
        "no-citation-marker-said-exactly-where-none",
        {"references": FILLED},
        "references",
        "",
        {"column": "printed_as"},
    ),
    ("trial_outcomes", "every-study-has-its-characteristics", {"study": FILLED}, "study", "zqx", None),
    (
        "trial_outcomes",
        "randomised-design-agrees-with-characteristics",
        {"design": "randomised phase III"},
        "design",
        "randomised phase II",
        None,
    ),
    ("trial_outcomes", "not-reached-is-no-number", {"value_qualifier": "not reached"}, "value", "5", None),
    (
        "trial_outcomes",
        "every-result-has-a-value",
        {"value": FILLED, "events": "", "value_qualifier": ""},
        "value",
        "",
        None,
    ),
    ("trial_outcomes", "a-range-is-no-single-value", {"value_low": FILLED}, "value", "1", None),
    (
        "trial_outcomes",
        "one-row-per-arm",
        {"result_id": "prrt12-netter1-pfs-octreotide"},
        "arm_role",
        "experimental",
        None,
    ),
    (
        "trial_outcomes",
        "no-citation-marker-said-exactly-where-none",
        {"references": FILLED},
        "references",
        "",
        {"column": "printed_as"},
    ),
    (
        "trial_outcomes",
        "no-unit-printed-said-exactly-where-none",
        {"result_id": "ifn02-5fu-orr"},
        "unit",
        "%",
        {"column": "printed_as"},
    ),
    (
        "trial_outcomes",
        "time-point-in-words-said-exactly-where-printed",
        {"time_point_words": FILLED},
        "time_point_words",
        "",
        {"column": "printed_as"},
    ),
    ("harms", "a-rate-has-a-unit", {"value": FILLED, "unit": FILLED}, "unit", "", None),
    (
        "harms",
        "no-rate-printed-said-exactly-where-none",
        {"printed_as": "no rate printed"},
        "printed_as",
        "",
        None,
    ),
    (
        "study_designs",
        "printed-design-has-its-words",
        {"design_basis": "printed"},
        "design_as_printed",
        "",
        None,
    ),
    ("criteria_groups", "group-is-a-criteria-option", {"group": FILLED}, "group", "zqx", None),
    (
        "selection_criteria",
        "threshold-reads-for-its-type",
        {"value_type": "number"},
        "threshold",
        "zqx",
        None,
    ),
    ("selection_criteria", "a-unit-only-for-numbers", {"value_type": "boolean"}, "unit", "%", None),
    ("result_certainty", "judged-results-exist", {"result_ids": FILLED}, "result_ids", "zqx", None),
]


def _declared_rules() -> set[tuple[str, str]]:
    """(table, rule) of every rule every schema declares."""
    return {
        (name, rule["rule"]) for name in TABLES + EDITORIAL for rule in _schema(name).get("netbook:rules", [])
    }


def _matches(row: dict, wanted: dict) -> bool:
    return all(bool(row[c]) if v == FILLED else row[c] == v for c, v in wanted.items())


def test_every_declared_row_rule_has_a_bad_row_case():
    cased = [(name, rule) for name, rule, *_ in ROW_RULE_CASES]
    assert len(cased) == len(set(cased)), "one case per rule"
    assert set(cased) == _declared_rules()


@pytest.mark.parametrize(
    "name,rule,select,column,cell,expect", ROW_RULE_CASES, ids=[f"{c[0]}:{c[1]}" for c in ROW_RULE_CASES]
)
def test_a_row_breaking_a_declared_rule_is_refused(name, rule, select, column, cell, expect, tmp_path):
    """One cell changed: the loader refuses the table, naming the file, the row, the
    column and the rule (a new cell of None: the first row's cell, so the rows leave the
    source's order)."""
    expect = expect or {}
    expected = {}

    def change(rows):
        index = next(i for i, r in enumerate(rows) if _matches(r, select))
        rows[index][column] = rows[0][column] if cell is None else cell
        expected["row"] = (
            next(i + 2 for i, r in enumerate(rows) if _matches(r, expect["row"]))
            if "row" in expect
            else index + 2
        )
        return index

    error = _load_changed(name, tmp_path, change)
    path = next(r for r in _descriptor()["resources"] if r["name"] == name)["path"]
    named = [(p.file.endswith(path), p.row, p.column) for p in error.problems if p.rule == rule]
    assert any(
        in_file and row == expected["row"] and expect.get("column", column) in (columns or "").split(",")
        for in_file, row, columns in named
    ), str(error)


# ---------------------------------------------------------------- interferon statements


@pytest.fixture(scope="module")
def ifn():
    return load_table("interferon_statements")


def test_intervals_only_where_k_and_n_are_printed(ifn):
    rated = with_rate_ci(ifn, missing="skip").set_index("statement_id")
    have = rated[rated["rate"].notna()].index.tolist()
    assert have == ["oz12", "zi05", "zi06", "zi07", "zi08"]
    assert rated.loc["zi05", "rate"] == pytest.approx(2 / 3)
    low, high = rated.loc["zi07", ["ci_low", "ci_high"]]
    assert 0 < low < 1 / 14 < high < 0.5
    assert rated.loc["zi08", "ci_low"] == 0  # 0 of 14: the exact interval starts at 0
    assert pd.isna(rated.loc["ls10", "rate"])  # 67% printed without a per-arm denominator
    with pytest.raises(ValueError):  # the default refuses rows without both counts
        with_rate_ci(ifn)


# ---------------------------------------------------------------- salvage after interferon


def test_salvage_word_readings_as_expected():
    """The readings this book relies on, spelled out (a change to the CSV shows up here)."""
    cohort = load_table("salvage_cohort").set_index("group")
    assert cohort.loc["all patients", "count_as_printed"] == "Seventeen"
    assert cohort.loc["all patients", "count"] == 17
    out = load_table("salvage_outcomes").set_index(["arm", "outcome"])
    assert out.loc[("MIBG", "stable disease"), "count"] == 2
    assert out.loc[("MIBG", "progressive disease"), "count"] == 1
    assert out.loc[("chemotherapy", "partial response"), "count"] == 1
    assert out.loc[("chemotherapy", "tumour marker reduction"), "count"] == 0
    assert out.loc[("chemotherapy", "symptom relief"), "count"] == 0


# ---------------------------------------------------------------- checkpoint inhibitors


@pytest.fixture(scope="module")
def patients():
    return load_table("checkpoint_patients")


def test_the_table_holds_the_four_patients(patients):
    """Completeness (the order of the rows is the loader's rule
    patients-in-the-order-of-the-source)."""
    assert patients["patient"].tolist() == [1, 2, 3, 4]


def test_table_agrees_with_the_results_paragraph(patients, text_of):
    """The Results give the durations of the three patients still stable as '8 mo, 6 mo
    and 4 mo' and 14 months for the patient who progressed."""
    text = ws(text_of("markey_ici_abstract"))
    stable = patients[~patients["progressed"]]
    printed = ", ".join(f"{m} mo" for m in stable["months_on_treatment"][:-1])
    printed += f" and {stable['months_on_treatment'].iloc[-1]} mo"
    assert f"radiological stable disease ({printed})" in text
    progressed = patients[patients["progressed"]]
    assert len(progressed) == 1
    assert f"stable disease for {progressed['months_on_treatment'].iloc[0]} months" in text


@pytest.mark.parametrize(
    "chapter,source_id",
    [
        ("checkpoint_inhibitors", "markey_ici_abstract"),
        ("salvage_after_interferon", "zilembo1993"),
    ],
)
def test_chapter_block_quotes_are_verbatim(chapter, source_id, text_of):
    """The authors' conclusions are quoted in Markdown; they must match the source."""
    text = ws(text_of(source_id))
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


def test_study_designs_cover_every_first_hand_study(sources):
    """The case report and the two abstracts each have their design; the review's cited
    studies have theirs in trial_characteristics."""
    designs = load_table("study_designs")
    first_hand = set(sources.loc[sources["preferred"], "source_id"]) - {"lasalvia2016"}
    assert set(designs["source_id"]) == first_hand


# ------------------------------------------------------------ the La Salvia 2016 review's tables
# Checks on the La Salvia 2016 tables that the generic provenance rules cannot make.


@pytest.fixture(scope="module")
def outcomes():
    return load_table("trial_outcomes")


@pytest.fixture(scope="module")
def criteria():
    return load_table("selection_criteria")


def _norm(text: str) -> str:
    return " ".join(str(text).split())


# (numbers in words printed in the quote, criterion text part of its quote: the
# loader's netbook:inQuote, tested in tests/test_data.py)


# (a result 'not reached' holds no number, every row holds a value, a range, a count or
# 'not reached', a range is no single value, one row per arm: the loader's netbook:rules,
# tested in tests/test_data.py)


def test_the_medians_not_reached_are_clarinet_and_netter1(outcomes):
    nr = outcomes[outcomes["value_qualifier"] == "not reached"]
    assert set(nr["study"]) == {"CLARINET", "NETTER-1"}


def test_randomised_pfs_and_ttp_medians_come_in_pairs(outcomes):
    arms = outcomes[outcomes["arm_role"].isin(["experimental", "control"])]
    for (study, endpoint, _tp), part in arms.groupby(["study", "endpoint", arms["time_point"].fillna(-1)]):
        if endpoint in {"median PFS", "median TTP"}:  # what the PFS figure pairs up
            assert sorted(part["arm_role"]) == ["control", "experimental"], (study, endpoint)


# (cited reference numbers exist in the list: the loader's netbook:citations rule,
# tested in tests/test_data.py)


def test_milan_criteria_are_all_there(criteria):
    milan = criteria[criteria["criteria_set"] == "milan"].set_index("criterion_id")
    assert len(milan) == 7
    assert (
        milan.loc["milan_1", "variable"],
        milan.loc["milan_1", "comparison"],
        milan.loc["milan_1", "threshold"],
    ) == ("ki67_percent", "lt", "5")
    assert (milan.loc["milan_3", "variable"], milan.loc["milan_3", "threshold"]) == ("age_years", "55")
    assert (milan.loc["milan_6", "variable"], milan.loc["milan_6", "threshold"]) == (
        "hepatic_tumour_load_percent",
        "50",
    )


# (thresholds read for their type, a unit only for numbers: the loader's
# threshold-reads-for-its-type and a-unit-only-for-numbers)


# ------------------------------------------------------------------ corrections of issue 11


def test_time_points_are_numbers_also_where_printed_in_words(outcomes):
    """'One, three, and five-year survival rates': stored as 1, 3, 5 beside the words (the
    loader derives time_point_number from time_point or the words: netbook:derived)."""
    words = outcomes[outcomes["time_point_words"].notna()].sort_values("time_point_number")
    assert list(zip(words["time_point_words"], words["time_point_number"])) == [
        ("One", 1),
        ("three", 3),
        ("five", 5),
    ]


def test_a_five_year_filter_finds_both_transplant_cohorts(outcomes):
    lt = outcomes[
        (outcomes["option_id"] == "liver_transplantation")
        & (outcomes["time_point_number"] == 5)
        & outcomes["value"].notna()
    ]
    assert set(lt["study"]) == {"Le Treut (European multicentre)", "Sher (United States)"}
    assert sorted(lt["value"]) == [52, 52]


def test_both_transplant_cohorts_are_the_two_largest_retrospective_multicentre_studies(outcomes):
    cohorts = outcomes[outcomes["study"].isin(["Le Treut (European multicentre)", "Sher (United States)"])]
    assert set(cohorts["design"]) == {"retrospective multicentre"}
    us = cohorts[cohorts["study"] == "Sher (United States)"]
    assert us["quote"].str.contains("The two largest retrospective multicenter studies", regex=False).all()


def test_transplant_complication_deaths_say_what_they_count(outcomes):
    row = outcomes.set_index("result_id").loc["lt02-europe-complication-deaths"]
    assert (
        "complications" in row["endpoint"] and "died from early or late complications of LT" in row["quote"]
    )
    assert not outcomes["endpoint"].eq("deaths").any(), "a bare 'deaths' label hides what the endpoint is"


def test_ssa_criteria_encode_the_main_indication(criteria):
    soc = criteria[criteria["criteria_set"] == "ssa_standard_of_care"].set_index("criterion_id")
    assert set(soc["option"]) == {"ssa"} and set(soc["strength"]) == {"indication"}
    encoded = {(r.variable, r.comparison, r.threshold) for r in soc.itertuples()}
    assert encoded == {
        ("metastatic_disease", "eq", "true"),
        ("disease_resectable", "eq", "false"),
        ("primary_site", "in", "midgut;pancreas;unknown"),
        ("hormone_hypersecretion", "in", "true;false"),
    }
    assert soc["quote"].str.contains("regardless of the hepatic tumor burden", regex=False).all()


def test_ssa_standard_of_care_is_met_for_a_functional_midgut_net_with_ssr_negative_metastases(criteria):
    """The record that the old encoding 'ruled out': the main indication does not ask for SSR."""
    from netbook.criteria import MET, NOT_MET, combine_any, evaluate_criteria, per_criteria_set

    record = dict(
        metastatic_disease=True,
        disease_resectable=False,
        primary_site="midgut",
        hormone_hypersecretion=True,
        differentiation="well",
        ssr_expression=False,
    )
    evaluated = evaluate_criteria(criteria[criteria["option"] == "ssa"], record)
    result = per_criteria_set(evaluated)
    assert result["ssa_standard_of_care"] == MET
    assert result["ssa"] == NOT_MET  # the receptor-expressing indication alone would exclude it
    assert combine_any(result) == MET  # either indication suffices
    for hypersecretion in (True, False):  # 'whether associated or not'
        record["hormone_hypersecretion"] = hypersecretion
        soc = criteria[criteria["criteria_set"] == "ssa_standard_of_care"]
        assert per_criteria_set(evaluate_criteria(soc, record))["ssa_standard_of_care"] == MET


def test_peritoneal_carcinomatosis_of_11_2016_was_found_intraoperatively():
    events = load_table("course_of_disease").set_index("event_id")
    row = events.loc["E03"]
    assert row["peritoneal_finding"] == "peritoneal carcinomatosis"
    assert "intraoperatively" in row["description"] and "not on CT" in row["description"]
    assert "Intraoperatively, peritoneal lesions were detected" in row["quote"]
    ct_part = row["description"].split(".")[0]
    assert ct_part.startswith("CT:") and "peritoneal" not in ct_part.casefold()


# ---------------------------------------------------------------- qualifiers (issue 20)

QUALIFIED = ("trial_outcomes", "trial_characteristics", "harms")


@pytest.fixture(scope="module")
def qualified():
    return {name: load_table(name) for name in QUALIFIED}


def _printed_as(df, item):
    return df["printed_as"].map(lambda items: item in items)


# ('no citation marker', 'no unit printed', 'time point in words' and, in harms, 'no rate
# printed' said exactly where the row shows it: the loader's netbook:rules)


def test_how_the_review_prints_a_result_agrees_with_the_row(qualified):
    df = qualified["trial_outcomes"]
    # a median read as a median though the word is not in the quote, and only then
    median = df["endpoint"].str.startswith("median")
    unprinted = ~df["quote"].str.contains(r"\bmedian\b", case=False, regex=True)
    flagged = _printed_as(df, "median not printed")
    assert (flagged <= (median | (df["endpoint"] == "OS"))).all()  # an 'OS' time may be a median
    assert (median & unprinted <= flagged).all(), list(df.loc[median & unprinted & ~flagged, "result_id"])
    assert set(df.loc[flagged, "result_id"]) >= {
        "prrt09-kwekkeboom-os-diagnosis",
        "tt08-radiant4-pfs-everolimus",
    }
    pooled = set(df.loc[_printed_as(df, "arms pooled"), "result_id"])
    assert pooled == {"ia03-tae-tace-symptoms", "tt06-radiant2-pr", "tt07-radiant2-sd"}


def test_the_two_prrt_survival_results_carry_their_time_origins(qualified):
    df = qualified["trial_outcomes"].set_index("result_id")
    assert df.loc["prrt08-kwekkeboom-os-first-cycle", "time_origin"] == "from the first treatment cycle"
    assert df.loc["prrt09-kwekkeboom-os-diagnosis", "time_origin"] == "from initial diagnosis"
    for rid in ("prrt08-kwekkeboom-os-first-cycle", "prrt09-kwekkeboom-os-diagnosis"):
        assert df.loc[rid, "time_origin"] in df.loc[rid, "quote"]


def test_the_bevacizumab_ifn_trial_carries_its_octreotide_background_and_crossover(qualified):
    for name, key in (("trial_outcomes", "study"), ("trial_characteristics", "study")):
        df = qualified[name]
        rows = df[df[key] == "Yao (bevacizumab vs IFN)"]
        assert len(rows) >= 1
        assert (rows["background_therapy"] == "depot octreotide").all()
        assert rows["crossover"].str.contains("allowed to receive the combination").all()
        assert (rows["regimen_in_reference"] == "pegylated interferon alpha-2b").all()
        for passages in rows["qualifier_quote"]:
            assert any(
                "depot octreotide with bevacizumab and pegylated interferon alpha-2b" in p for p in passages
            )


def test_netter1_says_congress_and_interim(qualified):
    rows = qualified["trial_outcomes"]
    netter = rows[rows["study"] == "NETTER-1"]
    assert (
        netter["report_status"].map(lambda s: "presented at the 2015 18th-ECCO-40th-ESMO Congress" in s).all()
    )
    interim = netter[netter["report_status"].map(lambda s: "Interim analysis" in s)]
    assert set(interim["endpoint"]) == {"deaths at interim analysis"}


# ---------------------------------------------------------------- the certainty layer (issue 20)


@pytest.fixture(scope="module")
def certainty():
    return load_table("result_certainty")


def test_every_result_has_its_certainty_judgements(qualified, certainty):
    out = qualified["trial_outcomes"]
    results = out[out["endpoint"] != "baseline share"]
    judged = certainty[certainty["study"] != "every result"]
    assert set(judged["study"]) == set(results["study"])
    for study, part in judged.groupby("study"):
        limitations = set(part["limitation"])
        assert "single study" in limitations, study
        n = qualified["trial_characteristics"].set_index("study").loc[study, "n"]
        assert ("sample size" in limitations) == (pd.isna(n) or n < 100), study
    listed = [i for ids in judged["result_ids"] for i in ids]
    assert set(listed) <= set(results["result_id"])
    for row in judged.itertuples():
        for rid in row.result_ids:
            assert out.set_index("result_id").loc[rid, "study"] == row.study, (row.judgement_id, rid)
    assert set(certainty.loc[certainty["study"] == "every result", "limitation"]) == {
        "not judgeable: risk of bias",
        "not judgeable: publication bias",
    }


def test_certainty_judgements_agree_with_the_extracted_data(qualified, certainty):
    chars = qualified["trial_characteristics"].set_index("study")
    for row in certainty[certainty["limitation"] == "design"].itertuples():
        assert not chars.loc[row.study, "design"].startswith("randomised"), row.judgement_id
    for row in certainty[certainty["limitation"] == "sample size"].itertuples():
        n = chars.loc[row.study, "n"]
        if pd.isna(n):
            assert "not printed" in row.judgement or "group sizes" in row.judgement, row.judgement_id
        else:
            assert row.judgement == f"n = {int(n)}" and n < 100, row.judgement_id
    surrogate = certainty[certainty["limitation"] == "surrogate endpoint"]
    endpoints = qualified["trial_outcomes"].set_index("result_id")["endpoint"]
    for ids in surrogate["result_ids"]:
        assert ids and not {endpoints[i] for i in ids} & {"OS", "median OS", "OS rate", "survival rate"}
    historical = certainty[certainty["limitation"] == "historical comparison"]
    assert list(historical["result_ids"]) == [["prrt10-kwekkeboom-benefit"]]
