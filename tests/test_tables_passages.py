"""netbook.tables: a qualifier is quoted like a value. A ``"netbook:quote"`` field is a
further passage of the row's source (or a list of them) and must occur in it; an
``"netbook:inQuote"`` field holds words as printed and must occur in the row's quote or in
one of the passages its ``"netbook:quoteFields"`` name. Each failure names the file, row,
column and rule."""

from __future__ import annotations

import copy

import pytest
from conftest import SCHEMA

from netbook import TableError, load_table

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
