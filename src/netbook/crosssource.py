"""Reading the sources against each other: what no single source offers.

Three jobs, each kept small and tested in ``tests/test_crosssource.py``:

1. **Rates with exact intervals** for statements that print a count and a denominator
   (:func:`with_count_ci`, on top of :func:`netbook.stats.exact_ci`). A rate printed
   without its denominator gets no interval: there is nothing to compute it from.
2. **The review's selection criteria applied to the case.** The case-report tables and
   the review's ``selection_criteria`` use different words for the same things ("G2" vs
   ``grade`` 2, "highly differentiated" vs ``well``, "ileum" vs ``midgut``). The mapping
   between them is written out below, one rule per criteria variable
   (:data:`CASE_VARIABLE_RULES`), including the variables the case report does not
   state, which stay unknown. :func:`case_criteria_record` applies it, and
   :func:`netbook.criteria.evaluate_criteria` evaluates every criterion, a value printed
   as a range (Ki-67 "10% to 15%") included: a criterion is met (or not met) only if it
   is met (or not met) at both ends, otherwise unknown.
3. **References both sources cite.** Reference-list tables are turned back into
   :class:`netbook.references.Reference` objects (:func:`references_from_table`) so that
   :func:`netbook.references.match_references` can pair them, and
   :func:`citing_sentences` cuts out of a source text the sentences that cite a given
   reference number.

This module never loads tables (chapters do, so the build knows what each reads): every
function takes DataFrames or text. It re-reads published material; it makes no
statement about what any patient should receive.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from netbook import criteria as crit
from netbook.criteria import Interval
from netbook.provenance import normalise_whitespace, source_text  # noqa: F401  (chapter: xs.source_text)
from netbook.references import (Reference, expand_citations, first_author, match_references,
                                parse_reference_list, references_frame, surname)
from netbook.stats import exact_ci, read_count

# --------------------------------------------------------------------------- 1. rates


def with_count_ci(df: pd.DataFrame, k: str = "k", n: str = "n", confidence: float = 0.95) -> pd.DataFrame:
    """Rows with both k and n get ``rate``, ``ci_low``, ``ci_high`` (exact Clopper–Pearson);
    the other rows get missing values. A row with k but no n (or n but no k) gets no rate."""
    out = df.copy()
    rates, lows, highs = [], [], []
    for kk, nn in zip(out[k], out[n]):
        if crit.is_missing(kk) or crit.is_missing(nn):
            rates.append(pd.NA), lows.append(pd.NA), highs.append(pd.NA)
            continue
        low, high = exact_ci(int(kk), int(nn), confidence)
        rates.append(int(kk) / int(nn)), lows.append(low), highs.append(high)
    out["rate"] = pd.array(rates, dtype="Float64")
    out["ci_low"] = pd.array(lows, dtype="Float64")
    out["ci_high"] = pd.array(highs, dtype="Float64")
    return out


def count_readings_agree(df: pd.DataFrame) -> list[str]:
    """Statement ids whose k or n differs from the reading of k_as_printed / n_as_printed."""
    bad = []
    for row in df.itertuples(index=False):
        for number, printed in ((row.k, row.k_as_printed), (row.n, row.n_as_printed)):
            if crit.is_missing(number) != crit.is_missing(printed):
                bad.append(row.statement_id)
            elif not crit.is_missing(number) and read_count(str(printed)) != int(number):
                bad.append(row.statement_id)
    return sorted(set(bad))


# --------------------------------------------------------------------------- 2. criteria


def parse_number_or_range(text: str) -> float | Interval:
    """"63" -> 63.0; "10 to 15" or "10-15" -> Interval(10, 15). Anything else is an error."""
    text = " ".join(str(text).split())
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:to|-|–)\s*(\d+(?:\.\d+)?)", text)
    if match:
        return Interval(float(match.group(1)), float(match.group(2)))
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    raise ValueError(f"not a number or a range: {text!r}")


# Vocabulary of the case report -> vocabulary of selection_criteria (explicit; a value
# not listed is an error, so a new wording forces a decision instead of a guess).
DIFFERENTIATION = {
    "highly differentiated": "well",  # the case report's wording; 'well' in the review's
    "well differentiated": "well",
    "well-differentiated": "well",
    "moderately differentiated": "moderately",
    "poorly differentiated": "poorly",
}
PRIMARY_SITE = {
    "ileum": "midgut",  # the ileum belongs to the midgut (the review's category)
    "jejunum": "midgut",
    "pancreas": "pancreas",
    "lung": "lung",
    "stomach": "stomach",
}
GRADE = re.compile(r"^G([123])$")


def differentiation_category(text: str) -> str:
    key = " ".join(str(text).split()).casefold()
    if key not in DIFFERENTIATION:
        raise KeyError(f"no mapping for differentiation {text!r}; add it to DIFFERENTIATION")
    return DIFFERENTIATION[key]


def primary_site_category(text: str) -> str:
    key = " ".join(str(text).split()).casefold()
    if key not in PRIMARY_SITE:
        raise KeyError(f"no mapping for primary site {text!r}; add it to PRIMARY_SITE")
    return PRIMARY_SITE[key]


def grade_number(text: str) -> int:
    match = GRADE.match(str(text).strip())
    if not match:
        raise ValueError(f"not a grade: {text!r} (expected G1, G2 or G3)")
    return int(match.group(1))


def yes_no(text: str, yes: tuple[str, ...], no: tuple[str, ...]) -> bool:
    key = " ".join(str(text).split()).casefold()
    if key in yes:
        return True
    if key in no:
        return False
    raise ValueError(f"cannot read {text!r} as yes ({yes}) or no ({no})")


@dataclass(frozen=True)
class Rule:
    """How one criteria variable is read from the case tables.

    ``table`` and ``item`` name the row used (``None`` when the case report does not
    state the variable: it stays unknown); ``read`` turns the row's value into the
    criteria vocabulary; ``reading`` says why, in words.
    """
    variable: str
    table: str | None
    item: str | None
    read: Callable[[Any], Any] | None
    reading: str


def _not_stated(variable: str, why: str = "not stated in the case report") -> Rule:
    return Rule(variable, None, None, None, why)


def _excluded(text: str) -> bool:
    """A work-up event that excludes the condition reads as 'absent' (False)."""
    if "excluded" not in str(text):
        raise ValueError(f"expected an exclusion, got {text!r}")
    return False


DECISION_POINT = "the decision for IFN α, when the alternatives were ruled out"

CASE_VARIABLE_RULES: list[Rule] = [
    Rule("age_years", "case_patient_record", "age", lambda v: float(v),
         "Age as printed. The text does not say whether it is the age at diagnosis or at "
         "writing; diagnosis and writing are a few years apart, so under either reading the "
         "age is above the review's only age threshold."),
    Rule("grade", "case_patient_record", "grade", grade_number, "'G2' is grade 2."),
    Rule("ki67_percent", "case_patient_record", "Ki-67 at diagnosis", parse_number_or_range,
         "Printed as a range, evaluated at both ends; the higher value of the peritoneal "
         "metastases (case_histology) would change no result (tests/test_crosssource.py)."),
    Rule("differentiation", "case_patient_record", "differentiation", differentiation_category,
         "'highly differentiated' is read as the review's 'well-differentiated'."),
    Rule("primary_site", "case_patient_record", "primary site", primary_site_category,
         "The ileum is part of the midgut."),
    Rule("hepatic_tumour_load_percent", "case_patient_record", "hepatic tumour load before IFN",
         lambda v: float(v), f"Tumour load at {DECISION_POINT}; the load at diagnosis "
         "(also in the record) would change no result (tests/test_crosssource.py)."),
    Rule("extrahepatic_disease", "case_patient_record", "extrahepatic disease",
         lambda v: str(v).strip().casefold() not in ("", "none", "no"),
         "Peritoneal carcinomatosis is disease outside the liver."),
    Rule("peritoneal_disease", "case_patient_record", "extrahepatic disease",
         lambda v: "peritoneal" in str(v).casefold(), "Peritoneal carcinomatosis."),
    _not_stated("extra_abdominal_metastases",
                "Not stated: the case report names no metastases outside the abdomen, but "
                "does not say there are none."),
    _not_stated("diffuse_or_unresectable_peritoneal_disease",
                "Not stated: the case report says 'peritoneal carcinomatosis', not whether "
                "it is diffuse or unresectable."),
    Rule("ssr_expression", "case_patient_record", "SSR status of liver metastases",
         lambda v: yes_no(v, ("positive",), ("negative",)),
         "The liver metastases (the lesions the review is about) were SSR negative; the "
         "primary tumour was SSR positive. The choice matters: see the sensitivity check."),
    Rule("hormone_hypersecretion", "case_patient_record", "functional status",
         lambda v: yes_no(v, ("functional",), ("non-functional", "nonfunctional")),
         "A functional tumour produces hormones in excess (carcinoid syndrome)."),
    Rule("symptomatic_disease", "case_clinical_findings", "flush_shortened_ssa",
         lambda v: bool(str(v).strip()), "Flush, diarrhoea and weight loss under shortened SSA, before IFN α."),
    Rule("progressive_disease", "course_of_disease", "E08",
         lambda v: str(v) == "progressive disease", "Progressive disease at the 05/2017 staging."),
    Rule("primary_resected_r0", "case_histology", "R",
         lambda v: str(v).strip() in ("R0", "RO"),
         "The resection specimen was R0 (raw PDF extraction; the clean one prints 'RO'); "
         "the case report calls the resection palliative."),
    Rule("right_heart_insufficiency", "course_of_disease", "E07",
         lambda v: _excluded(v),
         "Hedinger syndrome (carcinoid heart disease) was excluded before IFN α; nothing "
         "else is said about the heart."),
    _not_stated("liver_disease_resectable",
                "Not stated: the case report calls the liver tumour burden high, but does not "
                "say whether the liver metastases were resectable."),
    _not_stated("liver_dominant_disease",
                "Not stated: liver and peritoneum were involved; the case report does not "
                "call the disease liver-dominant or not."),
    _not_stated("lm_morphological_type",
                "Not stated: 'multiple liver lesions' fits type II or III."),
    _not_stated("unresectable_lymph_node_metastases",
                "Not stated: the resected specimen was pN1; nothing on other nodes."),
    _not_stated("expected_surgical_mortality_percent"),
    _not_stated("acceptable_surgical_morbidity"),
    _not_stated("portosystemic_drainage",
                "Not stated in the case report (no anatomical inference is made here)."),
    _not_stated("stable_disease_months",
                "Not stated: the case report reports progression, not a stable interval."),
    _not_stated("extensive_hepatic_involvement",
                "Not stated, and the review gives no threshold for 'extensive'."),
    _not_stated("symptomatic_liver_lesions",
                "Not stated: the symptoms are attributed to hormone hypersecretion, not to "
                "tumour bulk."),
    _not_stated("rapid_liver_progression",
                "Not stated: progression is reported, 'rapid' is not."),
    _not_stated("portal_vein_thrombosis"),
    _not_stated("impaired_liver_function"),
]

_CASE_KEYS = {
    "case_patient_record": ("variable", "value"),
    "case_clinical_findings": ("finding_id", "variable"),
    "course_of_disease": ("event_id", "hepatic_response"),
    "case_histology": ("item", "value"),
}


def _case_row(tables: dict[str, pd.DataFrame], table: str, item: str) -> pd.Series:
    df = tables[table]
    key, _ = _CASE_KEYS[table]
    if table == "case_histology":
        df = df[df["specimen"] == "resection specimen"]
    rows = df[df[key] == item]
    if len(rows) != 1:
        raise KeyError(f"expected one row {item!r} in {table}, found {len(rows)}")
    return rows.iloc[0]


def case_criteria_record(tables: dict[str, pd.DataFrame],
                         rules: list[Rule] | None = None) -> pd.DataFrame:
    """The case patient in the vocabulary of ``selection_criteria``, one row per variable.

    ``tables`` maps case table names (case_patient_record, case_clinical_findings,
    course_of_disease, case_histology) to the loaded DataFrames. Columns: variable,
    value (in the criteria vocabulary; None = unknown), case_table, case_item,
    case_value (as in the case table), quote, reading.
    """
    rows = []
    for rule in rules if rules is not None else CASE_VARIABLE_RULES:
        if rule.table is None:
            rows.append(dict(variable=rule.variable, value=None, case_table=None, case_item=None,
                             case_value=None, quote=None, reading=rule.reading))
            continue
        row = _case_row(tables, rule.table, rule.item)
        printed = row[_CASE_KEYS[rule.table][1]]
        if rule.table == "course_of_disease" and crit.is_missing(printed):
            printed = row["description"]
        rows.append(dict(variable=rule.variable, value=rule.read(printed), case_table=rule.table,
                         case_item=rule.item, case_value=str(printed), quote=row["quote"],
                         reading=rule.reading))
    return pd.DataFrame(rows, columns=["variable", "value", "case_table", "case_item", "case_value",
                                       "quote", "reading"])


def record_as_mapping(record: pd.DataFrame) -> dict[str, Any]:
    return {r.variable: r.value for r in record.itertuples(index=False)}


def unmapped_variables(criteria: pd.DataFrame, rules: list[Rule] | None = None) -> list[str]:
    """Criteria variables with no rule (every one needs a rule, if only 'not stated')."""
    have = {r.variable for r in (rules if rules is not None else CASE_VARIABLE_RULES)}
    return sorted(set(criteria["variable"]) - have)


STRENGTH_GROUPS = {
    "requirements": ("required",),
    "indications": ("indication", "treatment of choice"),
    "favourable conditions": ("favourable",),
    "preferences": ("preference",),
}


def per_option(evaluated: pd.DataFrame) -> pd.DataFrame:
    """One row per option: the combined result of each strength group ('' if the option
    has no criterion of that kind) and ``allowed``: requirements and indications together
    (all-of across criteria sets, any-of inside an any-of group)."""
    records = []
    for option, part in evaluated.groupby("option", sort=True):
        record = {"option": option}
        for label, strengths in STRENGTH_GROUPS.items():
            rows = part[part["strength"].isin(strengths)]
            record[label] = crit.combine_rows(rows) if len(rows) else ""
        gate = part[part["strength"].isin(STRENGTH_GROUPS["requirements"] + STRENGTH_GROUPS["indications"])]
        record["allowed"] = crit.combine_rows(gate) if len(gate) else "no criteria"
        records.append(record)
    return pd.DataFrame(records, columns=["option", *STRENGTH_GROUPS, "allowed"])


# The options the case report ruled out, against the review's options: criteria options
# (selection_criteria.option) and the review's management_options rows. [] = the review
# has no structured criteria (or no row) for it.
CASE_OPTION_TO_CRITERIA = {
    "Peptide receptor radionuclide therapy": ["prrt"],
    "177Lu-dotatate": ["prrt"],
    "Transcatheter arterial chemoembolization": ["tace", "tae_tace", "angiographic_techniques"],
    "Selective internal radiation therapy": ["angiographic_techniques"],
    "Afterloading": [],
    "everolimus": [],
    '"conventional" IFN': [],
}
CASE_OPTION_TO_MANAGEMENT = {
    "Peptide receptor radionuclide therapy": "prrt",
    "177Lu-dotatate": "prrt",
    "Transcatheter arterial chemoembolization": "tace",
    "Selective internal radiation therapy": "sirt",
    "Afterloading": None,
    "everolimus": "everolimus",
    '"conventional" IFN': "ifn_alpha",
}


def case_options_beside_review(rejected: pd.DataFrame, options: pd.DataFrame) -> pd.DataFrame:
    """Each option the case report ruled out, with the review's criteria options and their
    ``allowed`` result (``options`` is :func:`per_option` output). Columns: case_option,
    decision, case_reason, review_option, review_result."""
    allowed = dict(zip(options["option"], options["allowed"]))
    unknown_options = set(rejected["option"]) - set(CASE_OPTION_TO_CRITERIA)
    if unknown_options:
        raise KeyError(f"case options without a mapping: {sorted(unknown_options)}")
    rows = []
    for r in rejected.sort_values("option").itertuples(index=False):
        targets = CASE_OPTION_TO_CRITERIA[r.option] or [None]
        for target in targets:
            rows.append(dict(case_option=r.option, decision=r.decision, case_reason=r.reason,
                             review_option=target or "—",
                             review_result=allowed.get(target, "no criteria") if target else "no criteria"))
    return pd.DataFrame(rows, columns=["case_option", "decision", "case_reason", "review_option",
                                       "review_result"])


# --------------------------------------------------------------------------- 3. references


REFERENCE_COLUMNS = ["number", "number_printed", "first_author", "year", "journal", "doi", "raw",
                     "parse_notes", "source_id", "locator", "quote"]


def reference_table(text: str, source_id: str, locator: str = "References") -> pd.DataFrame:
    """A reference list in the shape of the ``review_references`` table (this is how
    ``case_references.csv`` is generated; the tests re-parse and compare)."""
    frame = references_frame(parse_reference_list(text))
    frame = frame.rename(columns={"notes": "parse_notes", "source_text": "quote"})
    frame["source_id"] = source_id
    frame["locator"] = locator
    return frame[REFERENCE_COLUMNS].sort_values("number").reset_index(drop=True)


def references_from_table(df: pd.DataFrame) -> list[Reference]:
    """Reference objects from a loaded reference table, for the matcher."""
    refs = []
    for r in df.sort_values("number").itertuples(index=False):
        author = str(r.first_author) if not crit.is_missing(r.first_author) else first_author(str(r.raw))
        refs.append(Reference(
            number=int(r.number), number_printed=bool(r.number_printed), first_author=author,
            surname=surname(author), year=None if crit.is_missing(r.year) else int(r.year),
            journal="" if crit.is_missing(r.journal) else str(r.journal), raw=str(r.raw),
            source_text=str(r.quote), doi="" if crit.is_missing(r.doi) else str(r.doi)))
    return refs


def shared_references(list_a: pd.DataFrame, list_b: pd.DataFrame) -> pd.DataFrame:
    """Exact matches (first author, year, journal) between two loaded reference tables.

    One row per pair: number_a, number_b, first_author, year, journal, title_a (the raw
    entry of list a).
    """
    a, b = references_from_table(list_a), references_from_table(list_b)
    matched = match_references(a, b)
    by_number = {r.number: r for r in a}
    rows = []
    for m in matched[matched["status"] == "exact"].itertuples(index=False):
        for number_b in m.numbers_b:
            ref = by_number[m.number_a]
            rows.append(dict(number_a=m.number_a, number_b=number_b, first_author=ref.first_author,
                             year=ref.year, journal=ref.journal, entry_a=ref.raw))
    return pd.DataFrame(rows, columns=["number_a", "number_b", "first_author", "year", "journal", "entry_a"])


def same_author_other_paper(list_a: pd.DataFrame, list_b: pd.DataFrame) -> pd.DataFrame:
    """Pairs with the same first-author surname that are *not* exact matches: the near
    misses a naive author-only match would have accepted. Columns: surname, number_a,
    year_a, journal_a, number_b, year_b, journal_b, status (from the matcher)."""
    from netbook.references import compare_references, name_key
    a, b = references_from_table(list_a), references_from_table(list_b)
    rows = []
    for ra in a:
        for rb in b:
            if name_key(ra.surname) != name_key(rb.surname):
                continue
            status, _ = compare_references(ra, rb)
            if status == "exact":
                continue
            rows.append(dict(surname=ra.surname, number_a=ra.number, year_a=ra.year, journal_a=ra.journal,
                             number_b=rb.number, year_b=rb.year, journal_b=rb.journal, status=status))
    return pd.DataFrame(rows, columns=["surname", "number_a", "year_a", "journal_a", "number_b",
                                       "year_b", "journal_b", "status"])


_MARKER = re.compile(r"\^\[([0-9,\s–-]+)\]")
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "al.", "Fig.", "approx.", "no.")


def _sentences(text: str) -> list[str]:
    """Sentences of a text, whitespace-normalised. Paragraphs (blank-line separated, so
    headings stay apart) are split where ., ! or ? (plus any citation marker printed
    after the full stop) is followed by a space and a capital letter, a digit or a quote
    mark, unless the full stop closes an abbreviation ("e.g.", "vs.", "et al.")."""
    sentences = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = normalise_whitespace(paragraph)
        start = 0
        for end in re.finditer(r"[.!?](?:\^\[[^\]]*\])?(?=\s+[A-Z0-9\"“(])", paragraph):
            last_word = paragraph[start:end.start() + 1].rsplit(" ", 1)[-1]
            if last_word in _ABBREVIATIONS:
                continue
            sentences.append(paragraph[start:end.end()].strip())
            start = end.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def citing_sentences(text: str, number: int, stop_at: str | None = None) -> list[str]:
    """The sentences of ``text`` whose citation markers (^[14], ^[14,27], ^[63-65])
    include ``number``. ``stop_at`` (e.g. "References") cuts the reference list off
    first. Each sentence is verbatim from the text up to whitespace."""
    if stop_at is not None:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.strip() in (stop_at, stop_at.upper()):
                text = "\n".join(lines[:i])
                break
    found = []
    for sentence in _sentences(text):
        for marker in _MARKER.finditer(sentence):
            if number in expand_citations(marker.group(1).replace(" ", "")):
                found.append(sentence)
                break
    return found
