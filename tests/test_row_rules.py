"""netbook.row_rules: each rule kind and predicate, on small typed tables, and the rules
run by the loader (a tiny data package): every refusal names file, row, column and rule.

The rules the book's own schemas declare are fed bad rows in tests/test_data.py.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from netbook import TableError, load_table
from netbook.row_rules import CHECKS, describe, holds, row_rule_problems

FILE = "data/tables/example.csv"


def _table(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def _problems(df: pd.DataFrame, *rules: dict, lookups: dict | None = None, sources=None):
    lookups = lookups or {}
    schema = {"netbook:lookups": sorted(lookups), "netbook:rules": list(rules)}
    return row_rule_problems(df, schema, FILE, lookups.__getitem__, sources)


def _where(problems) -> list[tuple]:
    return [(p.file, p.row, p.column, p.rule) for p in problems]


# ---------------------------------------------------------------- predicates

ROW = pd.Series(
    {
        "kind": "total",
        "count": 17,
        "note": "Split from the merged row",
        "empty": pd.NA,
        "items": ["a", "b"],
        "no_items": [],
    }
)


@pytest.mark.parametrize(
    "predicate,expected",
    [
        ({"present": "kind"}, True),
        ({"present": ["kind", "empty"]}, False),
        ({"present": "items"}, True),
        ({"present": "no_items"}, False),
        ({"absent": "empty"}, True),
        ({"absent": ["empty", "kind"]}, False),
        ({"equals": {"kind": "total", "count": 17}}, True),
        ({"equals": {"kind": "histology"}}, False),
        ({"in": {"kind": ["histology", "total"]}}, True),
        ({"in": {"count": [1, 2]}}, False),
        ({"includes": {"note": "merged row"}}, True),
        ({"includes": {"items": "b"}}, True),
        ({"includes": {"items": "c"}}, False),
        ({"includes": {"empty": "x"}}, False),
        ({"not": {"equals": {"kind": "total"}}}, False),
        ({"all": [{"present": "kind"}, {"absent": "empty"}]}, True),
        ({"all": [{"present": "kind"}, {"present": "empty"}]}, False),
        ({"any": [{"present": "empty"}, {"equals": {"count": 17}}]}, True),
        ({"any": [{"present": "empty"}, {"equals": {"count": 18}}]}, False),
    ],
)
def test_predicates(predicate, expected):
    assert holds(predicate, ROW) is expected


def test_a_predicate_reads_in_words():
    assert describe({"not": {"equals": {"reader": "not_stated"}}}) == "not (reader = 'not_stated')"
    assert describe({"any": [{"present": "a"}, {"absent": "b"}]}) == "(a is filled) or (b is empty)"


def test_an_unknown_predicate_is_a_declaration_problem():
    df = _table(kind=["total"])
    problems = _problems(df, {"rule": "r", "when": {"matches": {"kind": "t.*"}}, "then": {"present": "kind"}})
    assert [(p.rule, p.row) for p in problems] == [("rule-declaration", None)]
    assert "matches" in problems[0].message


# ---------------------------------------------------------------- the rule kinds


def test_ascending_refuses_a_row_that_goes_back():
    df = _table(date=pd.PeriodIndex(["2016-07", "2016-11", "2016-08"], freq="M"))
    problems = _problems(df, {"rule": "in-time-order", "ascending": "date"})
    assert _where(problems) == [(FILE, 4, "date", "in-time-order")]
    assert "row 3" in problems[0].message


def test_ascending_allows_ties_unless_strict():
    df = _table(n=pd.array([1, 2, 2, None, 3], dtype="Int64"))
    assert _problems(df, {"rule": "up", "ascending": "n"}) == []
    assert _where(_problems(df, {"rule": "up", "ascending": "n", "strict": True})) == [(FILE, 4, "n", "up")]


def test_unique_names_the_second_row_and_can_ignore_case():
    df = _table(vocabulary=["d", "d", "p"], wording=["well", "Well", "well"])
    assert _problems(df, {"rule": "one", "unique": ["vocabulary", "wording"]}) == []
    problems = _problems(df, {"rule": "one", "unique": ["vocabulary", "wording"], "casefold": True})
    assert _where(problems) == [(FILE, 3, "vocabulary,wording", "one")]
    assert "row 2" in problems[0].message


def test_unique_only_among_the_rows_where_it_applies():
    df = _table(study=["A", "A", "A"], role=["control", "control", "single group"])
    rule = {"rule": "arm", "unique": ["study", "role"], "when": {"equals": {"role": "single group"}}}
    assert _problems(df, rule) == []
    rule["when"] = {"equals": {"role": "control"}}
    assert _where(_problems(df, rule)) == [(FILE, 3, "study,role", "arm")]


def test_when_then_names_the_row_and_the_columns_of_then():
    df = _table(
        context=["single case", "cohort"],
        k=pd.array([None, 2], dtype="Int64"),
        n=pd.array([3, 5], dtype="Int64"),
    )
    rule = {
        "rule": "no-count",
        "when": {"equals": {"context": "single case"}},
        "then": {"absent": ["k", "n"]},
    }
    problems = _problems(df, rule)
    assert _where(problems) == [(FILE, 2, "k,n", "no-count")]
    assert "where context = 'single case'" in problems[0].message and "n='3'" in problems[0].message


def test_then_without_when_holds_on_every_row():
    df = _table(value=pd.array([1.0, None], dtype="Float64"), events=pd.array([None, None], dtype="Int64"))
    rule = {"rule": "has-a-value", "then": {"any": [{"present": "value"}, {"present": "events"}]}}
    assert _where(_problems(df, rule)) == [(FILE, 3, "value,events", "has-a-value")]


def test_iff_refuses_the_flag_where_the_condition_does_not_hold():
    df = _table(
        references=[["6"], [], ["7"]], printed_as=[[], ["no citation marker"], ["no citation marker"]]
    )
    rule = {
        "rule": "flag",
        "when": {"absent": "references"},
        "then": {"includes": {"printed_as": "no citation marker"}},
        "iff": True,
    }
    problems = _problems(df, rule)
    assert _where(problems) == [(FILE, 4, "printed_as", "flag")]
    assert problems[0].message.startswith("only where references is empty")
    del rule["iff"]
    assert _problems(df, rule) == []


def test_sum_within_the_table_names_the_total_row():
    df = _table(kind=["histology", "total", "histology"], count=pd.array([12, 17, 3], dtype="Int64"))
    rule = {
        "rule": "adds-up",
        "sum": "count",
        "rows": {"equals": {"kind": "histology"}},
        "total": {"field": "count", "row": {"equals": {"kind": "total"}}},
    }
    problems = _problems(df, rule)
    assert _where(problems) == [(FILE, 3, "count", "adds-up")]
    assert "add up to 15" in problems[0].message and "'17'" in problems[0].message
    df.loc[2, "count"] = 5
    assert _problems(df, rule) == []


def test_sum_needs_exactly_one_total_row():
    df = _table(kind=["histology", "histology"], count=pd.array([1, 2], dtype="Int64"))
    rule = {
        "rule": "adds-up",
        "sum": "count",
        "rows": {"equals": {"kind": "histology"}},
        "total": {"field": "count", "row": {"equals": {"kind": "total"}}},
    }
    problems = _problems(df, rule)
    assert [(p.rule, p.column) for p in problems] == [("adds-up", "count")]
    assert "0 rows" in problems[0].message


def test_sum_against_another_table_names_the_first_row_summed():
    cohort = _table(group=["all patients"], count=pd.array([17], dtype="Int64"))
    df = _table(outcome=["progressed", "treated", "treated"], count=pd.array([1, 3, 15], dtype="Int64"))
    rule = {
        "rule": "arms",
        "sum": "count",
        "rows": {"equals": {"outcome": "treated"}},
        "total": {"table": "cohort", "field": "count", "row": {"equals": {"group": "all patients"}}},
    }
    problems = _problems(df, rule, lookups={"cohort": cohort})
    assert _where(problems) == [(FILE, 3, "count", "arms")]
    assert "table cohort, row 2" in problems[0].message


def test_in_table_checks_each_item_and_coverage():
    options = _table(option_id=["prrt", "sirt", "ssa"])
    df = _table(options=[["prrt", "zqx"], [], ["sirt"]])
    rule = {"rule": "exists", "inTable": {"table": "options", "field": "option_id"}, "column": "options"}
    problems = _problems(df, rule, lookups={"options": options})
    assert _where(problems) == [(FILE, 2, "options", "exists")]
    assert "'zqx'" in problems[0].message
    rule["covers"] = True
    covered = _problems(df, rule, lookups={"options": options})
    assert [(p.row, p.column) for p in covered] == [(2, "options"), (None, "options")]
    assert "'ssa'" in covered[1].message


def test_in_table_only_where_it_applies():
    options = _table(option_id=["prrt"])
    df = _table(kind=["review", "case"], option=["prrt", "afterloading"])
    rule = {
        "rule": "exists",
        "inTable": {"table": "options", "field": "option_id"},
        "column": "option",
        "when": {"equals": {"kind": "review"}},
    }
    assert _problems(df, rule, lookups={"options": options}) == []


def test_agrees_on_a_key_compares_the_paired_fields():
    chars = _table(study=["A", "B"], design=["randomised phase III", "randomised phase II"])
    df = _table(study=["A", "B", "C"], design=["randomised phase III", "randomised phase III", "series"])
    rule = {
        "rule": "same-design",
        "when": {"in": {"design": ["randomised phase III"]}},
        "agrees": {"table": "chars", "on": {"study": "study"}, "fields": {"design": "design"}},
    }
    problems = _problems(df, rule, lookups={"chars": chars})
    assert _where(problems) == [(FILE, 3, "design", "same-design")]
    assert "'randomised phase II'" in problems[0].message and "row 3" in problems[0].message
    df.loc[0, "study"] = "Z"  # no row of the other table to agree with
    problems = _problems(df, rule, lookups={"chars": chars})
    assert [(p.row, p.column) for p in problems] == [(2, "design"), (3, "design")]
    assert "no single row" in problems[0].message


def test_agrees_for_rows_named_one_by_one():
    outcomes = _table(
        arm=["MIBG", "MIBG"], outcome=["stable", "treated"], count=pd.array([2, 3], dtype="Int64")
    )
    df = _table(
        statement_id=["zi04", "zi05"],
        k=pd.array([None, 2], dtype="Int64"),
        n=pd.array([17, 4], dtype="Int64"),
    )
    rule = {
        "rule": "counts-agree",
        "agrees": {
            "table": "outcomes",
            "rows": [
                {
                    "this": {"equals": {"statement_id": "zi05"}},
                    "other": {"equals": {"arm": "MIBG", "outcome": "stable"}},
                    "fields": {"k": "count"},
                },
                {
                    "this": {"equals": {"statement_id": "zi05"}},
                    "other": {"equals": {"arm": "MIBG", "outcome": "treated"}},
                    "fields": {"n": "count"},
                },
            ],
        },
    }
    problems = _problems(df, rule, lookups={"outcomes": outcomes})
    assert _where(problems) == [(FILE, 3, "n", "counts-agree")]
    assert "holds '4'" in problems[0].message and "'3'" in problems[0].message


def test_a_rule_reading_an_undeclared_table_is_refused():
    df = _table(option=["prrt"])
    schema = {
        "netbook:rules": [
            {"rule": "exists", "inTable": {"table": "options", "field": "id"}, "column": "option"}
        ]
    }
    problems = row_rule_problems(df, schema, FILE, lambda name: pytest.fail("read an undeclared table"))
    assert [(p.rule, p.row) for p in problems] == [("rule-declaration", None)]
    assert "netbook:lookups" in problems[0].message


@pytest.mark.parametrize(
    "rule,words",
    [
        ({"ascending": "n"}, '"rule" name'),
        ({"rule": "r", "ascending": "n", "unique": ["n"]}, "exactly one"),
        ({"rule": "r", "check": "no-such-check"}, "no-such-check"),
        ({"rule": "r", "ascending": "no_such_column"}, "no_such_column"),
        ({"rule": "r", "then": {"present": "n"}, "iff": True}, '"iff" needs a "when"'),
    ],
)
def test_a_rule_that_cannot_run_is_a_declaration_problem(rule, words):
    problems = _problems(_table(n=[1]), rule)
    assert [p.rule for p in problems] == ["rule-declaration"]
    assert words in problems[0].message


def test_two_rules_of_one_name_are_refused():
    problems = _problems(_table(n=[1]), {"rule": "r", "ascending": "n"}, {"rule": "r", "unique": ["n"]})
    assert [p.rule for p in problems] == ["rule-declaration"]


# ---------------------------------------------------------------- named checks


def test_the_named_checks_are_registered():
    assert {"month-in-row-label", "quotes-in-source-order", "threshold-reads-for-its-type"} <= set(CHECKS)


def test_month_in_row_label():
    df = _table(
        date=pd.PeriodIndex(["2017-05", "2017-11", None], freq="M"), label=["05/2017 11/2017", "12/2017", "x"]
    )
    rule = {"rule": "month", "check": "month-in-row-label", "date": "date", "label": "label"}
    problems = _problems(df, rule)
    assert _where(problems) == [(FILE, 3, "label", "month")]
    assert "11/2017" in problems[0].message


def test_threshold_reads_for_its_type():
    df = _table(
        threshold=["5", "zqx", "true"],
        value_type=["number", "number", "boolean"],
        comparison=["lt", "lt", "eq"],
    )
    problems = _problems(df, {"rule": "reads", "check": "threshold-reads-for-its-type"})
    assert _where(problems) == [(FILE, 3, "threshold", "reads")]


def test_quotes_in_source_order(tmp_path):
    text = tmp_path / "source.txt"
    text.write_text("First the one.\nThen   the other.\n", encoding="utf-8")
    df = _table(source_id=["s", "s"], quote=["Then the other.", "First the one."])
    problems = _problems(df, {"rule": "order", "check": "quotes-in-source-order"}, sources={"s": text})
    assert _where(problems) == [(FILE, 3, "quote", "order")]
    df["quote"] = ["First the one.", "Then the other."]
    assert _problems(df, {"rule": "order", "check": "quotes-in-source-order"}, sources={"s": text}) == []


# ---------------------------------------------------------------- in the loader


def _with_rules(tiny, rules: list[dict], lookups: list[str] | None = None) -> None:
    from conftest import SCHEMA

    schema = json.loads(json.dumps(SCHEMA))
    schema["netbook:rules"] = rules
    if lookups:
        schema["netbook:lookups"] = lookups
    tiny.write_schema(schema)


def test_the_loader_runs_the_rules_and_names_file_row_column_and_rule(tiny):
    _with_rules(
        tiny, [{"rule": "lab-has-no-date", "when": {"equals": {"kind": "lab"}}, "then": {"absent": "date"}}]
    )
    assert len(load_table("findings", tiny.descriptor)) == 2  # the good rows pass
    _with_rules(tiny, [{"rule": "every-finding-dated", "then": {"present": "date"}}])
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert [(p.row, p.column, p.rule) for p in excinfo.value.problems] == [(2, "date", "every-finding-dated")]
    assert excinfo.value.problems[0].file.endswith("tables/findings.csv")
    assert "row 2, column 'date': rule 'every-finding-dated'" in str(excinfo.value)


def test_the_loader_reads_a_named_source_for_a_check(tiny):
    # cga quotes the second sentence of the source, ssa the first: rows out of its order
    _with_rules(tiny, [{"rule": "source-order", "check": "quotes-in-source-order"}])
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert [(p.row, p.column, p.rule) for p in excinfo.value.problems] == [(3, "quote", "source-order")]


def test_the_loader_looks_up_another_table(tiny):
    from conftest import EDITORIAL_ROWS, EDITORIAL_SCHEMA

    tiny.add_table("readings", "editorial", EDITORIAL_SCHEMA, EDITORIAL_ROWS.replace("ssa,", "other,"))
    rule = {"rule": "read", "inTable": {"table": "readings", "field": "finding_id"}, "column": "finding_id"}
    _with_rules(tiny, [rule], lookups=["readings"])
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert [(p.row, p.column, p.rule) for p in excinfo.value.problems] == [(3, "finding_id", "read")]
    _with_rules(tiny, [{**rule, "inTable": {"table": "nowhere", "field": "x"}}], lookups=["nowhere"])
    with pytest.raises(TableError) as excinfo:
        load_table("findings", tiny.descriptor)
    assert [p.rule for p in excinfo.value.problems] == ["rule-declaration"]
    assert "nowhere" in str(excinfo.value)


def test_the_columns_a_schema_reads_in_other_tables_are_named():
    from netbook.row_rules import columns_read_in_other_tables

    schema = {
        "netbook:rules": [
            {"rule": "a", "inTable": {"table": "options", "field": "option_id"}, "column": "option"},
            {
                "rule": "b",
                "sum": "n",
                "rows": {"present": "n"},
                "total": {"table": "cohort", "field": "count", "row": {"equals": {"kind": "total"}}},
            },
            {
                "rule": "c",
                "agrees": {
                    "table": "outcomes",
                    "rows": [
                        {
                            "this": {"equals": {"id": "x"}},
                            "other": {"equals": {"arm": "A"}},
                            "fields": {"k": "count"},
                        }
                    ],
                },
            },
            {
                "rule": "d",
                "agrees": {"table": "trials", "on": {"study": "name"}, "fields": {"design": "design"}},
            },
            {"rule": "e", "unique": ["id"]},
        ]
    }
    assert columns_read_in_other_tables(schema) == {
        ("options", "option_id"),
        ("cohort", "count"),
        ("cohort", "kind"),
        ("outcomes", "count"),
        ("outcomes", "arm"),
        ("trials", "name"),
        ("trials", "design"),
    }
