"""What the cross-source chapter needs and a reader need not see: the review's selection
criteria set beside the case report's patient (described per criterion, never decided per
treatment), and the drawing code of the interferon-α figure.

The case-report tables and the review's ``selection_criteria`` use different words for
the same things ("G2" vs ``grade`` 2, "highly differentiated" vs ``well``, "ileum" vs
``midgut``). Which case fact answers which criteria variable, and which case option is
which review option, are the book's judgements: they are tables under
``data/editorial/`` (``case_criteria_mapping``, ``case_vocabulary``,
``case_option_mapping``), each row with its rationale, shown in the chapter. This module
only applies them: :data:`READERS` turns a case value into the criteria vocabulary, one
named reader per kind of value, and a value no reader or vocabulary row knows is an
error, so a new wording forces a decision instead of a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from netbook.criteria import MET, NOT_MET, UNKNOWN, parse_number_or_range
from netbook.numbers import normalise_whitespace
from netbook.plotting import PALETTE, new_figure, wrap
from netbook.values import is_missing


def _key(text: Any) -> str:
    return normalise_whitespace(str(text)).casefold()


def _grade(text: Any) -> int:
    match = re.fullmatch(r"G([123])", str(text).strip())
    if not match:
        raise ValueError(f"not a grade: {text!r} (expected G1, G2 or G3)")
    return int(match.group(1))


def _yes_no(yes: tuple[str, ...], no: tuple[str, ...]) -> Callable[[Any], bool]:
    def read(text: Any) -> bool:
        if _key(text) in yes:
            return True
        if _key(text) in no:
            return False
        raise ValueError(f"cannot read {text!r} as yes ({yes}) or no ({no})")

    return read


def _excluded(text: Any) -> bool:
    """A work-up event that excludes the condition reads as 'absent' (False)."""
    if "excluded" not in str(text):
        raise ValueError(f"expected an exclusion, got {text!r}")
    return False


# reader name (case_criteria_mapping.reader) -> how a case value is read; the
# vocabulary readers ('differentiation', 'primary_site') look the value up in
# case_vocabulary instead.
READERS: dict[str, Callable[[Any], Any]] = {
    "number": float,
    "number_or_range": parse_number_or_range,
    "grade": _grade,
    "stated_and_not_none": lambda v: _key(v) not in ("", "none", "no"),
    "mentions_peritoneal": lambda v: "peritoneal" in _key(v),
    "positive_or_negative": _yes_no(("positive",), ("negative",)),
    "functional_or_not": _yes_no(("functional",), ("non-functional", "nonfunctional")),
    "any_text": lambda v: bool(str(v).strip()),
    "is_progressive_disease": lambda v: str(v) == "progressive disease",
    "excluded_means_absent": _excluded,
}
VOCABULARY_READERS = ("differentiation", "primary_site")
# reader -> (the case_vocabulary it reads a wording through, the review's value it tests
# for): a wording with a vocabulary row reads as that row's review_value, any other as
# printed ('RO' is a resection_margin row, read as R0).
VOCABULARY_TESTS = {"is_r0": ("resection_margin", "R0")}
NOT_STATED = "not_stated"

# The key column and the value column of each case table a mapping row may name.
CASE_KEYS = {
    "case_patient_record": ("variable", "value"),
    "case_clinical_findings": ("finding_id", "variable"),
    "course_of_disease": ("event_id", "hepatic_response"),
    "case_histology": ("item", "value"),
}


def _case_row(tables: dict[str, pd.DataFrame], table: str, item: str) -> pd.Series:
    df = tables[table]
    key, _ = CASE_KEYS[table]
    if table == "case_histology":
        df = df[df["specimen"] == "resection specimen"]
    rows = df[df[key] == item]
    if len(rows) != 1:
        raise KeyError(f"expected one row {item!r} in {table}, found {len(rows)}")
    return rows.iloc[0]


def _review_words(name: str, printed: Any, vocabulary: pd.DataFrame) -> list[str]:
    """The review_value of each case_vocabulary row of vocabulary ``name`` for a wording."""
    words = vocabulary[vocabulary["vocabulary"] == name]
    return [str(v) for v in words.loc[words["case_wording"].map(_key) == _key(printed), "review_value"]]


def _read(reader: str, printed: Any, vocabulary: pd.DataFrame) -> Any:
    if reader in VOCABULARY_READERS:
        found = _review_words(reader, printed, vocabulary)
        if len(found) != 1:
            raise KeyError(f"no case_vocabulary row for {reader} {printed!r}; add one with its rationale")
        return found[0]
    if reader in VOCABULARY_TESTS:
        name, wanted = VOCABULARY_TESTS[reader]
        found = _review_words(name, printed, vocabulary)
        if len(found) > 1:
            raise KeyError(f"case_vocabulary: {len(found)} rows for {name} {printed!r}; keep one")
        return (found[0] if found else str(printed).strip()) == wanted
    if reader not in READERS:
        known = sorted(READERS) + list(VOCABULARY_READERS) + list(VOCABULARY_TESTS)
        raise KeyError(f"unknown reader {reader!r}; known: {known}")
    return READERS[reader](printed)


def case_criteria_record(
    tables: dict[str, pd.DataFrame], mapping: pd.DataFrame, vocabulary: pd.DataFrame
) -> pd.DataFrame:
    """The case patient in the vocabulary of ``selection_criteria``, one row per mapping row.

    ``tables`` maps case table names (case_patient_record, case_clinical_findings,
    course_of_disease, case_histology) to the loaded DataFrames; ``mapping`` and
    ``vocabulary`` are the loaded editorial tables. Columns: variable, value (in the
    criteria vocabulary; None = unknown), case_table, case_item, case_value (as in the
    case table), quote, reading (the mapping row's rationale).
    """
    rows = []
    for rule in mapping.itertuples(index=False):
        if rule.reader == NOT_STATED:
            rows.append(
                dict(
                    variable=rule.variable,
                    value=None,
                    case_table=None,
                    case_item=None,
                    case_value=None,
                    quote=None,
                    reading=rule.rationale,
                )
            )
            continue
        row = _case_row(tables, rule.case_table, rule.case_item)
        printed = row[CASE_KEYS[rule.case_table][1]]
        if rule.case_table == "course_of_disease" and is_missing(printed):
            printed = row["description"]
        rows.append(
            dict(
                variable=rule.variable,
                value=_read(rule.reader, printed, vocabulary),
                case_table=rule.case_table,
                case_item=rule.case_item,
                case_value=str(printed),
                quote=row["quote"],
                reading=rule.rationale,
            )
        )
    return pd.DataFrame(
        rows, columns=["variable", "value", "case_table", "case_item", "case_value", "quote", "reading"]
    )


def record_as_mapping(record: pd.DataFrame) -> dict[str, Any]:
    return {r.variable: r.value for r in record.itertuples(index=False)}


def unmapped_variables(criteria: pd.DataFrame, mapping: pd.DataFrame) -> list[str]:
    """Criteria variables with no mapping row (every one needs a row, if only 'not_stated')."""
    return sorted(set(criteria["variable"]) - set(mapping["variable"]))


#: What the case record states against one criterion, in words that describe and do not
#: decide: the chapter sets the record beside each criterion and gives no verdict per option.
AGAINST_CRITERION = {
    MET: "agrees with the criterion",
    NOT_MET: "differs from the criterion",
    UNKNOWN: "not stated in the case report",
}


def record_against_criteria(evaluated: pd.DataFrame) -> pd.Series:
    """Per evaluated criterion (:func:`netbook.criteria.evaluate_criteria` output), what
    the case record states against it, in the words of :data:`AGAINST_CRITERION`."""
    unknown = set(evaluated["result"]) - set(AGAINST_CRITERION)
    if unknown:
        raise ValueError(f"results without a description: {sorted(unknown)}")
    return evaluated["result"].map(AGAINST_CRITERION)


def case_options_beside_review(
    rejected: pd.DataFrame, evaluated: pd.DataFrame, option_mapping: pd.DataFrame
) -> pd.DataFrame:
    """Each option the case report ruled out, with the review's criteria for the same
    treatment (``evaluated`` is :func:`netbook.criteria.evaluate_criteria` output) set
    beside the case record: which criteria the record differs from, and which it does
    not state. No verdict per option: the criteria are listed, not combined.
    Columns: case_option, decision, case_reason, review_option, record_differs,
    not_stated."""
    targets_of = dict(zip(option_mapping["case_option"], option_mapping["criteria_options"]))
    unknown_options = set(rejected["option"]) - set(targets_of)
    if unknown_options:
        raise KeyError(f"case options without a case_option_mapping row: {sorted(unknown_options)}")

    def texts(option: str, result: str) -> str:
        rows = evaluated[(evaluated["option"] == option) & (evaluated["result"] == result)]
        return "; ".join(rows.sort_values("criterion_id")["criterion_text"]) or "none"

    rows = []
    for r in rejected.sort_values("option").itertuples(index=False):
        for target in targets_of[r.option] or [None]:
            rows.append(
                dict(
                    case_option=r.option,
                    decision=r.decision,
                    case_reason=r.reason,
                    review_option=target or "—",
                    record_differs=texts(target, NOT_MET) if target else "the review gives no criteria",
                    not_stated=texts(target, UNKNOWN) if target else "—",
                )
            )
    columns = ["case_option", "decision", "case_reason", "review_option", "record_differs", "not_stated"]
    return pd.DataFrame(rows, columns=columns)


def option_names(management_options: pd.DataFrame, criteria_groups: pd.DataFrame) -> dict[str, str]:
    """A reader's name for every option id the criteria use: the review's own name of a
    management option (its modality, without the parenthesis), or of a group of options
    as the review prints it; an id neither table names reads as its words."""
    names = {r.option_id: str(r.modality).split(" (")[0] for r in management_options.itertuples()}
    names.update({r.group: str(r.group_as_printed) for r in criteria_groups.itertuples()})
    return names


def named(option_ids, names: dict[str, str]) -> str:
    """Option ids as a reader reads them: names, in the order given, comma-separated."""
    return ", ".join(names.get(o, o.replace("_", " ")) for o in option_ids)


# ------------------------------------------------------------------ evidence level


def statement_designs(
    statements: pd.DataFrame, characteristics: pd.DataFrame, designs: pd.DataFrame, own_patients: pd.DataFrame
) -> pd.Series:
    """The evidence level of each statement, from the data: the design of the review's
    study the statement quotes (``trial_characteristics``); for the publication's own
    patients, that publication's design (``study_designs``: "case report (one patient)",
    "nonrandomised series"); for a
    position, that it is no result; for a cited study the book has not tabulated, how
    the source describes it, as printed ("cited; as printed: a retrospective study"), or
    "design not stated". ``own_patients`` is the editorial table ``own_patient_contexts``:
    the contexts whose statements report the publication's own patients."""
    from netbook.evidence import publication_design, study_design

    own_contexts = set(own_patients["context"])
    out = []
    for row in statements.itertuples(index=False):
        design = study_design(characteristics, row.source_id, row.quote)
        if design is not None:
            out.append(design)
        elif row.context in own_contexts:
            out.append(publication_design(designs, row.source_id))
        elif row.context == "position":
            out.append("a position, not a result")
        elif not is_missing(row.population):
            out.append(f"cited; as printed: {row.population}")
        elif not is_missing(row.count_of) and row.count_of != "patients":
            out.append(f"cited; as printed: {row.count_of}")
        else:
            out.append("cited; design not stated")
    return pd.Series(out, index=statements.index, dtype=object)


def ifn_figure(points: pd.DataFrame, case: pd.DataFrame, case_design: str, colour: dict[str, str]) -> Figure:
    """Every interferon-α statement as a point (printed per cent, or k/n with its exact 95%
    interval as a line; an open marker where no unit is printed, a left arrow for "up to"),
    one colour per context, beside the case report's hepatic tumour load over time."""
    fig, (ax, ax_case) = new_figure(9.5, 11, ncols=2, width_ratios=[4, 1.3])
    for y, row in points.iterrows():
        line_colour = colour[row["context"]]
        if pd.notna(row["low"]):
            ax.plot([row["low"], row["high"]], [y, y], color=line_colour, linewidth=2.5)
        no_unit = pd.isna(row["unit"]) and pd.isna(row["k"])
        ax.plot(
            row["percent"],
            y,
            marker="<" if str(row["qualifier"]) == "up to" else "o",
            markersize=9,
            color="white" if no_unit else line_colour,
            markeredgecolor=line_colour if no_unit else "black",
            markeredgewidth=2 if no_unit else 1,
            linestyle="none",
        )
    ax.set_yticks(range(len(points)))
    ax.set_yticklabels(wrap(points["label"], 40), fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(-2, 102)
    ax.set_xlabel("% of patients (line: exact 95% CI from printed k/n)")
    for context, context_colour in colour.items():
        ax.plot([], [], marker="o", color=context_colour, linestyle="none", label=context)
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, fontsize=9, title="Context", title_fontsize=9
    )
    ax_case.plot(
        range(len(case)),
        case["value"].astype(float),
        marker="o",
        color=PALETTE["vermillion"],
        markeredgecolor="black",
        markersize=9,
    )
    ax_case.set_xticks(range(len(case)))
    ax_case.set_xticklabels(case["timepoint"], rotation=45, ha="right")
    ax_case.set_xlim(-0.5, len(case) - 0.5)
    ax_case.set_ylim(0, 100)
    ax_case.set_ylabel("Hepatic tumour load, % of the liver")
    ax_case.set_title(case_design, fontsize=10)
    return fig
