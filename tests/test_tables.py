"""netbook.tables: the loader returns typed, validated data or names exactly what is wrong
(file, row, column, rule); the kinds of table (extracted, derived, editorial) and the
package listings."""

from __future__ import annotations

import copy

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
