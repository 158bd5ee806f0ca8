"""netbook.tables: the loader returns typed, validated data or names exactly what is wrong
(file, row, column, rule); the kinds of table (extracted, derived, editorial) and the
package listings; qualifiers quoted like values (netbook:quote, netbook:inQuote)."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
from conftest import EDITORIAL_ROWS, EDITORIAL_SCHEMA, GOOD_ROWS, SCHEMA

from netbook import TableError, load_table
from netbook.tables import extracted_values, list_tables, load_all_tables, resources


def only_problem(excinfo):
    problems = excinfo.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_good_table_is_typed(tiny):
    df = load_table("findings", tiny.descriptor)
    assert list(df["finding_id"]) == ["cga", "ssa"]
    assert str(df["value"].dtype) == "Float64"
    assert df.loc[0, "value"] == 29924
    assert pd.isna(df.loc[0, "date"])
    assert df.loc[1, "date"] == pd.Period("2016-08", freq="M")
    assert df.attrs["netbook"]["value_fields"] == ["date", "value"]


def test_unknown_table(tiny):
    with pytest.raises(TableError) as excinfo:
        load_table("trial_outcomes", tiny.descriptor)
    problem = only_problem(excinfo)
    assert problem.rule == "known-table"
    assert "known tables: findings, sources" in str(excinfo.value)


def test_malformed_csv(tiny):
    tiny.write_csv(GOOD_ROWS + 'bad,,lab,1,mg,case,Case presentation,"an unclosed quote\n')
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert problem.rule == "csv-syntax"
    assert problem.file.endswith("tables/findings.csv")
    assert "unexpected end of data" in problem.message


def test_row_with_too_many_cells(tiny):
    tiny.write_csv(GOOD_ROWS + "x,,lab,1,mg,case,Case presentation,In August 2016 a,extra\n")
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.rule) == (4, "cell-count")
    assert "9 cells where the header has 8" in problem.message


def test_missing_column(tiny):
    tiny.write_csv(
        GOOD_ROWS.replace(",unit,", ",", 1).replace(",µg/L,", ",", 1).replace(",mg,case", ",case", 1)
    )
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (1, "unit", "missing-column")
    assert str(problem).startswith(problem.file + ", row 1, column 'unit': rule 'missing-column'")


def test_wrong_type(tiny):
    tiny.write_csv(GOOD_ROWS.replace(",30,mg,", ",thirty,mg,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "value", "type-error")
    assert "number" in problem.message


def test_bad_yearmonth(tiny):
    tiny.write_csv(GOOD_ROWS.replace("2016-08", "2016-13"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "date", "type-error")


def test_value_outside_enum(tiny):
    tiny.write_csv(GOOD_ROWS.replace(",lab,", ",laboratory,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (2, "kind", "constraint-error")
    assert "enum" in problem.message


def test_missing_required_value(tiny):
    tiny.write_csv(GOOD_ROWS.replace(',Case presentation,"In', ',,"In'))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "locator", "constraint-error")
    assert "required" in problem.message


def test_duplicate_key(tiny):
    tiny.write_csv(GOOD_ROWS.replace("ssa,2016-08", "cga,2016-08"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "finding_id", "primary-key")


def test_unknown_source(tiny):
    tiny.write_csv(GOOD_ROWS.replace(",mg,case,", ",mg,elsewhere,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "source_id", "foreign-key")
    assert '"elsewhere"' in problem.message


def test_source_text_missing(tiny):
    tiny.source_path.unlink()
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert {(p.row, p.column, p.rule) for p in excinfo.value.problems} == {
        (2, "source_id", "source-exists"),
        (3, "source_id", "source-exists"),
    }


def test_quote_not_in_source(tiny):
    tiny.write_csv(GOOD_ROWS.replace("at presentation", "at diagnosis"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (2, "quote", "quote-in-source")
    assert tiny.source_path.name in problem.message


def test_quote_may_differ_in_whitespace_only(tiny):
    # the source breaks the line inside "at\npresentation"; the quote has a space
    df = load_table("findings", tiny.descriptor)
    assert df.loc[0, "quote"].endswith("at presentation.")


def test_number_not_in_quote(tiny):
    tiny.write_csv(GOOD_ROWS.replace("cga,,lab,29924,", "cga,,lab,29942,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (2, "value", "number-in-quote")
    assert "29942" in problem.message


def test_unit_not_in_quote(tiny):
    tiny.write_csv(GOOD_ROWS.replace(",29924,µg/L,", ",29924,mg/L,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (2, "unit", "unit-in-quote")


def test_date_not_in_quote(tiny):
    tiny.write_csv(GOOD_ROWS.replace("2016-08", "2016-09"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "date", "date-in-quote")


def test_every_problem_is_listed(tiny):
    tiny.write_csv(GOOD_ROWS.replace("29924", "1").replace(",30,", ",31,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert [(p.row, p.rule) for p in excinfo.value.problems] == [
        (2, "number-in-quote"),
        (3, "number-in-quote"),
    ]
    assert str(excinfo.value).startswith("2 problems:")


def test_table_without_provenance_columns(tiny):
    schema = copy.deepcopy(SCHEMA)
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "locator"]
    tiny.write_schema(schema)
    tiny.write_csv(GOOD_ROWS.replace(",Case presentation", "").replace(",locator", ""))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.column, problem.rule) == ("locator", "provenance-columns")


def test_list_field(tiny):
    schema = copy.deepcopy(SCHEMA)
    del schema["fields"][3]["netbook:unitField"]
    schema["fields"][4]["netbook:separator"] = ";"
    tiny.write_schema(schema)
    df = load_table("findings", tiny.descriptor)
    assert df.loc[1, "unit"] == ["mg"]


def test_large_and_decimal_values_are_matched_as_printed(tiny):
    tiny.write_csv(GOOD_ROWS.replace("cga,,lab,29924,", "cga,,lab,29924.0,"))
    assert load_table("findings", tiny.descriptor).loc[0, "value"] == 29924
    tiny.write_csv(GOOD_ROWS.replace("cga,,lab,29924,", "cga,,lab,1234567,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert "1234567 (from value '1234567')" in str(excinfo.value)  # not 1.23457e+06


# ------------------------------------------------- inputs that would load silently


def _where(problem):
    return (problem.file.rsplit("/", 2)[-2:], problem.row, problem.column, problem.rule)


@pytest.mark.parametrize("printed", ["NaN", "nan", "inf", "-inf", "+Infinity", "INF", " NaN"])
def test_a_non_finite_number_is_refused(tiny, printed):
    """Frictionless reads NaN and inf as numbers: the value would vanish and every
    provenance rule would pass."""
    tiny.write_csv(GOOD_ROWS.replace("cga,,lab,29924,", f"cga,,lab,{printed},"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert _where(problem) == (["tables", "findings.csv"], 2, "value", "finite-number")
    assert repr(printed) in problem.message


def test_a_non_finite_number_is_refused_in_an_integer_field_too(tiny):
    schema = copy.deepcopy(SCHEMA)
    schema["fields"][3]["type"] = "integer"
    tiny.write_schema(schema)
    tiny.write_csv(GOOD_ROWS.replace(",30,mg,", ",inf,mg,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert _where(only_problem(excinfo)) == (["tables", "findings.csv"], 3, "value", "finite-number")


def test_nan_as_text_in_a_string_field_is_not_a_number_problem(tiny):
    # only number fields are checked: a word in a text column is the quote's business
    tiny.write_csv(GOOD_ROWS.replace("cga,,lab,", "nan,,lab,"))
    assert load_table("findings", tiny.descriptor).loc[0, "finding_id"] == "nan"


def test_a_header_without_rows_is_refused(tiny):
    tiny.write_csv(GOOD_ROWS.splitlines(keepends=True)[0])
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert _where(problem) == (["tables", "findings.csv"], None, None, "has-rows")
    assert "header but no rows" in problem.message


def test_an_empty_file_is_refused(tiny):
    tiny.write_csv("")
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert _where(problem) == (["tables", "findings.csv"], None, None, "csv-syntax")
    assert "empty" in problem.message


@pytest.mark.parametrize("blank", [" ", "   ", "\t"])
def test_a_cell_of_only_spaces_is_refused(tiny, blank):
    tiny.write_csv(
        GOOD_ROWS.replace("ssa,2016-08,therapy start,30,mg,", f"ssa,2016-08,therapy start,30,{blank},")
    )
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert _where(problem) == (["tables", "findings.csv"], 3, "unit", "blank-cell")


# ------------------------------------------------- kinds of table


def test_editorial_table_loads_without_quote(tiny):
    tiny.add_table("readings", "editorial", EDITORIAL_SCHEMA, EDITORIAL_ROWS)
    df = load_table("readings", tiny.descriptor)
    assert list(df["finding_id"]) == ["cga", "ssa"]
    assert df.attrs["netbook"]["kind"] == "editorial"
    assert df.attrs["netbook"]["path"] == "editorial/readings.csv"
    assert load_table("findings", tiny.descriptor).attrs["netbook"]["kind"] == "extracted"


def test_editorial_table_needs_a_rationale_column(tiny):
    schema = copy.deepcopy(EDITORIAL_SCHEMA)
    schema["fields"] = schema["fields"][:2]
    tiny.add_table("readings", "editorial", schema, "finding_id,reading\ncga,raised\n")
    with pytest.raises(TableError) as excinfo:
        load_table("readings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert _where(problem) == (["editorial", "readings.csv"], None, "rationale", "rationale-column")


def test_editorial_row_needs_a_rationale(tiny):
    tiny.add_table(
        "readings",
        "editorial",
        EDITORIAL_SCHEMA,
        EDITORIAL_ROWS.replace(
            ",first-line,The first therapy the text names after the diagnosis.", ",first-line,"
        ),
    )
    with pytest.raises(TableError) as excinfo:
        load_table("readings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert _where(problem) == (["editorial", "readings.csv"], 3, "rationale", "rationale-given")


def test_derived_table_passes_the_provenance_rules_too(tiny):
    tiny.add_table("derived_findings", "derived", SCHEMA, GOOD_ROWS)
    assert load_table("derived_findings", tiny.descriptor).attrs["netbook"]["kind"] == "derived"
    tiny.add_table("derived_bad", "derived", SCHEMA, GOOD_ROWS.replace("at presentation", "at diagnosis"))
    with pytest.raises(TableError) as excinfo:
        load_table("derived_bad", tiny.descriptor)
    assert _where(only_problem(excinfo)) == (["derived", "derived_bad.csv"], 2, "quote", "quote-in-source")


@pytest.mark.parametrize("kind", [None, "hand-made"])
def test_a_table_without_a_known_kind_is_refused(tiny, kind):
    tiny.add_table("loose", kind, EDITORIAL_SCHEMA, EDITORIAL_ROWS)
    with pytest.raises(TableError) as excinfo:
        load_table("loose", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.file.rsplit("/", 1)[-1], problem.row, problem.column, problem.rule) == (
        "datapackage.json",
        None,
        None,
        "table-kind",
    )
    assert repr(kind) in problem.message


def test_list_tables_by_kind(tiny):
    tiny.add_table("readings", "editorial", EDITORIAL_SCHEMA, EDITORIAL_ROWS)
    tiny.add_table("derived_findings", "derived", SCHEMA, GOOD_ROWS)
    assert list_tables(tiny.descriptor) == ["derived_findings", "findings"]  # tables that quote sources
    assert list_tables(tiny.descriptor, kinds=("editorial",)) == ["readings"]
    assert list_tables(tiny.descriptor, kinds=("extracted", "derived", "editorial")) == [
        "derived_findings",
        "findings",
        "readings",
    ]
    assert [r["name"] for r in resources(tiny.descriptor)] == [
        "sources",
        "findings",
        "readings",
        "derived_findings",
    ]
    assert sorted(load_all_tables(tiny.descriptor)) == ["derived_findings", "findings"]


def test_extracted_values_lists_every_value_cell_with_its_quote(tiny):
    values = extracted_values({"findings": load_table("findings", tiny.descriptor)})
    assert list(zip(values["row"], values["field"], values["value"])) == [
        (2, "value", "29924"),
        (3, "date", "2016-08"),
        (3, "value", "30"),
    ]
    assert values.loc[0, "quote"].startswith("Chromogranin A was 29,924")


def test_the_sources_table_loads_by_name(tiny):
    sources = load_table("sources", tiny.descriptor)
    assert list(sources["source_id"]) == ["case"]
    assert sources.attrs["netbook"]["kind"] == "sources"


# ---------------------------------------------------------------- messages that say where


def test_a_misspelled_enum_value_is_echoed(tiny):
    tiny.write_csv(GOOD_ROWS.replace(",lab,", ",lba,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column) == (2, "kind")
    assert "'lba'" in problem.message


def test_a_quote_that_does_not_match_shows_where_it_diverges(tiny):
    tiny.write_csv(GOOD_ROWS.replace("at presentation", "at diagnosis"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    message = only_problem(excinfo).message
    # the longest matching prefix ends at "at ", then the quote and the source part
    assert "the first 34 characters match (ending 'mogranin A was 29,924 µg/L at ')" in message
    assert "the quote has 'diagnosis.'" in message and "the source has 'presentation'" in message


def test_a_schema_error_does_not_hide_the_provenance_errors_of_its_row(tiny):
    # row 2: a misspelled kind (schema) and a value its quote does not print (provenance)
    tiny.write_csv(GOOD_ROWS.replace("cga,,lab,29924,", "cga,,lba,29942,"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert {(p.row, p.column, p.rule) for p in excinfo.value.problems} == {
        (2, "kind", "constraint-error"),
        (2, "value", "number-in-quote"),
    }


def test_rows_out_of_key_order_are_refused(tiny):
    lines = GOOD_ROWS.splitlines(keepends=True)
    tiny.write_csv(lines[0] + lines[2] + lines[1])
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "finding_id", "rows-sorted")


def test_a_declared_row_order_is_accepted(tiny):
    lines = GOOD_ROWS.splitlines(keepends=True)
    tiny.write_csv(lines[0] + lines[2] + lines[1])
    tiny.write_schema({**SCHEMA, "netbook:rowOrder": "the order of the text"})
    assert list(load_table("findings", tiny.descriptor)["finding_id"]) == ["ssa", "cga"]


# ---------------------------------------------------------------- rules declared per field


def _with_field(tiny, field: dict, cells: tuple[str, str], after: str = "unit") -> None:
    """Add ``field`` to the tiny schema after ``after``, with a cell per row."""
    schema = copy.deepcopy(SCHEMA)
    at = [f["name"] for f in schema["fields"]].index(after) + 1
    schema["fields"].insert(at, field)
    tiny.write_schema(schema)
    lines = GOOD_ROWS.splitlines()
    out = []
    for number, line in enumerate(lines):
        head = line.split(",")
        cell = field["name"] if number == 0 else cells[number - 1]
        cell = f'"{cell}"' if "," in cell else cell
        out.append(",".join(head[:at] + [cell] + head[at:]))
    tiny.write_csv("\n".join(out) + "\n")


def test_an_as_printed_fragment_in_its_quote_loads(tiny):
    field = {"name": "marker_as_printed", "type": "string", "netbook:inQuote": "verbatim"}
    _with_field(tiny, field, ("Chromogranin A", "octreotide LAR"))
    assert list(load_table("findings", tiny.descriptor)["marker_as_printed"]) == [
        "Chromogranin A",
        "octreotide LAR",
    ]


def test_an_as_printed_fragment_not_in_its_quote_is_refused(tiny):
    field = {"name": "marker_as_printed", "type": "string", "netbook:inQuote": "verbatim"}
    _with_field(tiny, field, ("Chromogranin B", "octreotide LAR"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (2, "marker_as_printed", "printed-in-quote")
    assert "'Chromogranin B'" in problem.message


def test_case_is_ignored_only_where_declared(tiny):
    field = {"name": "marker_as_printed", "type": "string", "netbook:inQuote": "verbatim"}
    _with_field(tiny, field, ("chromogranin A", ""))
    with pytest.raises(TableError):
        load_table("findings", tiny.descriptor)
    _with_field(tiny, {**field, "netbook:inQuote": "casefold"}, ("chromogranin A", ""))
    load_table("findings", tiny.descriptor)


def test_each_item_of_a_list_is_checked(tiny):
    field = {
        "name": "words_as_printed",
        "type": "string",
        "netbook:separator": ";",
        "netbook:inQuote": "verbatim",
    }
    _with_field(tiny, field, ("Chromogranin A;at presentation", "octreotide;every 29 days"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column) == (3, "words_as_printed") and "'every 29 days'" in problem.message


def test_an_as_printed_field_must_declare_its_rule(tiny):
    _with_field(tiny, {"name": "marker_as_printed", "type": "string"}, ("anything", ""))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (1, "marker_as_printed", "as-printed-declared")


def test_a_derived_column_that_differs_from_its_derivation_is_refused(tiny):
    printed = {"name": "count_as_printed", "type": "string", "netbook:inQuote": "verbatim"}
    _with_field(tiny, printed, ("", ""))
    schema = json.loads((tiny.root / "tables" / "findings.schema.json").read_text())
    derived = {
        "name": "count",
        "type": "integer",
        "netbook:derived": {"function": "count", "from": ["count_as_printed"]},
    }
    schema["fields"].insert(6, derived)
    tiny.write_schema(schema)
    header = "finding_id,date,kind,value,unit,count_as_printed,count,source_id,locator,quote"
    rows = GOOD_ROWS.splitlines()
    row_a = rows[1].replace("µg/L,case", "µg/L,,,case")
    row_b = rows[2].replace(",30,mg,case", ",30,mg,30,31,case")  # '30' read as 30, typed 31
    tiny.write_csv("\n".join([header, row_a, row_b]) + "\n")
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "count", "derived-column")
    assert "holds 31" in problem.message and "derives 30" in problem.message
    tiny.write_csv("\n".join([header, row_a, row_b.replace(",30,31,", ",30,30,")]) + "\n")
    assert load_table("findings", tiny.descriptor).loc[1, "count"] == 30


def test_an_unregistered_derivation_is_refused(tiny):
    field = {"name": "twice", "type": "integer", "netbook:derived": {"function": "double", "from": ["value"]}}
    _with_field(tiny, field, ("", ""))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.column, problem.rule) == ("twice", "schema-keys") and "'double'" in problem.message


def test_a_second_quote_is_checked_against_the_source(tiny):
    field = {"name": "other_quote", "type": "string", "netbook:quote": {}}
    _with_field(tiny, field, ("Chromogranin A was 29,924", "Chromogranin A was 29,942"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "other_quote", "quote-in-source")


def test_a_value_checked_against_another_quote(tiny):
    schema_quote = {"name": "other_quote", "type": "string", "netbook:quote": {}}
    _with_field(tiny, schema_quote, ("octreotide LAR 30 mg every 28 days", "Chromogranin A was 29,924"))
    schema = json.loads((tiny.root / "tables" / "findings.schema.json").read_text())
    value = next(f for f in schema["fields"] if f["name"] == "value")
    value["netbook:quoteFields"] = ["other_quote"]
    value.pop("netbook:unitField")
    tiny.write_schema(schema)
    with pytest.raises(TableError) as excinfo:  # each value now stands in the other row's quote
        load_table("findings", tiny.descriptor)
    assert {(p.row, p.column, p.rule) for p in excinfo.value.problems} == {
        (2, "value", "number-in-quote"),
        (3, "value", "number-in-quote"),
    }


def test_a_locator_that_does_not_hold_the_quote_is_refused(tiny):
    tiny.write_csv(
        GOOD_ROWS.replace(
            "ssa,2016-08,therapy start,30,mg,case,Case presentation,",
            "ssa,2016-08,therapy start,30,mg,case,Discussion,",
        )
    )
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    problem = only_problem(excinfo)
    assert (problem.row, problem.column, problem.rule) == (3, "locator", "locator-holds-quote")
    assert "'Discussion'" in problem.message and "'Case presentation'" in problem.message


@pytest.mark.parametrize(
    "locator,section,names",
    [
        ("Abstract, Results", "Abstract, Results", True),
        ("Abstract", "Abstract, Results", True),  # the section it belongs to
        ("Table 1 (raw PDF line)", "Table 1", True),  # a qualifier in parentheses
        ("Liver transplantation (LT)", "Liver transplantation (LT)", True),
        ("Results", "Abstract, Results", False),
        ("Discussion", "Discussion and conclusion", False),
        ("Abstract, Res", "Abstract, Results", False),
    ],
)
def test_which_locators_name_a_section(locator, section, names):
    from netbook.tables import locator_names

    assert locator_names(locator, section) is names


# --- a qualifier is quoted like a value
# netbook.tables: a qualifier is quoted like a value. A ``"netbook:quote"`` field is a
# further passage of the row's source (or a list of them) and must occur in it; an
# ``"netbook:inQuote"`` field holds words as printed and must occur in the row's quote or in
# one of the passages its ``"netbook:quoteFields"`` name. Each failure names the file, row,
# column and rule.

HEADER = "finding_id,date,kind,value,unit,origin,extra_quote,source_id,locator,quote\n"


def _schema():
    schema = copy.deepcopy(SCHEMA)
    extra = [
        {
            "name": "origin",
            "type": "string",
            "netbook:inQuote": "casefold",
            "netbook:quoteFields": ["quote", "extra_quote"],
        },
        {"name": "extra_quote", "type": "string", "netbook:quote": {}},
    ]
    schema["fields"][5:5] = extra  # before the provenance columns
    return schema


def _rows(origin: str, extra: str) -> str:
    return HEADER + (
        f'cga,,lab,29924,µg/L,{origin},"{extra}",case,Case presentation,'
        '"Chromogranin A was 29,924 µg/L at presentation."\n'
    )


def _problems(tiny, origin, extra):
    tiny.write_schema(_schema())
    tiny.write_csv(_rows(origin, extra))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    return [(p.row, p.column, p.rule) for p in excinfo.value.problems]


def test_a_fragment_of_the_quote_or_of_a_further_passage_loads(tiny):
    tiny.write_schema(_schema())
    tiny.write_csv(_rows("At Presentation", ""))  # case and whitespace aside
    assert load_table("findings", tiny.descriptor).loc[0, "origin"] == "At Presentation"
    tiny.write_csv(_rows("every 28 days", "therapy with octreotide LAR 30 mg every 28 days"))
    assert load_table("findings", tiny.descriptor).loc[0, "extra_quote"].startswith("therapy")


def test_a_fragment_found_in_no_passage_is_refused(tiny):
    assert _problems(tiny, "at diagnosis", "") == [(2, "origin", "printed-in-quote")]


def test_a_further_passage_not_in_the_source_is_refused(tiny):
    problems = _problems(tiny, "every 28 days", "therapy with octreotide LAR 30 mg every 21 days")
    # the passage is not in the source, so the fragment it would carry is not found either
    assert problems == [(2, "extra_quote", "quote-in-source"), (2, "origin", "printed-in-quote")]


def test_a_list_of_passages_is_checked_passage_by_passage(tiny):
    schema = _schema()
    schema["fields"][6]["netbook:separator"] = "|"
    tiny.write_schema(schema)
    two = "therapy with octreotide LAR 30 mg | Case presentation"
    tiny.write_csv(_rows("octreotide LAR", two))
    assert load_table("findings", tiny.descriptor).loc[0, "extra_quote"] == [
        "therapy with octreotide LAR 30 mg",
        "Case presentation",
    ]
    tiny.write_csv(_rows("octreotide LAR", two + " | Case discussion"))
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert [(p.row, p.column, p.rule) for p in excinfo.value.problems] == [
        (2, "extra_quote", "quote-in-source")
    ]
