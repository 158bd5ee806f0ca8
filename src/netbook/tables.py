"""Load an extracted table by name as a typed DataFrame that passed every check.

The tables are described in ``data/datapackage.json`` (Frictionless Data Package with
Table Schema). Frictionless checks the schema: types, required fields, enums, primary
and foreign keys. This module adds the provenance rules of :mod:`netbook.provenance`
and the conversion to pandas dtypes.

Nothing is returned until every check has passed: on any problem :class:`TableError`
is raised, listing each problem with the file, the row (as a spreadsheet shows it: the
header is row 1), the column and the rule.

Custom schema properties (Table Schema allows extra keys):

``"netbook:role": "value"``
    the field holds extracted values: every number in it must occur in the row's quote.
``"netbook:unitField": "<field>"``
    on a value field: the unit in that other field must occur in the quote too.
``"netbook:separator": ";"``
    the string field holds a list; the DataFrame gets a list of stripped items.
``"netbook:inQuote": "verbatim"`` (or ``"casefold"``, or ``"source"``)
    the field holds the source's own words: each item occurs in the row's quote, up to
    whitespace (``casefold``: and case; ``source``: somewhere in the row's source text,
    for a name the source prints before the quoted sentence). Every field named
    ``*_as_printed`` must declare it.
``"netbook:notAbove": "value_high"``
    on a numeric field: its value never exceeds the other field's in the same row (the
    low end of a range and its high end, a numerator and its denominator), so the two
    swapped are refused.
``"netbook:inQuoteAs": "{} months on {agent}"``
    with ``inQuote``: each item is looked for as this template prints it (``{}`` is the
    item, ``{field}`` another cell of the row), for a value whose words surround it.
``"netbook:inQuoteSeparator": ";"``
    with ``inQuote`` on a string field that is not a list: its items, split here, are
    checked one by one.
``"netbook:quoteFields": ["quote", "operand_quote"]``
    the quotes a field is checked against (its numbers for a value field, its items for
    an ``inQuote`` field): any of them may hold it. Default: ``["quote"]``.
``"netbook:quote": {"locatorField": "locator_b"}``
    the field is a second verbatim quote of the row's source (a contradiction's other
    statement, the operands of a check): it must occur in the source, and its locator
    (when a ``locatorField`` is named) must name the section holding it.
``"netbook:derived": {"function": "<name>", "from": ["<field>", ...], ...}``
    the field is computed from other fields of the row by the function registered
    under that name in :mod:`netbook.derivations` (further keys are its parameters):
    the typed cell must equal what the function derives.

``"netbook:citations": {"<source_id>": "<table>", ...}``
    the field holds citation markers as printed ('6,12,13', '34-36'): in a row quoting
    one of those sources, each reads as reference numbers that the source's reference
    list (the derived table named, its ``number`` column) holds.

Schema-level keys:

``"netbook:rules": [{"rule": "<name>", ...}, ...]``
    rules about the table's rows, run after every other check by
    :mod:`netbook.row_rules` (its docstring lists the vocabulary): ``ascending``,
    ``unique``, ``when``/``then`` with predicates (``present``, ``equals``, ``in``,
    ``includes``, ``not``, ``all``, ``any``), ``sum``, ``inTable``, ``agrees``, and
    ``check`` for a named check in Python. A refusal names the rule by its ``"rule"``.
``"netbook:lookups": ["<table>", ...]``
    the other tables the rules read (``inTable``, ``agrees``, a ``sum``'s total); a rule
    reading a table not listed here is refused.

``"netbook:rowOrder": "<why>"``
    the rows keep another order than their primary key's, for the reason given;
    without it, rows must be sorted by their primary key.
``"netbook:pairs": {...}``
    see :func:`pair_problems`: the table holds a second reading of pairs of values
    held in other tables (two arms, the two ends of a range), checked whenever either
    table loads.

Each resource of the package says what kind of table it is (``"netbook:kind"``):

``extracted``
    made by hand from a source: every row carries ``source_id``, ``locator`` and a
    verbatim ``quote``, and passes the provenance rules (``data/tables/``);
``derived``
    made by code from the source texts (``make data``, :mod:`netbook.derive`): the same
    provenance rules apply (``data/derived/``);
``editorial``
    made by hand, recording a judgement of the book's (which case fact answers which
    criteria variable): no quote, but a ``rationale`` on every row (``data/editorial/``).

Inputs refused before any other check: an empty file, a header without rows, and a
number field holding ``NaN`` or ``inf`` (Frictionless reads both as numbers, so the
value would vanish and every provenance rule would pass).
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from netbook import paths, provenance
from netbook.numbers import normalise_whitespace
from netbook.values import is_missing

PROVENANCE_FIELDS = ("source_id", "locator", "quote")
KINDS = ("extracted", "derived", "editorial")
QUOTED_KINDS = ("extracted", "derived")
SOURCES_TABLE = "sources"
MAX_LISTED = 25


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: rule '{self.rule}': {self.message}"


class TableError(ValueError):
    """A table failed validation. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [str(p) for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(f"... and {len(problems) - MAX_LISTED} more problems")
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun}:\n" + "\n".join(lines))


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TableError([Problem(_display(path), None, None, "readable-json", str(exc))]) from exc


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def _package(package: Path | None) -> tuple[Path, dict]:
    package = Path(package) if package is not None else paths.DATAPACKAGE
    return package, _read_json(package)


def resources(package: Path | None = None) -> list[dict]:
    """The resource entries of the data package, as written there."""
    return _package(package)[1]["resources"]


def list_tables(package: Path | None = None, kinds: tuple[str, ...] = QUOTED_KINDS) -> list[str]:
    """Names of the tables of these kinds (default: every table whose rows quote a
    source); the sources table is never listed."""
    return sorted(
        r["name"] for r in resources(package) if r["name"] != SOURCES_TABLE and r.get("netbook:kind") in kinds
    )


def _resource(name: str, package_path: Path, descriptor: dict) -> dict:
    for resource in descriptor.get("resources", []):
        if resource.get("name") == name:
            return resource
    known = ", ".join(sorted(r.get("name", "?") for r in descriptor.get("resources", [])))
    raise TableError(
        [
            Problem(
                _display(package_path),
                None,
                None,
                "known-table",
                f"no table named {name!r}; known tables: {known}",
            )
        ]
    )


def _schema(resource: dict, base: Path) -> dict:
    schema = resource.get("schema")
    if isinstance(schema, str):
        return _read_json(base / schema)
    return schema


def _check_csv_syntax(path: Path, schema: dict) -> list[Problem]:
    """Malformed CSV is caught before Frictionless, whose reader would guess around it."""
    file = _display(path)
    if not path.exists():
        return [Problem(file, None, None, "file-exists", "the CSV file does not exist")]
    problems = []
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f, strict=True))
    except (csv.Error, UnicodeDecodeError) as exc:
        return [Problem(file, None, None, "csv-syntax", f"not valid UTF-8 CSV: {exc}")]
    if not rows:
        return [Problem(file, None, None, "csv-syntax", "the file is empty")]
    header = rows[0]
    expected = [f["name"] for f in schema["fields"]]
    problems += [
        Problem(file, 1, column, "missing-column", "the schema declares this column but the header lacks it")
        for column in expected
        if column not in header
    ]
    problems += [
        Problem(file, 1, column, "unknown-column", "the header has a column the schema does not declare")
        for column in header
        if column not in expected
    ]
    if not problems and header != expected:
        problems.append(
            Problem(file, 1, None, "column-order", f"columns must be in schema order: {expected}")
        )
    if len(rows) == 1:
        problems.append(Problem(file, None, None, "has-rows", "the file has a header but no rows"))
    numeric = {f["name"] for f in schema["fields"] if f.get("type") in ("number", "integer")}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            problems.append(
                Problem(
                    file, number, None, "cell-count", f"{len(row)} cells where the header has {len(header)}"
                )
            )
            continue
        for column, cell in zip(header, row):
            if cell and not cell.strip():
                problems.append(
                    Problem(
                        file,
                        number,
                        column,
                        "blank-cell",
                        "a cell of only spaces would read as empty; leave it empty",
                    )
                )
            elif column in numeric and _NOT_FINITE.fullmatch(cell.strip()):
                problems.append(
                    Problem(
                        file,
                        number,
                        column,
                        "finite-number",
                        f"{cell!r} is not a printed value; leave the cell empty if the source states none",
                    )
                )
    return problems


# What Python, pandas and Frictionless read as a non-finite number ("NaN", "-inf",
# "Infinity", "nan"...): never a value a source prints.
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def _key_columns(schema: dict, error_type: str) -> str | None:
    if error_type == "primary-key":
        key = schema.get("primaryKey", [])
        return ",".join([key] if isinstance(key, str) else key)
    if error_type == "foreign-key":
        fields = [fk["fields"] for fk in schema.get("foreignKeys", [])]
        return ",".join(f if isinstance(f, str) else ",".join(f) for f in fields)
    return None


def _frictionless_problems(name: str, package_path: Path, file: str, schema: dict) -> list[Problem]:
    from frictionless import Package, system

    # trusted: the descriptor names schema files by relative path, inside this repo.
    with system.use_context(trusted=True):
        report = Package(str(package_path)).get_resource(name).validate()
    problems = []
    for task in report.tasks:
        for error in task.errors:
            column = getattr(error, "field_name", None) or _key_columns(schema, error.type)
            message = error.note or error.message
            cell = getattr(error, "cell", None)
            if cell is not None and getattr(error, "field_name", None):
                message += f" (the cell holds {cell!r})"
            problems.append(Problem(file, getattr(error, "row_number", None), column, error.type, message))
    for error in report.errors:
        problems.append(Problem(file, None, None, error.type, error.message))
    return problems


def _to_dataframe(path: Path, schema: dict, bad_cells: frozenset = frozenset()) -> pd.DataFrame:
    """The typed table; cells in ``bad_cells`` ((row, column) pairs the schema refused,
    already reported) are read as empty, so the other rules still run on their rows."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for field in schema["fields"]:
        col, kind = field["name"], field.get("type", "string")
        raw = [None if v == "" or (i + 2, col) in bad_cells else v for i, v in enumerate(df[col])]
        if kind == "integer":
            df[col] = pd.array([None if v is None else int(v) for v in raw], dtype="Int64")
        elif kind == "number":
            df[col] = pd.array([None if v is None else float(v) for v in raw], dtype="Float64")
        elif kind == "boolean":
            truthy = set(field.get("trueValues", ["true", "True", "TRUE", "1"]))
            df[col] = pd.array([None if v is None else v in truthy for v in raw], dtype="boolean")
        elif kind == "yearmonth":
            df[col] = pd.PeriodIndex([None if v is None else v for v in raw], freq="M")
        elif kind == "date":
            df[col] = pd.to_datetime(pd.Series(raw, dtype="object"), format="%Y-%m-%d")
        elif "netbook:separator" in field:
            sep = field["netbook:separator"]
            df[col] = [[] if v is None else [item.strip() for item in v.split(sep)] for v in raw]
        else:
            df[col] = pd.array(raw, dtype="string")
    return df


def _source_files(package_path: Path, descriptor: dict) -> dict[str, Path]:
    sources = _resource(SOURCES_TABLE, package_path, descriptor)
    base = package_path.parent
    table = pd.read_csv(base / sources["path"], dtype=str, keep_default_na=False)
    source_dir = (base / sources["path"]).parent
    return {row.source_id: source_dir / row.file for row in table.itertuples()}


def _quote_fields(field: dict) -> list[str]:
    return list(field.get("netbook:quoteFields", ["quote"]))


def _items(value) -> list[str]:
    """The non-empty items of a cell: a list field's items, else the cell itself."""
    if isinstance(value, list):
        return [str(v) for v in value if not is_missing(v)]
    return [] if is_missing(value) else [_as_text(value)]


def _passages(row: pd.Series, column: str) -> list[str]:
    """The verbatim passages a quote field holds: one, or the items of a list field
    (``netbook:separator``), such as a qualifier's sentence and a reference title."""
    return _items(row[column]) if isinstance(row[column], list) else [q for q in [_cell(row, column)] if q]


def _cell(row: pd.Series, column: str) -> str:
    value = row[column]
    return value if isinstance(value, str) else ""


def _provenance_problems(
    df: pd.DataFrame, schema: dict, file: str, source_files: dict[str, Path]
) -> list[Problem]:
    names = [f["name"] for f in schema["fields"]]
    problems = [
        Problem(
            file,
            None,
            column,
            "provenance-columns",
            "every extracted table needs source_id, locator and quote",
        )
        for column in PROVENANCE_FIELDS
        if column not in names
    ]
    if problems:
        return problems
    value_fields = [f for f in schema["fields"] if f.get("netbook:role") == "value"]
    fragment_fields = [f for f in schema["fields"] if f.get("netbook:inQuote")]
    # the row's quote first, then any second quote a field declares
    quote_fields = [("quote", {"locatorField": "locator"})] + [
        (f["name"], f["netbook:quote"]) for f in schema["fields"] if "netbook:quote" in f
    ]
    for index, row in df.iterrows():
        number = index + 2  # the header is row 1
        if not isinstance(row["source_id"], str):
            continue  # refused by the schema (required, foreign key): reported there
        if not _cell(row, "quote"):
            continue  # likewise: nothing can be checked against an empty quote
        source = source_files.get(row["source_id"])
        if source is None or not source.exists():
            problems.append(
                Problem(
                    file,
                    number,
                    "source_id",
                    "source-exists",
                    f"no source text for source_id {row['source_id']!r}",
                )
            )
            continue
        text = provenance.source_text(source)
        unusable = set()  # passages not in the source: nothing is checked against them
        for column, declared in quote_fields:
            passages = _passages(row, column)
            if column != "quote" and not passages:
                continue
            missing = [q for q in passages if not provenance.quote_in_text(q, source)]
            for quote in missing:
                problems.append(
                    Problem(
                        file,
                        number,
                        column,
                        "quote-in-source",
                        f"the {column} does not occur in {source.name} (only whitespace is "
                        f"normalised): {provenance.divergence(quote, text)}",
                    )
                )
            if missing:
                unusable.update(missing)
                if column == "quote":
                    unusable.add("quote")
                continue
            locator_field = declared.get("locatorField")
            if locator_field:
                problems += _locator_problems(row, column, locator_field, source, file, number)
        if "quote" in unusable:
            continue
        for field in value_fields:
            quotes = [p for q in _quote_fields(field) for p in _passages(row, q) if p not in unusable]
            problems += _value_problems(row, field, " \n".join(quotes), file, number)
        for field in fragment_fields:
            problems += _fragment_problems(row, field, unusable, text, file, number)
    return problems


def _fragment_problems(
    row: pd.Series, field: dict, unusable: set, text: str, file: str, number: int
) -> list[Problem]:
    """An ``inQuote`` field: each item is the source's own words, in one of its quotes."""
    mode, col = field["netbook:inQuote"], field["name"]
    quotes = _quote_fields(field)
    problems = []
    items = _items(row[col])
    if field.get("netbook:inQuoteSeparator"):
        items = [p.strip() for i in items for p in i.split(field["netbook:inQuoteSeparator"]) if p.strip()]
    template = field.get("netbook:inQuoteAs")
    if template:  # the item as the source prints it: '43' -> '43 y/o'
        others = {k: _as_text(_plain(v)) for k, v in row.items() if k != col}
        items = [template.format(item, **others) for item in items]
    for item in items:
        if mode == "source":
            found, where = provenance.fragment_in(item, text), "the source text"
        else:
            found = any(
                provenance.fragment_in(item, p, casefold=mode == "casefold")
                for q in quotes
                for p in _passages(row, q)
                if p not in unusable
            )
            where = " or ".join(quotes) + (" (case ignored)" if mode == "casefold" else "")
        if not found:
            problems.append(
                Problem(
                    file,
                    number,
                    col,
                    "printed-in-quote",
                    f"{item!r} does not occur in {where} (whitespace normalised)",
                )
            )
    return problems


@cache
def _sections(path: Path, source_id: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, section) of every unit of a source, as the reading view reads them
    (:mod:`netbook.coverage`: its sentences and its reference entries)."""
    from netbook import coverage

    raw = path.read_text(encoding="utf-8")
    units = list(
        coverage.sentences_of(coverage.body(raw, source_id), source_id, provenance.source_text(path))
    )
    try:
        units += coverage.reference_entries(source_id)
    except (KeyError, ValueError):
        pass  # a source outside the book's list (a test package) has body sentences only
    return tuple((u.start, u.end, u.section) for u in units)


def locator_names(locator: str, section: str) -> bool:
    """Does a locator name this section? The section itself ('Abstract, Results'), the
    section it belongs to ('Abstract'), either with a qualifier in parentheses
    ('Table 1 (raw PDF line)')."""
    bare = re.sub(r"\s*\([^()]*\)$", "", locator.strip())
    return any(section == name or section.startswith(name + ", ") for name in {locator.strip(), bare})


def _locator_problems(row, quote_field, locator_field, path, file, number) -> list[Problem]:
    """The locator names a section of the source holding the quote (any occurrence)."""
    locator, quote = _cell(row, locator_field), provenance.normalise_whitespace(_cell(row, quote_field))
    if not locator or not quote:
        return []
    text = provenance.source_text(path)
    sections = _sections(path, row["source_id"])
    found = []
    at = text.find(quote)
    while at >= 0:
        end = at + len(quote)
        here = [s for start, stop, s in sections if start < end and stop > at]
        if any(locator_names(locator, s) for s in here):
            return []
        found += [s for s in here if s not in found]
        at = text.find(quote, at + 1)
    return [
        Problem(
            file,
            number,
            locator_field,
            "locator-holds-quote",
            f"{locator!r} is not where the source prints the {quote_field}: the reading view "
            f"places it in {' / '.join(repr(s) for s in found) or 'no section'}",
        )
    ]


def _same(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return list(a or []) == list(b or [])
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _plain(value):
    """A cell as a derivation receives it: None for empty, a list, an int or a str."""
    if isinstance(value, list):
        return value or None
    if is_missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _derived_problems(df: pd.DataFrame, schema: dict, file: str) -> list[Problem]:
    """A derived column equals what its registered function derives from its row."""
    from netbook.derivations import DERIVATIONS

    problems = []
    for col, declared in _declared(schema, "netbook:derived"):
        function = DERIVATIONS[declared["function"]]  # known: checked with the schema
        params = {k: v for k, v in declared.items() if k not in ("function", "from")}
        for index, row in df.iterrows():
            try:
                expected = function(*(_plain(row[f]) for f in declared["from"]), **params)
            except ValueError as exc:
                message = f"cannot derive from {declared['from']}: {exc}"
            else:
                if _same(_plain(row[col]), expected):
                    continue
                message = (
                    f"holds {_plain(row[col])!r}, but {declared['function']}({', '.join(declared['from'])}) "
                    f"derives {expected!r}"
                )
            problems.append(Problem(file, index + 2, col, "derived-column", message))
    return problems


def _not_above_problems(df: pd.DataFrame, schema: dict, file: str) -> list[Problem]:
    """The low end of a pair never above its high end (a swapped range, k above n)."""
    return [
        Problem(
            file,
            index + 2,
            f"{col},{other}",
            "pair-order",
            f"{col} ({_as_text(_plain(low))}) is above {other} ({_as_text(_plain(high))}): the two look swapped",
        )
        for col, other in _declared(schema, "netbook:notAbove")
        for index, (low, high) in enumerate(zip(df[col], df[other]))
        if not is_missing(low) and not is_missing(high) and float(low) > float(high)
    ]


def _declared(schema: dict, key: str) -> list[tuple[str, object]]:
    """(column, declaration) of every field of the schema that declares ``key``."""
    return [(field["name"], field[key]) for field in schema["fields"] if field.get(key)]


def _declaration_problems(schema: dict, file: str, quoted: bool) -> list[Problem]:
    """The netbook: keys of a schema are well formed (so no rule is silently skipped)."""
    from netbook.derivations import DERIVATIONS

    problems = []
    names = [f["name"] for f in schema["fields"]]
    for field in schema["fields"]:
        col = field["name"]
        mode = field.get("netbook:inQuote")
        if col.endswith("_as_printed") and quoted and not mode:
            problems.append(
                Problem(
                    file,
                    1,
                    col,
                    "as-printed-declared",
                    'a field named *_as_printed holds the source\'s words: declare "netbook:inQuote"',
                )
            )
        if mode and mode not in IN_QUOTE_MODES:
            problems.append(
                Problem(
                    file, 1, col, "schema-keys", f"netbook:inQuote {mode!r} is not one of {IN_QUOTE_MODES}"
                )
            )
        named = list(field.get("netbook:quoteFields", []))
        declared = field.get("netbook:derived")
        if declared:
            if declared.get("function") not in DERIVATIONS:
                problems.append(
                    Problem(
                        file,
                        1,
                        col,
                        "schema-keys",
                        f"derivation {declared.get('function')!r} is not registered; known: {sorted(DERIVATIONS)}",
                    )
                )
            named += list(declared.get("from", []))
        if field.get("netbook:notAbove"):
            named.append(field["netbook:notAbove"])
        if field.get("netbook:quote"):
            named += (
                [field["netbook:quote"].get("locatorField")]
                if field["netbook:quote"].get("locatorField")
                else []
            )
        for other in named:
            if other not in names:
                problems.append(
                    Problem(file, 1, col, "schema-keys", f"names a field {other!r} the schema lacks")
                )
    return problems


IN_QUOTE_MODES = ("verbatim", "casefold", "source")


def _order_problems(df: pd.DataFrame, schema: dict, file: str, bad_cells: frozenset) -> list[Problem]:
    """Rows sorted by their primary key (typed), unless the schema says why not. Text
    may be sorted as Python sorts it (by code point) or as a reader does (case and
    accents ignored: 'Özdirik' < 'Zilembo'); either order passes."""
    if schema.get("netbook:rowOrder"):
        return []
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else list(key)
    if not key or any(column in key for _, column in bad_cells):
        return []  # the key's own problems are reported; its order means little then
    rows = list(df[key].itertuples(index=False, name=None))
    for fold in (False, True):
        keys = [_sort_key(r, fold) for r in rows]
        if keys == sorted(keys):
            return []
    keys = [_sort_key(r, True) for r in rows]
    index = next(i for i in range(1, len(rows)) if keys[i] < keys[i - 1])
    return [
        Problem(
            file,
            index + 2,
            ",".join(key),
            "rows-sorted",
            f"rows must be sorted by their key ({', '.join(key)}): {rows[index]!r} comes after "
            f"{rows[index - 1]!r}; sort the rows, or give the reason for another order in the "
            'schema\'s "netbook:rowOrder"',
        )
    ]


def _sort_key(values: tuple, fold: bool) -> tuple:
    return tuple(
        (0, "") if is_missing(v) else (1, _fold(v) if fold and isinstance(v, str) else v) for v in values
    )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _editorial_problems(df: pd.DataFrame, schema: dict, file: str) -> list[Problem]:
    """An editorial table states a judgement, so every row gives its reason."""
    if "rationale" not in [f["name"] for f in schema["fields"]]:
        return [
            Problem(
                file, None, "rationale", "rationale-column", "every editorial table needs a rationale column"
            )
        ]
    return [
        Problem(file, index + 2, "rationale", "rationale-given", "the row gives no rationale")
        for index, value in df["rationale"].items()
        if is_missing(value)
    ]


def _as_text(value) -> str:
    """A value as the number matcher reads it: 30.0 -> '30', lists joined."""
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _value_problems(row: pd.Series, field: dict, quote: str, file: str, number: int) -> list[Problem]:
    col, value = field["name"], row[field["name"]]
    if is_missing(value):
        return []
    kind = field.get("type", "string")
    if kind == "yearmonth":
        if not provenance.yearmonth_in_quote(value.year, value.month, quote):
            return [
                Problem(
                    file,
                    number,
                    col,
                    "date-in-quote",
                    f"{value} is not printed in the quote in any of the forms "
                    f"{provenance.yearmonth_forms(value.year, value.month)[:2]} ...",
                )
            ]
        return []
    text = _as_text(float(value) if kind == "number" else value)
    problems = [
        Problem(
            file, number, col, "number-in-quote", f"{token} (from value {text!r}) does not occur in the quote"
        )
        for token in provenance.missing_numbers(text, quote)
    ]
    unit_field = field.get("netbook:unitField")
    if unit_field:
        unit = row[unit_field]
        # A row of an all-string table comes out of iterrows() with NaN, not pd.NA, for
        # an empty cell: only a non-empty string is a unit to look for.
        if isinstance(unit, str) and unit.strip() and not provenance.unit_in_quote(unit, quote):
            problems.append(
                Problem(
                    file,
                    number,
                    unit_field,
                    "unit-in-quote",
                    f"the unit {unit!r} of {col} does not occur in the quote",
                )
            )
    return problems


def load_table(name: str, package: Path | str | None = None) -> pd.DataFrame:
    """The extracted table ``name`` as a typed DataFrame; raises :class:`TableError`."""
    package_path, descriptor = _package(Path(package) if package else None)
    resource = _resource(name, package_path, descriptor)
    base = package_path.parent
    csv_path = base / resource["path"]
    file = _display(csv_path)
    schema = _schema(resource, base)
    problems = _check_csv_syntax(csv_path, schema)
    if problems:
        raise TableError(problems)
    kind = resource.get("netbook:kind") if name != SOURCES_TABLE else "sources"
    problems = _declaration_problems(schema, file, kind in QUOTED_KINDS)
    if problems:
        raise TableError(problems)
    if name != SOURCES_TABLE and kind not in KINDS:
        raise TableError(
            [
                Problem(
                    _display(package_path),
                    None,
                    None,
                    "table-kind",
                    f'resource {name!r} needs "netbook:kind" set to one of {KINDS}, found {kind!r}',
                )
            ]
        )
    problems = _frictionless_problems(name, package_path, file, schema)
    if any(p.row is None for p in problems):  # a table-level error: rows cannot be read
        raise TableError(problems)
    # A cell the schema refuses is reported and read as empty: the rules below still run
    # on the rest of its row, so one error does not hide the others.
    bad_cells = frozenset((p.row, c) for p in problems if p.column for c in p.column.split(","))
    df = _to_dataframe(csv_path, schema, bad_cells)
    problems += _order_problems(df, schema, file, bad_cells)
    problems += _derived_problems(df, schema, file)
    problems += _not_above_problems(df, schema, file)
    if kind == "editorial":
        problems += _editorial_problems(df, schema, file)
    elif kind in QUOTED_KINDS:
        problems += _provenance_problems(df, schema, file, _source_files(package_path, descriptor))
    problems += _citation_problems(df, schema, file, package_path, descriptor)
    problems += pair_problems(name, package_path, descriptor)
    problems += _row_rule_problems(df, schema, file, kind, package_path, descriptor)
    if problems:
        raise TableError(sorted(problems, key=lambda p: p.row or 0))
    df.attrs["netbook"] = {
        "table": name,
        "file": file,
        "path": resource["path"],  # relative to the data package, as the build publishes it
        "kind": resource.get("netbook:kind", "sources"),
        "value_fields": [f["name"] for f in schema["fields"] if f.get("netbook:role") == "value"],
    }
    return df


def _row_rule_problems(
    df: pd.DataFrame, schema: dict, file: str, kind: str | None, package_path: Path, descriptor: dict
) -> list[Problem]:
    """The schema's ``"netbook:rules"`` (:mod:`netbook.row_rules`); the other tables they
    read are typed from their CSV files, not loaded (their own load validates them)."""
    if not schema.get("netbook:rules"):
        return []
    from netbook import row_rules

    base = package_path.parent

    def lookup(table: str) -> pd.DataFrame:
        resource = next((r for r in descriptor.get("resources", []) if r.get("name") == table), None)
        if resource is None:
            raise row_rules.RuleDeclarationError(f"no table named {table!r}")
        try:
            return _to_dataframe(base / resource["path"], _schema(resource, base))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise row_rules.UnreadableTable(f"table {table!r} does not read: {exc}") from exc

    sources = _source_files(package_path, descriptor) if kind in QUOTED_KINDS else {}
    return row_rules.row_rule_problems(df, schema, file, lookup, sources)


def load_all_tables(package: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Every table whose rows quote a source, by name (for pages about all the data,
    such as the ledger)."""
    return {name: load_table(name, package) for name in list_tables(Path(package) if package else None)}


def extracted_values(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per non-empty value cell of every table, with its provenance.

    Columns: table, row (as in the CSV, header = row 1), field, value (as text),
    source_id, locator, quote. Sorted by table, row and field.
    """
    records = []
    for name, df in sorted(tables.items()):
        for field in df.attrs["netbook"]["value_fields"]:
            for index, value in df[field].items():
                if is_missing(value):
                    continue
                text = _as_text(value)
                records.append(
                    {
                        "table": name,
                        "row": index + 2,
                        "field": field,
                        "value": text,
                        "source_id": df.at[index, "source_id"],
                        "locator": df.at[index, "locator"],
                        "quote": df.at[index, "quote"],
                    }
                )
    columns = ["table", "row", "field", "value", "source_id", "locator", "quote"]
    return (
        pd.DataFrame.from_records(records, columns=columns)
        .sort_values(["table", "row", "field"], kind="stable")
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------- citation markers


def _citation_problems(
    df: pd.DataFrame, schema: dict, file: str, package_path: Path, descriptor: dict
) -> list[Problem]:
    """``"netbook:citations": {"<source_id>": "<table>", ...}`` on a field of citation
    markers as printed ('6,12,13', '34-36'): in a row quoting one of those sources, each
    marker reads as reference numbers (:func:`netbook.references.expand_citations`) and
    each number is a ``number`` of that source's reference list (the table named)."""
    from netbook.references import expand_citations

    problems = []
    base = package_path.parent
    by_name = {r.get("name"): r for r in descriptor.get("resources", [])}
    for field in schema["fields"]:
        lists = field.get("netbook:citations")
        if not lists:
            continue
        col = field["name"]
        numbers = {}
        for source_id, table in lists.items():
            resource = by_name.get(table)
            rows = _raw_rows(base / resource["path"]) if resource else []
            numbers[source_id] = {r.get("number", "").strip() for r in rows}
        for index, row in df.iterrows():
            known = numbers.get(row.get("source_id"))
            if known is None or is_missing(row[col]):
                continue
            for marker in _items(row[col]):
                try:
                    cited = expand_citations(marker)
                except ValueError:
                    cited = None
                if cited is None or not cited:
                    problems.append(
                        Problem(
                            file,
                            index + 2,
                            col,
                            "citation-marker",
                            f"{marker!r} does not read as citation markers ('6,12,13', '34-36')",
                        )
                    )
                    continue
                absent = [n for n in cited if str(n) not in known]
                if absent:
                    problems.append(
                        Problem(
                            file,
                            index + 2,
                            col,
                            "citation-in-reference-list",
                            f"{marker!r} cites {absent}, not in the reference list of {row.get('source_id')} "
                            f"({lists[row.get('source_id')]})",
                        )
                    )
    return problems


# ---------------------------------------------------------------- pairs, read twice


def _raw_rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []  # that table's own load reports it


def _pair_tables(package_path: Path, descriptor: dict) -> list[tuple[dict, dict]]:
    """(resource, its "netbook:pairs" declaration) of every table that reads pairs twice."""
    out = []
    for resource in descriptor.get("resources", []):
        schema = _schema(resource, package_path.parent) if resource.get("schema") else None
        if isinstance(schema, dict) and schema.get("netbook:pairs"):
            out.append((resource, schema["netbook:pairs"]))
    return out


def _numeric_field(schema: dict, name: str) -> bool:
    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    return types.get(name) in ("number", "integer")


def _words(text: str) -> str:
    return normalise_whitespace(text).casefold()


def _pair_reads(printed: str, tokens: list[str], numeric: list[bool], first: str, second: str) -> bool:
    """Does the printed pair read as ``first`` then ``second``? A numeric end is the
    printed pair's first (or last) number; a word end (a value printed as words, 'not
    reached') is read as words: the pair's words must start with the first end's words,
    and the second end's words must follow them (case and spacing aside)."""
    words = _words(printed)
    if numeric[0]:
        if not (tokens and provenance.reads_as(tokens[0], first)):
            return False
        after = 0
    else:
        if not first.strip() or not words.startswith(_words(first)):
            return False
        after = len(_words(first))
    if numeric[1]:
        return bool(tokens) and provenance.reads_as(tokens[-1], second)
    return bool(second.strip()) and _words(second) in words[after:]


def pair_problems(name: str, package_path: Path, descriptor: dict) -> list[Problem]:
    """The second reading of pairs, checked when the pair table or a table it reads loads.

    A table whose schema declares ``"netbook:pairs"`` holds, per row, a pair of values as
    the source prints them side by side (``"11.0 vs. 4.6 months"``, ``"40-72 months"``),
    in the source's order, and names where the extraction holds each value: a table,
    and per end a row (by the table's one-column primary key) and a field. The
    declaration names the pair table's columns::

        "netbook:pairs": {"table": "table", "printed": "pair_as_printed",
                          "first": ["first_key", "first_field"],
                          "second": ["second_key", "second_field"]}

    The printed pair's first number must be a reading of the first value and its last
    number a reading of the second (the words between may hold others: '74% 5-year
    survival for resection, compared with 30%'). An end held in a text field (a median
    the source prints as 'not reached', kept in ``value_qualifier`` while the row's
    ``value`` is empty) is read as words: the printed pair starts with the first end's
    words ('not reached vs. 8.4 months'), or holds the second end's after the first.
    Two arms' values swapped, or the ends of a range, fail this with both rows named. Only raw cells are read here, so the check
    needs neither table to be loaded first.
    """
    base = package_path.parent
    by_name = {r.get("name"): r for r in descriptor.get("resources", [])}
    problems = []
    for resource, declared in _pair_tables(package_path, descriptor):
        pair_file = _display(base / resource["path"])
        pair_rows = _raw_rows(base / resource["path"])
        for index, pair in enumerate(pair_rows):
            target = pair.get(declared["table"], "")
            if name not in (resource["name"], target):
                continue
            number = index + 2
            where = f"{pair_file} row {number}"
            target_resource = by_name.get(target)
            if target_resource is None:
                problems.append(
                    Problem(pair_file, number, declared["table"], "pair-target", f"no table named {target!r}")
                )
                continue
            target_schema = _schema(target_resource, base)
            key = target_schema.get("primaryKey")
            key = key[0] if isinstance(key, list) and len(key) == 1 else key
            fields = {f["name"] for f in target_schema["fields"]}
            target_path = base / target_resource["path"]
            target_file = _display(target_path)
            rows = {r.get(key): (i + 2, r) for i, r in enumerate(_raw_rows(target_path))}
            ends = []
            for end in ("first", "second"):
                key_column, field_column = declared[end]
                found = rows.get(pair.get(key_column, ""))
                field = pair.get(field_column, "")
                if found is None or field not in fields:
                    problems.append(
                        Problem(
                            pair_file,
                            number,
                            key_column if found is None else field_column,
                            "pair-target",
                            f"{target}.{key}={pair.get(key_column)!r}, field {field!r}: no such row or field",
                        )
                    )
                    break
                ends.append((found[0], field, found[1].get(field, ""), found[1]))
            if len(ends) != 2:
                continue
            printed = pair.get(declared["printed"], "")
            numeric = [_numeric_field(target_schema, field) for _, field, _, _ in ends]
            tokens = provenance.printed_numbers(printed)
            if len(tokens) < sum(numeric):
                problems.append(
                    Problem(
                        pair_file,
                        number,
                        declared["printed"],
                        "pair-two-numbers",
                        f"a printed pair holds a number for each numeric end ({sum(numeric)}); "
                        f"{printed!r} holds {tokens}",
                    )
                )
                continue
            (row_a, field_a, value_a, cells_a), (row_b, field_b, value_b, cells_b) = ends
            if _pair_reads(printed, tokens, numeric, value_a, value_b):
                continue
            rows_named = f"rows {row_a} and {row_b}" if row_a != row_b else f"row {row_a}"
            # swapped: one row's two fields exchanged, or each of two rows holds, in the
            # other end's field, what the other end should
            crossed = (
                (value_b, value_a) if row_a == row_b else (cells_b.get(field_a, ""), cells_a.get(field_b, ""))
            )
            swapped = _pair_reads(printed, tokens, numeric, *crossed)
            problems.append(
                Problem(
                    target_file,
                    row_a,
                    field_a if field_a == field_b else f"{field_a},{field_b}",
                    "pair-as-printed",
                    f"{rows_named} hold {value_a!r} ({field_a}) and {value_b!r} ({field_b}), but the source "
                    f"prints the pair as {printed!r} in that order ({where}, {declared['printed']})"
                    + ("; the two values are swapped" if swapped else ""),
                )
            )
    return problems
