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
``"netbook:role": "quote"``
    a further verbatim passage of the row's source (a qualifier printed outside the
    row's ``quote``, in a reference list or the sentence before; a list of passages with
    ``"netbook:separator"``): each must occur in the source text like ``quote``.
``"netbook:role": "fragment"``
    the field holds words as printed (a qualifier): each item must occur, whitespace and
    case aside, in the row's ``quote`` or in one of its ``"quote"``-role fields.

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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from netbook import paths, provenance
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
    for column in expected:
        if column not in header:
            problems.append(
                Problem(
                    file,
                    1,
                    column,
                    "missing-column",
                    "the schema declares this column but the header lacks it",
                )
            )
    for column in header:
        if column not in expected:
            problems.append(
                Problem(
                    file, 1, column, "unknown-column", "the header has a column the schema does not declare"
                )
            )
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
            problems.append(
                Problem(
                    file, getattr(error, "row_number", None), column, error.type, error.note or error.message
                )
            )
    for error in report.errors:
        problems.append(Problem(file, None, None, error.type, error.message))
    return problems


def _to_dataframe(path: Path, schema: dict) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for field in schema["fields"]:
        col, kind = field["name"], field.get("type", "string")
        raw = [None if v == "" else v for v in df[col]]
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


def _provenance_problems(
    df: pd.DataFrame, schema: dict, file: str, source_files: dict[str, Path]
) -> list[Problem]:
    problems = []
    names = [f["name"] for f in schema["fields"]]
    for column in PROVENANCE_FIELDS:
        if column not in names:
            problems.append(
                Problem(
                    file,
                    None,
                    column,
                    "provenance-columns",
                    "every extracted table needs source_id, locator and quote",
                )
            )
    if problems:
        return problems
    value_fields = [f for f in schema["fields"] if f.get("netbook:role") == "value"]
    for index, row in df.iterrows():
        number = index + 2  # the header is row 1
        quote = row["quote"]
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
        if not provenance.quote_in_text(quote, source):
            problems.append(
                Problem(
                    file,
                    number,
                    "quote",
                    "quote-in-source",
                    f"the quote does not occur in {source.name} "
                    f"(only whitespace is normalised): {quote[:80]!r}",
                )
            )
            continue
        for field in value_fields:
            problems += _value_problems(row, field, quote, file, number)
        problems += _passage_problems(row, schema, quote, source, file, number)
    return problems


def _passage_problems(row: pd.Series, schema: dict, quote: str, source: Path, file: str, number: int):
    """The further quotes of a row occur in its source; its fragments in one of its quotes."""
    problems, passages = [], [quote]
    for field in (f for f in schema["fields"] if f.get("netbook:role") == "quote"):
        value = row[field["name"]]
        for passage in [] if is_missing(value) else value if isinstance(value, list) else [value]:
            if provenance.quote_in_text(passage, source):
                passages.append(passage)
                continue
            problems.append(
                Problem(
                    file,
                    number,
                    field["name"],
                    "quote-in-source",
                    f"the passage does not occur in {source.name} "
                    f"(only whitespace is normalised): {passage[:80]!r}",
                )
            )
    for field in (f for f in schema["fields"] if f.get("netbook:role") == "fragment"):
        value = row[field["name"]]
        if is_missing(value):
            continue
        for item in value if isinstance(value, list) else [value]:
            if not provenance.fragment_in_passages(item, passages):
                problems.append(
                    Problem(
                        file,
                        number,
                        field["name"],
                        "fragment-in-quote",
                        f"{item!r} does not occur in the row's quote or its other quoted passages",
                    )
                )
    return problems


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
    problems = _frictionless_problems(name, package_path, file, schema)
    if problems:
        raise TableError(problems)
    df = _to_dataframe(csv_path, schema)
    if name != SOURCES_TABLE:
        kind = resource.get("netbook:kind")
        if kind not in KINDS:
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
        if kind == "editorial":
            problems = _editorial_problems(df, schema, file)
        else:
            problems = _provenance_problems(df, schema, file, _source_files(package_path, descriptor))
        if problems:
            raise TableError(problems)
    df.attrs["netbook"] = {
        "table": name,
        "file": file,
        "path": resource["path"],  # relative to the data package, as the build publishes it
        "kind": resource.get("netbook:kind", "sources"),
        "value_fields": [f["name"] for f in schema["fields"] if f.get("netbook:role") == "value"],
    }
    return df


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
