"""The rules about a table's rows that a schema declares in ``"netbook:rules"``.

:func:`netbook.tables.load_table` runs them after its other checks, so a chapter that
loads a table is protected by them (they once lived only in tests). Each rule is an
object with a ``"rule"`` name (the name every refusal reports) and one kind key::

    "netbook:rules": [
      {"rule": "events-in-time-order", "ascending": "date"},
      {"rule": "one-wording-per-vocabulary", "unique": ["vocabulary", "case_wording"],
       "casefold": true},
      {"rule": "single-case-no-count", "when": {"equals": {"context": "single case"}},
       "then": {"not": {"present": ["k", "n"]}}},
      {"rule": "histologies-add-up", "sum": "count", "rows": {"equals": {"kind": "histology"}},
       "total": {"field": "count", "row": {"equals": {"kind": "total"}}}},
      {"rule": "option-exists", "inTable": {"table": "management_options", "field": "option_id"},
       "column": "option_id"},
      {"rule": "counts-agree", "agrees": {"table": "salvage_outcomes", "rows": [...]}},
      {"rule": "quotes-in-source-order", "check": "quotes-in-source-order"}
    ]

Kinds:

``ascending: <column>``
    the column never decreases in row order (``"strict": true``: always increases).
``unique: [<column>, ...]``
    no two rows hold the same values in these columns (``"casefold": true``: up to case;
    ``"when"``: among the rows where the predicate holds).
``when: <predicate>, then: <predicate>``
    every row where ``when`` holds (every row, without ``when``) satisfies ``then``;
    ``"iff": true``: and no other row does (a flag set exactly where a condition holds).
``sum: <column>, rows: <predicate>, total: {field, row, [table]}``
    the rows where ``rows`` holds add up, in that column, to the ``field`` of the one row
    where ``row`` holds (of this table, or of the ``table`` named).
``inTable: {table, field}, column: <column>``
    each value of the column (each item of a list column) is a ``field`` value of the
    other table (``"when"``: only in rows where the predicate holds); ``"covers": true``
    also asks every ``field`` value of the other table to occur in the column.
``agrees: {table, on: {<column>: <other column>}, fields: {<column>: <other field>}}``
    in each row (``"when"``: where the predicate holds) the other table's row with the
    same ``on`` values holds the same values in the fields paired; or, for rows named one
    by one, ``agrees: {table, rows: [{this: <predicate>, other: <predicate>,
    fields: {<column>: <other field>}}]}``.
``check: <name>``
    a check registered in :data:`CHECKS` (further keys are its parameters), for what a
    declaration cannot say simply.

Predicates (on one row): ``{"present": <column or [columns]>}`` (every column named is
filled; a list column has a non-empty item), ``{"absent": <column or [columns]>}``
(none is filled), ``{"equals": {<column>: <value>, ...}}``,
``{"in": {<column>: [<value>, ...]}}``, ``{"includes": {<column>: <text>}}`` (a text
cell holds the text, a list cell holds it as an item), ``{"not": <predicate>}``,
``{"all": [<predicate>, ...]}``, ``{"any": [<predicate>, ...]}``.

Another table is read from its CSV, typed by its schema but not validated (its own load
validates it): so two tables that name each other do not load each other in a circle.
The tables a schema's rules read are listed in ``"netbook:lookups"`` (checked here), so
a reader of the schema sees them at the top.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from netbook import provenance
from netbook.tables import Problem
from netbook.values import is_missing

KINDS = ("ascending", "unique", "when", "sum", "inTable", "agrees", "check")
PREDICATES = ("present", "absent", "equals", "in", "includes", "not", "all", "any")

Lookup = Callable[[str], pd.DataFrame]


class RuleDeclarationError(ValueError):
    """A rule or predicate the vocabulary does not know (reported as a problem)."""


class UnreadableTable(ValueError):
    """A table a rule reads cannot be read (its own load reports why)."""


# ---------------------------------------------------------------- predicates


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _filled(value) -> bool:
    if isinstance(value, list):
        return any(not is_missing(v) for v in value)
    return not is_missing(value)


def _same(cell, wanted) -> bool:
    if is_missing(cell):
        return wanted is None
    if isinstance(cell, pd.Period):
        return str(cell) == str(wanted)
    return bool(cell == wanted)


def holds(predicate: dict, row: pd.Series) -> bool:
    """Does the predicate hold for this row?"""
    if not isinstance(predicate, dict) or len(predicate) != 1:
        raise RuleDeclarationError(f"a predicate is an object with one of {PREDICATES}: {predicate!r}")
    ((kind, arg),) = predicate.items()
    if kind == "present":
        return all(_filled(row[c]) for c in _as_list(arg))
    if kind == "absent":
        return not any(_filled(row[c]) for c in _as_list(arg))
    if kind == "equals":
        return all(_same(row[c], v) for c, v in arg.items())
    if kind == "in":
        return all(any(_same(row[c], v) for v in values) for c, values in arg.items())
    if kind == "includes":
        return all(
            text in row[c] if isinstance(row[c], list) else (isinstance(row[c], str) and text in row[c])
            for c, text in arg.items()
        )
    if kind == "not":
        return not holds(arg, row)
    if kind == "all":
        return all(holds(p, row) for p in arg)
    if kind == "any":
        return any(holds(p, row) for p in arg)
    raise RuleDeclarationError(f"unknown predicate {kind!r}; known: {PREDICATES}")


def columns_of(predicate: dict) -> list[str]:
    """The columns a predicate reads, in the order it names them."""
    ((kind, arg),) = predicate.items()
    if kind in ("present", "absent"):
        return _as_list(arg)
    if kind in ("equals", "in", "includes"):
        return list(arg)
    if kind == "not":
        return columns_of(arg)
    return [c for p in arg for c in columns_of(p) if c]


def describe(predicate: dict) -> str:
    """The predicate in words, for an error message."""
    ((kind, arg),) = predicate.items()
    if kind == "present":
        return " and ".join(f"{c} is filled" for c in _as_list(arg))
    if kind == "absent":
        return " and ".join(f"{c} is empty" for c in _as_list(arg))
    if kind == "equals":
        return " and ".join(f"{c} = {v!r}" for c, v in arg.items())
    if kind == "in":
        return " and ".join(f"{c} is one of {v!r}" for c, v in arg.items())
    if kind == "includes":
        return " and ".join(f"{c} includes {v!r}" for c, v in arg.items())
    if kind == "not":
        return f"not ({describe(arg)})"
    joiner = " and " if kind == "all" else " or "
    return joiner.join(f"({describe(p)})" for p in arg)


# ---------------------------------------------------------------- the rule kinds


class _Context:
    def __init__(self, df: pd.DataFrame, file: str, lookup: Lookup, source_files: dict[str, Path]):
        self.df, self.file, self.lookup, self.source_files = df, file, lookup, source_files

    def problem(self, index: int | None, column, rule: dict, message: str) -> Problem:
        column = ",".join(column) if isinstance(column, list) else column
        row = None if index is None else index + 2  # the header is row 1
        return Problem(self.file, row, column, rule["rule"], message)

    def rows(self, predicate: dict | None):
        for index, row in self.df.iterrows():
            if predicate is None or holds(predicate, row):
                yield index, row

    def other(self, table: str) -> pd.DataFrame:
        return self.lookup(table)


def _text(value) -> str:
    if isinstance(value, list):
        return ";".join(value)
    return "" if is_missing(value) else str(value)


def _ascending(ctx: _Context, rule: dict) -> list[Problem]:
    column, strict = rule["ascending"], rule.get("strict", False)
    problems, previous = [], None
    for index, row in ctx.rows(rule.get("when")):
        value = row[column]
        if is_missing(value):
            continue
        if previous is not None and (value < previous[1] or (strict and value == previous[1])):
            order = "increase" if strict else "never decrease"
            problems.append(
                ctx.problem(
                    index,
                    column,
                    rule,
                    f"{_text(value)!r} follows {_text(previous[1])!r} (row {previous[0] + 2}); "
                    f"the column must {order} in row order",
                )
            )
        previous = (index, value)
    return problems


def _unique(ctx: _Context, rule: dict) -> list[Problem]:
    columns, casefold = rule["unique"], rule.get("casefold", False)
    seen, problems = {}, []
    for index, row in ctx.rows(rule.get("when")):
        key = tuple(_text(row[c]).casefold() if casefold else _text(row[c]) for c in columns)
        if key in seen:
            problems.append(
                ctx.problem(
                    index,
                    columns,
                    rule,
                    f"{key!r} is already in row {seen[key] + 2}; no two rows may hold the same "
                    f"{', '.join(columns)}" + (" (up to case)" if casefold else ""),
                )
            )
        else:
            seen[key] = index
    return problems


def _when_then(ctx: _Context, rule: dict) -> list[Problem]:
    when, then, iff = rule.get("when"), rule["then"], rule.get("iff", False)
    if iff and when is None:
        raise RuleDeclarationError('"iff" needs a "when"')
    columns = list(dict.fromkeys(columns_of(then)))
    problems = []
    for index, row in ctx.df.iterrows():
        applies = when is None or holds(when, row)
        if applies == holds(then, row) or (not applies and not iff):
            continue
        shown = ", ".join(f"{c}={_text(row[c])!r}" for c in columns)
        if applies:
            where = f"where {describe(when)}, " if when else ""
            message = f"{where}{describe(then)} ({shown})"
        else:
            message = f"only where {describe(when)}: {describe(then)} ({shown})"
        problems.append(ctx.problem(index, columns, rule, message))
    return problems


def _one_row(df: pd.DataFrame, predicate: dict) -> list[int]:
    return [index for index, row in df.iterrows() if holds(predicate, row)]


def _sum(ctx: _Context, rule: dict) -> list[Problem]:
    column, total = rule["sum"], rule["total"]
    parts = [(index, row[column]) for index, row in ctx.rows(rule["rows"])]
    table = total.get("table")
    totals_df = ctx.other(table) if table else ctx.df
    found = _one_row(totals_df, total["row"])
    where = f"table {table}" if table else "this table"
    if len(found) != 1:
        return [
            ctx.problem(
                None,
                total["field"],
                rule,
                f"{len(found)} rows of {where} where {describe(total['row'])}; the total needs exactly one",
            )
        ]
    expected = totals_df.at[found[0], total["field"]]
    added = sum(0 if is_missing(v) else v for _, v in parts)
    if not parts or is_missing(expected) or added != expected:
        rows = ", ".join(str(i + 2) for i, _ in parts) or "none"
        anchor = found[0] if not table else (parts[0][0] if parts else None)
        return [
            ctx.problem(
                anchor,
                total["field"] if not table else column,
                rule,
                f"the rows where {describe(rule['rows'])} (rows {rows}) "
                f"add up to {added} in {column}, but {total['field']} of the row where "
                f"{describe(total['row'])} ({where}, row {found[0] + 2}) is {_text(expected)!r}",
            )
        ]
    return []


def _in_table(ctx: _Context, rule: dict) -> list[Problem]:
    target, column = rule["inTable"], rule["column"]
    other = ctx.other(target["table"])
    known = {_text(v) for v in other[target["field"]] if not is_missing(v)}
    problems, used = [], set()
    for index, row in ctx.rows(rule.get("when")):
        items = row[column] if isinstance(row[column], list) else [row[column]]
        for item in items:
            if is_missing(item):
                continue
            used.add(_text(item))
            if _text(item) not in known:
                problems.append(
                    ctx.problem(
                        index,
                        column,
                        rule,
                        f"{_text(item)!r} is not a {target['field']} of table {target['table']}",
                    )
                )
    if rule.get("covers"):
        for missing in sorted(known - used):
            problems.append(
                ctx.problem(
                    None,
                    column,
                    rule,
                    f"no row names {missing!r}, a {target['field']} of table {target['table']}; "
                    "every one needs a row",
                )
            )
    return problems


def _agrees(ctx: _Context, rule: dict) -> list[Problem]:
    spec = rule["agrees"]
    other = ctx.other(spec["table"])
    pairs = []  # (this row index, other row index or None, fields, how the other row was found)
    if "rows" in spec:
        for named in spec["rows"]:
            mine, theirs = _one_row(ctx.df, named["this"]), _one_row(other, named["other"])
            if len(mine) != 1:
                pairs.append(
                    (None, None, named["fields"], f"{len(mine)} rows where {describe(named['this'])}")
                )
                continue
            pairs.append(
                (mine[0], theirs[0] if len(theirs) == 1 else None, named["fields"], describe(named["other"]))
            )
    else:
        on = spec["on"]
        for index, row in ctx.rows(rule.get("when")):
            match = {o: row[c] for c, o in on.items()}
            found = [i for i, r in other.iterrows() if all(_same(r[o], v) for o, v in match.items())]
            how = " and ".join(f"{o} = {_text(v)!r}" for o, v in match.items())
            pairs.append((index, found[0] if len(found) == 1 else None, spec["fields"], how))
    problems = []
    for index, found, fields, how in pairs:
        if found is None:
            problems.append(
                ctx.problem(index, list(fields), rule, f"table {spec['table']} has no single row where {how}")
            )
            continue
        for column, field in fields.items():
            mine, theirs = ctx.df.at[index, column], other.at[found, field]
            if is_missing(mine) and is_missing(theirs):
                continue
            if is_missing(mine) or is_missing(theirs) or not _same(mine, theirs):
                problems.append(
                    ctx.problem(
                        index,
                        column,
                        rule,
                        f"holds {_text(mine)!r}, but table {spec['table']} holds {_text(theirs)!r} in "
                        f"{field} (its row {found + 2}, where {how})",
                    )
                )
    return problems


# ---------------------------------------------------------------- named checks

CHECKS: dict[str, Callable[[_Context, dict], list[Problem]]] = {}


def check(name: str):
    """Register a named check: a function of the rule's context and its declaration."""

    def register(function):
        CHECKS[name] = function
        return function

    return register


@check("month-in-row-label")
def _month_in_row_label(ctx: _Context, rule: dict) -> list[Problem]:
    """``date`` (a year-month) is printed as MM/YYYY among the items of ``label`` (a row
    label such as '05/2017 11/2017', a merged row of the source's table)."""
    problems = []
    for index, row in ctx.rows(rule.get("when")):
        date, label = row[rule["date"]], row[rule["label"]]
        if is_missing(date) or is_missing(label):
            continue
        printed = date.strftime("%m/%Y")
        if printed not in str(label).split():
            problems.append(
                ctx.problem(
                    index,
                    rule["label"],
                    rule,
                    f"the row's {rule['date']} {printed} is not among the months of its label {label!r}",
                )
            )
    return problems


@check("quotes-in-source-order")
def _quotes_in_source_order(ctx: _Context, rule: dict) -> list[Problem]:
    """The rows' quotes occur in their source in the order of the rows (a table that
    follows the source's order, such as one row per patient as the source lists them)."""
    problems, previous = [], None
    for index, row in ctx.rows(rule.get("when")):
        path = ctx.source_files.get(row["source_id"])
        if path is None or not path.exists():
            continue  # the provenance rules report an unknown source
        text = provenance.normalise_whitespace(path.read_text(encoding="utf-8"))
        position = text.find(provenance.normalise_whitespace(row["quote"]))
        if position < 0:
            continue  # the provenance rules report a quote not in its source
        if previous is not None and previous[0] == row["source_id"] and position < previous[1]:
            problems.append(
                ctx.problem(
                    index,
                    "quote",
                    rule,
                    f"the quote comes before row {previous[2] + 2}'s in the source; the rows follow the source",
                )
            )
        previous = (row["source_id"], position, index)
    return problems


@check("threshold-reads-for-its-type")
def _threshold_reads(ctx: _Context, rule: dict) -> list[Problem]:
    """``threshold`` reads as a value of the row's ``value_type`` for its ``comparison``
    (:func:`netbook.criteria.parse_threshold`)."""
    from netbook.criteria import parse_threshold

    problems = []
    for index, row in ctx.rows(rule.get("when")):
        try:
            parse_threshold(row["threshold"], row["value_type"], row["comparison"])
        except (ValueError, TypeError) as exc:
            problems.append(
                ctx.problem(index, "threshold", rule, f"does not read as a {row['value_type']}: {exc}")
            )
    return problems


# ---------------------------------------------------------------- running them

_RUNNERS = {
    "ascending": _ascending,
    "unique": _unique,
    "when": _when_then,
    "sum": _sum,
    "inTable": _in_table,
    "agrees": _agrees,
}


def _kind(rule: dict) -> str:
    if "check" in rule:
        return "check"
    if "then" in rule:
        return "when"
    kinds = [k for k in KINDS if k in rule and k != "when"]
    if len(kinds) != 1:
        raise RuleDeclarationError(f"a rule has exactly one of {KINDS}: {rule!r}")
    return kinds[0]


def _tables_read(rule: dict) -> set[str]:
    tables = set()
    for key in ("inTable", "agrees", "total"):
        if isinstance(rule.get(key), dict) and rule[key].get("table"):
            tables.add(rule[key]["table"])
    return tables


def columns_read_in_other_tables(schema: dict) -> set[tuple[str, str]]:
    """(table, column) of every other table a schema's rules read: the columns whose
    values another table's rows must agree with, name or add up to."""
    read = set()
    for rule in schema.get("netbook:rules", []):
        if isinstance(rule.get("inTable"), dict):
            read.add((rule["inTable"]["table"], rule["inTable"]["field"]))
        total = rule.get("total")
        if isinstance(total, dict) and total.get("table"):
            read |= {(total["table"], c) for c in [total["field"], *columns_of(total["row"])]}
        spec = rule.get("agrees")
        if isinstance(spec, dict):
            table = spec["table"]
            for named in spec.get("rows", []):
                read |= {(table, c) for c in [*named["fields"].values(), *columns_of(named["other"])]}
            read |= {(table, c) for c in [*spec.get("on", {}).values(), *spec.get("fields", {}).values()]}
    return read


def row_rule_problems(
    df: pd.DataFrame,
    schema: dict,
    file: str,
    lookup: Lookup,
    source_files: dict[str, Path] | None = None,
) -> list[Problem]:
    """Every problem the schema's ``"netbook:rules"`` find in the typed table ``df``.

    ``lookup(name)`` returns another table of the package, typed (for ``inTable``,
    ``agrees`` and ``sum`` with a ``table``); ``source_files`` maps source ids to their
    texts (for checks that read a source)."""
    rules = schema.get("netbook:rules", [])
    lookups = set(schema.get("netbook:lookups", []))
    ctx = _Context(df, file, lookup, source_files or {})
    problems = []
    names = set()
    for rule in rules:
        name = rule.get("rule") if isinstance(rule, dict) else None
        if not name:
            problems.append(
                Problem(file, None, None, "rule-declaration", f'a rule needs a "rule" name: {rule!r}')
            )
            continue
        if name in names:
            problems.append(Problem(file, None, None, "rule-declaration", f"two rules are named {name!r}"))
        names.add(name)
        undeclared = _tables_read(rule) - lookups
        if undeclared:
            problems.append(
                Problem(
                    file,
                    None,
                    None,
                    "rule-declaration",
                    f'rule {name!r} reads {sorted(undeclared)}; list them in "netbook:lookups"',
                )
            )
            continue
        try:
            kind = _kind(rule)
            if kind == "check":
                if rule["check"] not in CHECKS:
                    raise RuleDeclarationError(f"no check named {rule['check']!r}; known: {sorted(CHECKS)}")
                problems += CHECKS[rule["check"]](ctx, rule)
            else:
                problems += _RUNNERS[kind](ctx, rule)
        except UnreadableTable as exc:
            problems.append(Problem(file, None, None, name, f"the rule cannot run: {exc}"))
        except (RuleDeclarationError, KeyError) as exc:
            problems.append(
                Problem(file, None, None, "rule-declaration", f"rule {name!r} cannot run: {exc!r}")
            )
    return problems
