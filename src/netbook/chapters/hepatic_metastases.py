"""Companion of the hepatic chapter: ``chapters/hepatic_metastases.ipynb`` (the overview,
with the evidence map) and its pages, one per group of options (:data:`OPTION_PAGES`:
``hepatic_surgery``, ``hepatic_liver_directed``, ``hepatic_radionuclide``,
``hepatic_ssa_interferon``, ``hepatic_targeted_chemo``), ``hepatic_across_options`` and
``hepatic_audit``. One module serves them all: every page shows the same tables through
the same functions, so an option reads alike wherever it is shown.

The chapter loads the tables (``netbook.load_table``) and passes them in as a
:class:`HepaticData`; nothing here loads data. What this module builds:

* :func:`comparisons`: one row per result of ``trial_outcomes``, paired with the other arm
  of its comparison where there is one (experimental against control, or the two groups
  of a non-randomised comparison), with the difference computed from the printed values
  (:func:`difference`) and the P value as printed;
* :func:`studies_table`, :func:`results_table`, :func:`harms_table`,
  :func:`criteria_markdown`, :func:`conclusions_markdown`: the parts of one option's
  summary, with column names in words and "not stated" for what the review leaves out;
  :func:`show_option` displays them;
* :func:`pfs_figure` and :func:`orr_figure`: the figures across the options;
* :func:`evidence_cells`, :class:`EvidenceMap`, :func:`evidence_map_figure`: the evidence
  map (every option against the designs of its evidence, the columns from the editorial
  table ``evidence_map_designs``), drawn and as a table whose cells link to the cards;
* :func:`option_card` (:class:`OptionCard`): one option in one screen (for whom, its
  results strongest design first with what limits confidence, each linked to its study's
  reference and its passage in the reading view, its harms), the full evidence
  (:func:`option_parts`) folded under it; :func:`page_facts`: an option page's key points.

Every value shown keeps its printed form (:func:`printed_number` takes the token from the
quote, so 11.0 stays "11.0"); a median "not reached" stays words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from netbook import flags as flagging
from netbook.display import escape, table
from netbook.footnotes import Footnotes, footnoted, qualifier_notes
from netbook.numbers import numbers_in
from netbook.stats import read_count
from netbook.values import is_missing

NOT_STATED = "not stated"

CATEGORY_ORDER = ["surgical", "ablative", "intra-arterial", "radionuclide", "systemic"]

# The review's lists of criteria (selection_criteria.criteria_set), named in words.
CRITERIA_SET_NAMES = {
    "angiographic_techniques": "Percutaneous angiographic techniques (TAE, TACE, SIRT)",
    "chemotherapy_g1g2": "Chemotherapy in well- or moderately differentiated NETs",
    "enets_curative_surgery": "ENETS criteria for surgery with curative intent",
    "lt_indication": "Liver transplantation: indication",
    "milan": "Milan criteria for liver transplantation",
    "morphology_individualised": "Type II liver metastases",
    "morphology_medical": "Type III liver metastases",
    "morphology_surgery": "Type I liver metastases",
    "locoregional_cytoreduction": "Loco-regional cytoreduction",
    "prrt": "PRRT",
    "ssa": "SSAs: the mainstay in receptor-expressing NETs",
    "ssa_standard_of_care": "SSAs: the standard of care",
    "surgery_best_results": "Surgery: best results",
    "ta_contraindications": "Contraindications to thermal ablation",
    "tace_contraindications": "Contraindications to TACE",
    "tace_over_tae": "TACE preferred over TAE",
    "tae_tace_indications": "Indications for TAE and TACE",
}

STRENGTH_WORDS = {
    "required": "required",
    "indication": "indication",
    "favourable": "best results when met",
    "preference": "preferred when met",
    "treatment of choice": "treatment of choice",
}


@dataclass
class HepaticData:
    """The loaded tables the chapter's summaries read (all from ``netbook.load_table``)."""

    options: pd.DataFrame
    outcomes: pd.DataFrame
    characteristics: pd.DataFrame
    harms: pd.DataFrame
    conclusions: pd.DataFrame
    criteria: pd.DataFrame
    groups: pd.DataFrame
    sources: pd.DataFrame
    #: the audit's flags and the source's contradictions, shown beside the values they touch
    flags: flagging.Flags | None = None
    #: the book's judgements of what limits confidence in each result (editorial table
    #: ``result_certainty``), shown beside the results
    certainty: pd.DataFrame | None = None
    #: the book's ranking of the designs, strongest first (editorial table
    #: ``evidence_map_designs``, column ``rank``): an option's "strongest design"
    designs: pd.DataFrame | None = None

    _found: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # computed once

    def _flags_by(self, df: pd.DataFrame, key: str) -> dict[str, list[flagging.Flag]]:
        if self.flags is None:
            return {}
        if key not in self._found:
            found = self.flags.for_rows(df, "value", "value_low", "value_high")
            self._found[key] = {k: f for k, f in zip(df[key], found) if f}
        return self._found[key]

    def comparisons(self) -> pd.DataFrame:
        """:func:`comparisons` of the outcomes, computed once."""
        if "comparisons" not in self._found:
            self._found["comparisons"] = comparisons(self.outcomes)
        return self._found["comparisons"]

    def outcome_flags(self) -> dict[str, list[flagging.Flag]]:
        """result_id -> the flags beside that result's value (none without ``flags``)."""
        return self._flags_by(self.outcomes, "result_id")

    def harm_flags(self) -> dict[str, list[flagging.Flag]]:
        """harm_id -> the flags beside that harm's value."""
        return self._flags_by(self.harms, "harm_id")

    def design_rank(self, design: str) -> int:
        """A design's place in the book's ranking of the evidence, 1 for the strongest."""
        if self.designs is None:
            raise ValueError("ranking designs needs HepaticData(designs=load_table('evidence_map_designs'))")
        if "rank" not in self._found:
            self._found["rank"] = dict(zip(self.designs["design"], self.designs["rank"].astype(int)))
        if design not in self._found["rank"]:
            raise KeyError(
                f"evidence_map_designs.csv, column design: no row for {design!r} "
                "(rule: every design of trial_characteristics is ranked); add one with its rank and rationale"
            )
        return self._found["rank"][design]


# ------------------------------------------------------------------ values as printed


def _value_or_range(row: dict) -> str:
    """A row's value, or its range low–high, with its unit, the numbers as the quote prints them."""
    quote = row["quote"]
    if not is_missing(row.get("value")):
        return with_unit(printed_number(row["value"], quote), row["unit"])
    if not is_missing(row.get("value_low")):
        low, high = printed_number(row["value_low"], quote), printed_number(row["value_high"], quote)
        return with_unit(f"{low}–{high}", row["unit"])
    return ""


def _plain(row) -> dict:
    """A row (Series or dict) with None for every missing value (pd.NA has no truth value)."""
    return {k: (None if is_missing(v) else v) for k, v in dict(row).items()}


def printed_number(value, quote: str) -> str:
    """``value`` as the quote prints it ("11.0", not "11"); ``:g`` if no token matches."""
    for number in numbers_in(str(quote)):
        if number.value is not None and abs(number.value - float(value)) < 1e-9:
            return number.text
    return f"{float(value):g}"


def decimals(token: str) -> int:
    return len(token.split(".", 1)[1]) if "." in token else 0


def with_unit(text: str, unit) -> str:
    if is_missing(unit) or unit == "":
        return f"{text} (no unit printed)"
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def count_of(row) -> int | None:
    """Patients with the outcome: the printed digits, or the number its words spell."""
    row = _plain(row)
    if not is_missing(row.get("events")):
        return int(row["events"])
    if not is_missing(row.get("events_words")):
        return read_count(row["events_words"])
    return None


def show_value(row) -> str:
    """One result as printed: value or range with unit, qualifier, count; 'not reached' stays words."""
    row = _plain(row)
    if row.get("value_qualifier") == "not reached":
        return "not reached"
    text = _value_or_range(row)
    if not is_missing(row.get("events")) or not is_missing(row.get("events_words")):
        printed = str(row["events"]) if not is_missing(row.get("events")) else row["events_words"]
        text = f"{text} ({printed} patients)" if text else f"{printed} patient(s)"
    if not is_missing(row.get("value_qualifier")):
        text = f"{row['value_qualifier']} {text}"
    return text


def show_time(row) -> str:
    """'at 5 years'; a time point printed in words keeps them: 'at 1 year (printed "One")'."""
    row = _plain(row)
    if is_missing(row.get("time_point_number")):
        return ""
    number = int(row["time_point_number"])
    unit = str(row["time_unit"])
    if number != 1 and unit in ("year", "month", "week"):
        unit += "s"  # '2-year' is printed with the singular; the label reads 'at 2 years'
    text = f"at {number} {unit}"
    if not is_missing(row.get("time_point_words")):
        text += f' (printed "{row["time_point_words"]}")'
    return text


def outcome_label(row) -> str:
    """The endpoint, its time point and its time origin where printed ('OS from initial
    diagnosis'), and the subgroup."""
    row = _plain(row)
    label = str(row["endpoint"])
    if row.get("time_origin"):
        label += " " + str(row["time_origin"])
    when = show_time(row)
    if when:
        label += " " + when
    if row.get("arm_role") == "subgroup":
        label += f" (subgroup: {row['population']})"
    return label


def arm_label(row) -> str:
    """The arm as printed, with a background therapy given in every arm beside it: the
    number belongs to the arm on that background, not to the arm's drug alone."""
    row = _plain(row)
    if row.get("background_therapy"):
        return f"{row['arm']} + {row['background_therapy']} (background, every arm)"
    return str(row["arm"])


def patients(row, other=None, study_n=None) -> str:
    """The number of patients behind a result (and its counterpart), as printed, or 'not stated'."""
    row = _plain(row)
    other = _plain(other) if other is not None else None
    scope = {"study": "whole study", "arm": "this arm", "subgroup": "subgroup"}
    if row.get("n") is not None and other is not None and other.get("n") is not None:
        if row.get("n_scope") == "arm" and other.get("n_scope") == "arm":
            return f"{int(row['n'])} vs {int(other['n'])} (per arm)"
    if row.get("n") is not None:
        return f"{int(row['n'])} ({scope[row['n_scope']]})"
    if study_n is not None and not is_missing(study_n):
        return f"{NOT_STATED} for this result (study: {int(study_n)})"
    return NOT_STATED


# ------------------------------------------------------------------ comparisons


def difference(treatment, comparator) -> tuple[float | None, str]:
    """Treatment minus comparator, from two printed values; (None, reason) where it cannot be.

    Percentages give percentage points, times their unit. The result is rounded to the
    larger number of decimals the two printed values carry. Not computed: a median not
    reached, a hedged value ('about', 'up to'), a range, values in different units, or
    counts of events without the size of each arm.
    """
    treatment, comparator = _plain(treatment), _plain(comparator)
    for row in (treatment, comparator):
        if row.get("value_qualifier") == "not reached":
            return None, "not computable (median not reached)"
        if not is_missing(row.get("value_qualifier")):
            return None, f"not computed (value printed as '{row['value_qualifier']}')"
        if is_missing(row.get("value")):
            return None, "not computed (no single value printed)"
    if treatment["unit"] != comparator["unit"] or is_missing(treatment["unit"]):
        return None, "not computed (units differ or are not printed)"
    if treatment["unit"] == "deaths":
        return None, "not computed (counts of deaths, arm sizes not printed)"
    places = max(
        decimals(printed_number(treatment["value"], treatment["quote"])),
        decimals(printed_number(comparator["value"], comparator["quote"])),
    )
    diff = round(float(treatment["value"]) - float(comparator["value"]), places)
    return diff + 0.0, f"{diff:+.{places}f} " + (
        "percentage points" if treatment["unit"] == "%" else treatment["unit"]
    )


def comparisons(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per result of ``trial_outcomes`` (baseline shares left out), with its counterpart.

    A randomised pair (experimental, control) is one row, oriented experimental against
    control, whichever option each arm belongs to; ``options`` lists both arms' options.
    A non-randomised pair ('comparison') gives one row per arm, each against the other.
    A result without a counterpart has comparator value "no comparator" (single group,
    subgroup) or "not stated" (an arm of a randomised trial whose other arm the review
    does not report for that endpoint).
    """
    df = outcomes[outcomes["endpoint"] != "baseline share"].copy()
    df["_tp"] = df["time_point_number"].astype("Float64").fillna(-1)
    rows = []
    recs = df.astype(object).where(df.notna(), None)
    by_key = {}
    for _, r in recs.iterrows():
        by_key.setdefault((r["study"], r["endpoint"], r["_tp"]), []).append(r)
    for _, r in recs.iterrows():
        group = by_key[(r["study"], r["endpoint"], r["_tp"])]
        role = r["arm_role"]
        other = None
        if role == "control":
            if any(g["arm_role"] == "experimental" for g in group):
                continue  # shown with its experimental arm
        elif role == "experimental":
            other = next((g for g in group if g["arm_role"] == "control"), None)
        elif role == "comparison":
            other = next(
                (g for g in group if g["arm_role"] == "comparison" and g["result_id"] != r["result_id"]), None
            )
        if other is not None:
            diff, diff_text = difference(r, other)
            comparator_value = f"{arm_label(other)}: {show_value(other)}"
        elif r["comparator"] and role not in ("experimental", "control"):
            diff, diff_text = None, "—"
            comparator_value = f"{r['comparator']} (no value printed)"
        else:
            diff, diff_text = None, "—"
            comparator_value = "not stated" if role in ("experimental", "control") else "no comparator"
        p = r["p_value"] or (other["p_value"] if other is not None else None)
        words = r["significance_as_printed"] or (
            other["significance_as_printed"] if other is not None else None
        )
        opts = sorted({o for o in (r["option_id"], other["option_id"] if other is not None else None) if o})
        rows.append(
            {
                "result_id": r["result_id"],
                "other_id": other["result_id"] if other is not None else None,
                "study": r["study"],
                "options": opts,
                "arm_option": r["option_id"],
                "randomised": role in ("experimental", "control"),
                "outcome": outcome_label(r),
                "treatment": f"{arm_label(r)}: {show_value(r)}",
                "comparator": comparator_value,
                "difference": diff,
                "difference_text": diff_text,
                "p": f"P {p}" if p else (f"P not printed; “{words}”" if words else NOT_STATED),
                "patients": patients(r, other),
                "notes": qualifier_notes(r),
                "other_notes": qualifier_notes(other) if other is not None else [],
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ per option


def design_label(characteristics: pd.DataFrame, study: str) -> str:
    row = characteristics.set_index("study").loc[study]
    if row["design"] == "not stated":
        return NOT_STATED
    basis = str(row["design_basis"])
    return row["design"] + (f" ({basis})" if basis.startswith("derived") else "")


def study_label(characteristics: pd.DataFrame, study: str) -> str:
    refs = characteristics.set_index("study").loc[study, "references"]
    printed = [m for m in (refs or []) if m]
    return f"{study} [{', '.join(printed)}]" if printed else f"{study} (no reference printed)"


def _or_not_stated(x) -> str:
    return NOT_STATED if is_missing(x) or str(x).strip() == "" else str(x)


def population(row) -> str:
    """The population as the review prints it; else primary site, functional status and
    grade as printed, 'not stated' for each the review leaves out."""
    if not is_missing(row.get("population_as_printed")):
        return f"“{row['population_as_printed']}”"
    fields = [row["primary_site"], row["functional_status"], row["grade"]]
    if all(is_missing(f) for f in fields):
        return NOT_STATED
    return (
        f"site: {_or_not_stated(fields[0])}; function: {_or_not_stated(fields[1])}; "
        f"grade: {_or_not_stated(fields[2])}"
    )


def option_rows(comp: pd.DataFrame, option_id: str) -> pd.DataFrame:
    """The comparisons shown for an option: randomised pairs where either arm is the option,
    other results where the result's own arm is the option."""
    keep = [
        (option_id in opts) if randomised else (arm == option_id)
        for opts, randomised, arm in zip(comp["options"], comp["randomised"], comp["arm_option"])
    ]
    return comp[keep]


def option_studies(data: HepaticData, option_id: str) -> list[str]:
    mine = option_rows(data.comparisons(), option_id)
    return sorted(set(mine["study"]), key=str.casefold)


def studies_table(data: HepaticData, option_id: str, footnotes: Footnotes | None = None) -> pd.DataFrame:
    """One row per study of an option: design, population, patients, regimen, comparator;
    with ``footnotes``, the study's qualifiers as letters beside its name."""
    chars = data.characteristics.set_index("study")
    rows = []
    for study in option_studies(data, option_id):
        c = chars.loc[study]
        label = study_label(data.characteristics, study)
        if footnotes is not None:
            label = footnotes.mark(label, qualifier_notes(c.to_dict() | {"study": study}))
        rows.append(
            {
                "Study [reference]": label,
                "Design and blinding": (
                    design_label(data.characteristics, study) + "; blinding " + _or_not_stated(c["blinding"])
                ),
                "Population as printed": population(c),
                "Patients": NOT_STATED if is_missing(c["n"]) else str(int(c["n"])),
                "Regimen, dose and schedule as printed": _or_not_stated(c["regimen"]),
                "Comparator as printed": "none" if is_missing(c["comparator"]) else str(c["comparator"]),
            }
        )
    return pd.DataFrame(rows)


def results_table(data: HepaticData, option_id: str, footnotes: Footnotes | None = None) -> pd.DataFrame:
    """One option's results per arm, with the number of patients behind each; a value the
    audit or a contradiction flags carries the flag beside it (:mod:`netbook.flags`); with
    ``footnotes``, its qualifiers as letters beside it (:mod:`netbook.footnotes`)."""
    mine = option_rows(data.comparisons(), option_id).sort_values(
        ["study", "outcome"], key=lambda s: s.str.casefold()
    )
    found = data.outcome_flags()
    study_n = data.characteristics.set_index("study")["n"]

    def cell(text, notes, result_id):
        if footnotes is not None:
            text = footnotes.mark(text, notes)
        return flagging.mark(text, found.get(result_id, []))

    # in the order of a summary-of-findings table: outcome, effects, participants, certainty
    columns = {
        "Study": list(mine["study"]),
        "Outcome": list(mine["outcome"]),
        "Treatment arm": [cell(*x) for x in zip(mine["treatment"], mine["notes"], mine["result_id"])],
        "Comparator arm": [cell(*x) for x in zip(mine["comparator"], mine["other_notes"], mine["other_id"])],
        "Difference (computed); P as printed": [
            f"{d}; {p}" if d != "—" else p for d, p in zip(mine["difference_text"], mine["p"])
        ],
        "Patients (n)": [
            text if text != NOT_STATED else patients({}, None, study_n.get(s))
            for text, s in zip(mine["patients"], mine["study"])
        ],
        "Design": [design_label(data.characteristics, s) for s in mine["study"]],
    }
    if data.certainty is not None:
        heading = "What limits confidence"
        if footnotes is not None:
            heading = footnotes.mark(heading, not_judgeable(data))
        columns[heading] = [limits_text(data, r, o) for r, o in zip(mine["result_id"], mine["other_id"])]
    return pd.DataFrame(columns).reset_index(drop=True)


# the order in which the limitations of a result are listed (result_certainty.limitation)
LIMITATION_ORDER = [
    "design",
    "sample size",
    "single study",
    "indirect population",
    "surrogate endpoint",
    "interim data",
    "historical comparison",
]


def limits(data: HepaticData, result_id: str) -> list[str]:
    """The book's judgements (editorial table ``result_certainty``) of what limits
    confidence in one result, in :data:`LIMITATION_ORDER`."""
    if data.certainty is None or not isinstance(result_id, str):
        return []
    study = data.outcomes.set_index("result_id").loc[result_id, "study"]
    c = data.certainty
    rows = c[
        (c["study"] == study)
        & c["result_ids"].map(lambda ids: not ids or result_id in ids)
        & c["limitation"].isin(LIMITATION_ORDER)
    ]
    rows = rows.assign(_o=rows["limitation"].map(LIMITATION_ORDER.index)).sort_values(["_o", "judgement_id"])
    return list(rows["judgement"])


def limits_text(data: HepaticData, result_id: str, other_id=None) -> str:
    """What limits confidence in a result and its counterpart, in words ('none recorded' if nothing)."""
    found = list(dict.fromkeys(limits(data, result_id) + limits(data, other_id)))
    return "; ".join(found) if found else "none recorded beyond the footnote"


def not_judgeable(data: HepaticData) -> list[str]:
    """What a narrative review cannot let anyone judge, for any result (the 'every result' rows)."""
    if data.certainty is None:
        return []
    rows = data.certainty[data.certainty["study"] == "every result"].sort_values("judgement_id")
    return [f"For every result: {j} ({r})" for j, r in zip(rows["judgement"], rows["rationale"])]


def lm_types_table(data: HepaticData) -> pd.DataFrame:
    """The review's morphological types of liver metastases, as printed, and what it says for each."""
    c = data.criteria[data.criteria["definition_as_printed"].notna()].sort_values("criterion_id")
    return pd.DataFrame(
        {
            "Type, as the review defines it": [f"“{d}”" for d in c["definition_as_printed"]],
            "What the review says for it": [f"“{t}”" for t in c["criterion_text"]],
            "Reference": [", ".join(f"[{m}]" for m in dict.fromkeys(refs) if m) for refs in c["references"]],
        }
    )


def interferon_evidence(statements: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Every statement about interferon-α in the four sources (table
    ``interferon_statements``), in words, by source: what each says, with its number as printed."""
    names = source_names(sources)
    rows = []
    for r in statements.sort_values(["source_id", "statement_id"]).to_dict("records"):
        r = _plain(r)
        if r.get("value") is not None:
            value = with_unit(f"{float(r['value']):g}", r.get("unit"))
        elif r.get("k_as_printed") or r.get("n_as_printed"):
            value = " of ".join(str(x) for x in (r.get("k_as_printed"), r.get("n_as_printed")) if x)
        else:
            value = "no number"
        rows.append(
            {
                "Source": f"{names[r['source_id']]}, {r['locator']}",
                "About": r["intervention"],
                "What it states (as printed)": f"“{r['endpoint_as_printed']}”",
                "Number as printed": value,
                "For whom": r.get("population") or r.get("position_holder") or NOT_STATED,
            }
        )
    return pd.DataFrame(rows)


def source_names(sources: pd.DataFrame) -> dict[str, str]:
    """source_id -> a short name for readers: first author (or issuing centre) and year."""
    names = {}
    for r in sources.itertuples():
        first = str(r.citation).split(",")[0].split(".")[0]
        words = first.split()
        if len(words) > 1 and words[-1].isupper() and len(words[-1]) <= 3:
            words = words[:-1]  # drop initials: "La Salvia A" -> "La Salvia"
        year = "" if is_missing(r.year) else f" {int(r.year)}"
        names[r.source_id] = " ".join(words) + year
    return names


def harm_value(row) -> str:
    """The printed rate or range of a harm with its unit; '' where the source gives words only."""
    row = _plain(row)
    return _value_or_range(row)


def how_often(row) -> str:
    """A harm's frequency as printed: rate or range, the source's words, and when."""
    row = _plain(row)
    text = harm_value(row)
    if not is_missing(row.get("frequency_as_printed")):
        text = f"{text} ({row['frequency_as_printed']})" if text else f"“{row['frequency_as_printed']}”"
    text = text or "no frequency stated"
    if not is_missing(row.get("timing")):
        text += f"; {row['timing']}"
    return text


def harms_table(data: HepaticData, option_id: str | None, footnotes: Footnotes | None = None) -> pd.DataFrame:
    h = data.harms
    mine = h[h["option_id"].isna()] if option_id is None else h[h["option_id"] == option_id]
    names = source_names(data.sources)
    found = data.harm_flags()
    recs = mine.astype(object).where(mine.notna(), None)
    rows = []
    for _, r in recs.iterrows():
        refs = [m for m in (r["references"] or []) if m]
        rows.append(
            {
                "Harm as printed": r["harm"],
                "Treatment": r["treatment"] + (f" (against {r['comparator']})" if r["comparator"] else ""),
                "How often": flagging.mark(
                    how_often(r) if footnotes is None else footnotes.mark(how_often(r), qualifier_notes(r)),
                    found.get(r["harm_id"], []),
                ),
                "Evidence": r["evidence"] + (f", n = {r['n']}" if r["n"] else ""),
                "Source": names[r["source_id"]]
                + (f" [{', '.join(refs)}]" if refs else "")
                + f", {r['locator']}",
            }
        )
    return pd.DataFrame(rows, columns=["Harm as printed", "Treatment", "How often", "Evidence", "Source"])


def criteria_for(data: HepaticData, option_id: str) -> pd.DataFrame:
    groups = set(data.groups.loc[data.groups["option_id"] == option_id, "group"]) | {option_id}
    return data.criteria[data.criteria["option"].isin(groups)]


def criteria_markdown(data: HepaticData, option_id: str) -> str:
    crit = criteria_for(data, option_id)
    said = data.conclusions[
        (data.conclusions["option_id"] == option_id) & (data.conclusions["topic"] == "selection")
    ]
    if crit.empty and said.empty:
        return "**For whom.** The review states no selection criteria for this option."
    lines = ["**For whom** (the review's words):", ""]
    for r in said.itertuples():  # said outside the review's lists of criteria
        lines.append(f"- “{escape(r.statement, 'markdown')}”")
    for cs, part in crit.groupby("criteria_set", sort=True):
        strengths = sorted({STRENGTH_WORDS[s] for s in part["strength"]})
        # criteria that the review states in one phrase ("resectable G1-G2") share its words: once
        items = "; ".join(f"“{escape(t, 'markdown')}”" for t in dict.fromkeys(part["criterion_text"]))
        lines.append(f"- {CRITERIA_SET_NAMES[cs]} ({', '.join(strengths)}): {items}")
    return "\n".join(lines)


def conclusions_markdown(data: HepaticData, option_id: str) -> str:
    c = data.conclusions
    rows = c[(c["option_id"] == option_id) & (c["topic"] != "selection")]  # selection: with the criteria
    if rows.empty:
        return ""
    lines = ["**What the review concludes:**", ""]
    for r in rows.itertuples():
        basis = (
            f" ({escape(r.evidence_as_printed, 'markdown')})" if not is_missing(r.evidence_as_printed) else ""
        )
        refs = [m for m in (r.references or []) if m]
        cite = f" [{escape(', '.join(refs), 'markdown')}]" if refs else ""
        lines.append(f"- {escape(r.topic, 'markdown')}{basis}: “{escape(r.statement, 'markdown')}”{cite}")
    return "\n".join(lines)


def option_parts(data: HepaticData, option_id: str) -> list:
    """The displayable parts of one option's summary, in reading order."""
    from IPython.display import Markdown

    name = data.options.set_index("option_id").loc[option_id, "modality"]
    parts: list = [Markdown(criteria_markdown(data, option_id))]
    studies = studies_table(data, option_id)
    if studies.empty:
        parts.append(Markdown("**Evidence.** The review reports no result for this option."))
    else:
        outcomes = data.outcomes[
            data.outcomes["study"].isin(
                studies["Study [reference]"].str.replace(
                    r" (\[.*\]|\(no reference printed\))$", "", regex=True
                )
            )
        ]
        chars = data.characteristics[data.characteristics["study"].isin(outcomes["study"])]
        notes = Footnotes()
        parts.append(
            footnoted(table(studies_table(data, option_id, notes), f"{name}: the studies", chars), notes)
        )
        parts.append(results_part(data, option_id, outcomes))
    harms = harms_table(data, option_id)
    if harms.empty:
        parts.append(Markdown("**Harms.** None of the four sources states a harm for this option."))
    else:
        parts.append(harms_part(data, option_id, f"{name}: harms stated by the sources"))
    text = conclusions_markdown(data, option_id)
    if text:
        parts.append(Markdown(text))
    return parts


def results_part(data: HepaticData, option_id: str, outcomes: pd.DataFrame | None = None):
    """One option's results table, ready to display: qualifiers as footnotes, flags linked,
    the provenance note (of ``outcomes``, default every loaded outcome, and of the
    certainty judgements) under it."""
    name = data.options.set_index("option_id").loc[option_id, "modality"]
    notes = Footnotes()
    loaded = [data.outcomes if outcomes is None else outcomes]
    if data.certainty is not None:
        loaded.append(data.certainty)
    return footnoted(
        flagging.linked(
            table(results_table(data, option_id, notes), f"{name}: results per arm", *loaded),
            _flags_of(data.outcome_flags(), _shown_results(data, option_id)),
        ),
        notes,
    )


def harms_part(data: HepaticData, option_id: str | None, caption: str):
    """The harms of one option (None: of treatments outside the review's options), ready
    to display: qualifiers as footnotes, flags linked, provenance under it."""
    h = data.harms
    loaded = h[h["option_id"].isna()] if option_id is None else h[h["option_id"] == option_id]
    notes = Footnotes()
    return footnoted(
        flagging.linked(
            table(harms_table(data, option_id, notes), caption, loaded),
            _flags_of(data.harm_flags(), loaded["harm_id"]),
        ),
        notes,
    )


def _shown_results(data: HepaticData, option_id: str) -> list[str]:
    mine = option_rows(data.comparisons(), option_id)
    return [i for i in [*mine["result_id"], *mine["other_id"]] if isinstance(i, str)]


def _flags_of(found: dict[str, list[flagging.Flag]], ids) -> list[flagging.Flag]:
    return [f for i in ids for f in found.get(i, [])]


def flagged_value(data: HepaticData, row) -> str:
    """A result as printed (:func:`show_value`) with its flags beside it."""
    return flagging.mark(show_value(row), data.outcome_flags().get(row["result_id"], []))


def show_option(data: HepaticData, option_id: str) -> None:
    """Display one option's summary: for whom, the studies, results per arm, harms, conclusions."""
    from IPython.display import display

    display(*option_parts(data, option_id))


def strongest_design(data: HepaticData, option_id: str) -> str:
    designs = {
        data.characteristics.set_index("study").loc[s, "design"] for s in option_studies(data, option_id)
    }
    if not designs:
        return "no result reported"
    return min(designs, key=data.design_rank)


def overview(data: HepaticData) -> pd.DataFrame:
    """One row per option: what it is, the aim, how many results and the strongest design."""
    comp = data.comparisons()
    o = data.options
    df = pd.DataFrame(
        {
            "Option": o["modality"],
            "Category": o["category"],
            "Aim": o["aim"] + o["aim_basis"].map({"stated": "", "inferred": " (inferred)"}),
            "Where the review places it": o["placement"],
            "Results": [len(option_rows(comp, i)) for i in o["option_id"]],
            "Strongest design": [strongest_design(data, i) for i in o["option_id"]],
            "Harms stated": [int((data.harms["option_id"] == i).sum()) for i in o["option_id"]],
            "_order": o["category"].map(CATEGORY_ORDER.index),
            "_id": o["option_id"],
        }
    )
    return df.sort_values(["_order", "_id"]).drop(columns=["_order", "_id"]).reset_index(drop=True)


# ------------------------------------------------------------------ figures


def pfs_pairs(data: HepaticData) -> pd.DataFrame:
    """Median PFS or TTP of both arms of each randomised comparison, with its population as printed."""
    o = data.outcomes
    pfs = o[
        o["endpoint"].isin(["median PFS", "median TTP"]) & o["arm_role"].isin(["experimental", "control"])
    ]
    rows = []
    chars = data.characteristics.set_index("study")
    for study, part in pfs.groupby("study"):
        exp = _plain(part[part["arm_role"] == "experimental"].iloc[0])
        ctl = _plain(part[part["arm_role"] == "control"].iloc[0])
        c = chars.loc[study]
        diff, diff_text = difference(exp, ctl)
        rows.append(
            {
                "study": study,
                "population": (
                    f"{c['primary_site'] if not is_missing(c['primary_site']) else 'site not stated'}; "
                    f"{c['functional_status'] if not is_missing(c['functional_status']) else 'function not stated'}"
                ),
                "design": design_label(data.characteristics, study),
                "design_short": c["design"]
                + (" (design derived)" if str(c["design_basis"]).startswith("derived") else ""),
                "endpoint": exp["endpoint"],
                "experimental": exp["arm"],
                "control": ctl["arm"],
                "experimental_value": None if exp["value"] is None else float(exp["value"]),
                "control_value": float(ctl["value"]),
                "experimental_printed": show_value(exp),
                "control_printed": show_value(ctl),
                "experimental_notes": qualifier_notes(exp),
                "control_notes": qualifier_notes(ctl),
                "not_reached": exp["value_qualifier"] == "not reached",
                "difference": diff,
                "difference_text": diff_text,
                "p": f"P {exp['p_value']}" if exp["p_value"] else NOT_STATED,
            }
        )
    df = pd.DataFrame(rows)
    return df.sort_values(["population", "study"], key=lambda s: s.str.casefold()).reset_index(drop=True)


def pfs_table(pairs: pd.DataFrame, *loaded: pd.DataFrame):
    """The figure's numbers as a table: both medians of each trial with their qualifiers as footnotes."""
    notes = Footnotes()
    df = pd.DataFrame(
        {
            "Population as printed": pairs["population"],
            "Trial": pairs["study"],
            "Design": pairs["design"],
            "Experimental arm": pairs["experimental"],
            "Experimental median": [
                notes.mark(v, n) for v, n in zip(pairs["experimental_printed"], pairs["experimental_notes"])
            ],
            "Control arm": pairs["control"],
            "Control median": [
                notes.mark(v, n) for v, n in zip(pairs["control_printed"], pairs["control_notes"])
            ],
            "Difference (computed)": pairs["difference_text"],
            "P value as printed": pairs["p"],
        }
    )
    caption = "Median PFS (or TTP) per randomised trial, both arms and their difference"
    return footnoted(table(df, caption, *loaded), notes)


SURVIVAL = [
    "survival rate",
    "OS rate",
    "disease-specific survival rate",
    "disease-free survival rate",
    "median OS",
    "OS",
]


def survival_table(data: HepaticData, option_ids: list[str], baseline_ids: tuple[str, ...] = ()):
    """The survival results of some options (resection, transplantation), with design,
    patients, qualifiers as footnotes and flags; ``baseline_ids``: results of no option
    that the others are read against (the survival of all patients with the disease)."""
    o = data.outcomes
    surv = o[
        (o["option_id"].isin(option_ids) | o["result_id"].isin(baseline_ids)) & o["endpoint"].isin(SURVIVAL)
    ]
    surv = surv.sort_values(["time_point_number", "study"], na_position="last")
    records = surv.astype(object).where(surv.notna(), None)
    notes = Footnotes()
    chars = data.characteristics
    study_n = chars.set_index("study")["n"]
    df = pd.DataFrame(
        {
            "Study": [study_label(chars, s) for s in surv["study"]],
            "Design": [design_label(chars, s) for s in surv["study"]],
            "Patients (n)": [patients(r, None, study_n.get(r["study"])) for _, r in records.iterrows()],
            "Treatment": [
                f"{a} (baseline, not a treatment result)" if r in baseline_ids else a
                for a, r in zip(surv["arm"], surv["result_id"])
            ],
            "Outcome": [outcome_label(r) for _, r in records.iterrows()],
            "Value as printed": [
                flagging.mark(
                    notes.mark(show_value(r), qualifier_notes(r)),
                    data.outcome_flags().get(r["result_id"], []),
                )
                for _, r in records.iterrows()
            ],
        }
    )
    caption = (
        "Survival after resection and liver transplantation, as reported by the review, with the baseline"
    )
    return footnoted(
        flagging.linked(
            table(df, caption, data.outcomes, data.characteristics),
            [f for rid in surv["result_id"] for f in data.outcome_flags().get(rid, [])],
        ),
        notes,
    )


def pfs_figure(pairs: pd.DataFrame):
    """Paired chart: one line per randomised comparison, control to experimental, grouped by population."""
    from matplotlib.lines import Line2D

    from netbook.plotting import PALETTE, new_figure

    right = 26
    fig, ax = new_figure(9.5, 1.0 + 0.95 * len(pairs) + 0.45 * pairs["population"].nunique())
    y, ticks, labels = 0.0, [], []
    for pop, part in pairs.groupby("population", sort=False):
        ax.text(0, y - 0.15, f"Population: {pop}", fontsize=10, fontweight="bold", va="bottom")
        y -= 0.7
        for r in part.itertuples():
            ax.plot(r.control_value, y, "o", color=PALETTE["grey"], ms=9)
            if r.not_reached:
                ax.annotate(
                    "",
                    xy=(right, y),
                    xytext=(r.control_value, y),
                    arrowprops=dict(arrowstyle="->", color=PALETTE["vermillion"], lw=2),
                )
                ax.text(
                    right, y + 0.18, "median not reached", ha="right", fontsize=9, color=PALETTE["vermillion"]
                )
            else:
                ax.plot([r.control_value, r.experimental_value], [y, y], color=PALETTE["blue"], lw=2)
                ax.plot(r.experimental_value, y, "o", color=PALETTE["blue"], ms=9)
                ax.text(r.experimental_value + 0.4, y, r.difference_text, va="center", fontsize=9)
            ttp = " (TTP)" if r.endpoint == "median TTP" else ""
            ticks.append(y)
            labels.append(f"{r.study}{ttp}, {r.design_short}\n{r.experimental} vs {r.control}")
            y -= 0.95
    ax.set_yticks(ticks, labels, fontsize=9)
    ax.set_ylim(y + 0.4, 0.6)
    ax.set_xlim(0, right + 1)
    ax.set_xlabel("median progression-free survival or time to progression (months)")
    ax.legend(
        handles=[
            Line2D([], [], color=PALETTE["grey"], marker="o", ls="", label="control arm"),
            Line2D([], [], color=PALETTE["blue"], marker="o", ls="", label="experimental arm"),
            Line2D(
                [],
                [],
                color=PALETTE["vermillion"],
                marker=r"$\rightarrow$",
                ls="",
                ms=12,
                label="experimental: not reached",
            ),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.09),
        ncol=3,
        frameon=False,
    )
    return fig


DESIGN_MARKER = {
    "randomised phase III": ("o", True),
    "randomised phase II": ("s", True),
    "phase II": ("D", True),
    "retrospective multicentre": ("^", True),
    "retrospective series": ("^", True),
    "single-centre series": ("^", True),
    "nonrandomised series": ("^", True),
    "registry": ("v", False),
    "review": ("v", False),
    "not stated": ("o", False),
}


def computed_rate(outcomes: pd.DataFrame, rule) -> pd.Series:
    """One response rate computed from printed results, as a row of ``outcomes`` (the
    last of ``rule.from_result_ids`` lends it its other columns). ``rule`` is a row of
    the editorial table ``computed_response_rates``: 'sum' adds the printed rates
    (complete + partial), 'count of n' divides a printed count by its n."""
    by_id = outcomes.set_index("result_id")
    ids = list(rule.from_result_ids)
    unknown = [i for i in ids if i not in by_id.index]
    if unknown:
        raise KeyError(
            f"computed_response_rates.csv, row {rule.result_id!r}, column from_result_ids: {unknown} "
            "(rule: a trial_outcomes.result_id)"
        )
    row = by_id.loc[ids[-1]].copy()
    if rule.method == "sum":
        row["value"] = float(by_id.loc[ids, "value"].sum())
        row["how"] = " + ".join(e.split()[0] for e in by_id.loc[ids, "endpoint"]) + ", summed here"
    else:  # count of n
        row["value"] = 100 * count_of(row) / int(row["n"])
        row["unit"], row["how"] = "%", f"{row['events_words']} of {row['n']} patients, computed here"
    row["endpoint"], row["result_id"] = rule.endpoint, rule.result_id
    return row


def orr_points(
    data: HepaticData, computed: pd.DataFrame, cytotoxic: pd.DataFrame, endpoints: pd.DataFrame
) -> pd.DataFrame:
    """Response rates as printed (the results of the endpoints of ``endpoints``, the
    editorial table ``response_endpoints``), plus those the book computes where the review
    prints none (``computed``: the editorial table ``computed_response_rates``; the
    results they are computed from are not shown as printed); ``cytotoxic`` (the
    editorial table ``cytotoxic_options``) marks the options that contain a cytotoxic drug."""
    o = data.outcomes
    used = {i for ids in computed["from_result_ids"] for i in ids}
    response = o["endpoint"].isin(set(endpoints["endpoint"]))
    orr = o[response & (o["arm_role"] != "subgroup") & ~o["result_id"].isin(used)].copy()
    orr["how"] = "as printed"
    rows = [computed_rate(o, rule) for rule in computed.itertuples(index=False)]
    orr = pd.concat([orr, pd.DataFrame(rows)], ignore_index=True)
    orr = orr.merge(data.options[["option_id", "category"]], on="option_id", how="left")
    orr["design"] = orr["study"].map(data.characteristics.set_index("study")["design"])
    orr["cytotoxic"] = orr["option_id"].isin(set(cytotoxic["option_id"]))
    found = data.outcome_flags()
    orr["flags"] = [[f.key for f in found.get(r, [])] for r in orr["result_id"]]
    orr["plot_value"] = orr["value"].fillna((orr["value_low"] + orr["value_high"]) / 2).astype(float)
    orr["label"] = [
        f"{r.arm} ({r.study}; {r.design}; " + (f"n={r.n})" if not pd.isna(r.n) else "n not printed)")
        for r in orr.itertuples()
    ]
    cat = ["intra-arterial", "radionuclide", "systemic"]
    return orr.sort_values(
        ["category", "plot_value"],
        key=lambda s: s.map(cat.index) if s.name == "category" else s,
        ascending=[True, False],
    ).reset_index(drop=True)


def reference_line(lines: pd.DataFrame, figure: str) -> int:
    """Where a figure's reference line is drawn (the editorial table ``figure_reference_lines``)."""
    found = lines.loc[lines["figure"] == figure, "value"]
    if len(found) != 1:
        raise KeyError(
            f"figure_reference_lines.csv, column figure: expected one row {figure!r}, found {len(found)}"
        )
    return int(found.iloc[0])


def orr_figure(orr: pd.DataFrame, line: int):
    """Dot plot of response rates; colour = category, marker = design, open marker = design
    not stated; a dotted line at ``line`` % (:func:`reference_line`)."""
    from matplotlib.lines import Line2D

    from netbook.plotting import PALETTE, new_figure, wrap

    colours = {
        "intra-arterial": PALETTE["blue"],
        "radionuclide": PALETTE["orange"],
        "systemic": PALETTE["bluish green"],
    }
    fig, ax = new_figure(9.5, 13)
    ys = list(range(len(orr)))[::-1]
    for y, (_, row) in zip(ys, orr.iterrows()):
        r = _plain(row)
        colour = colours[r["category"]]
        marker, filled = DESIGN_MARKER[r["design"]]
        style = dict(marker=marker, ms=8, mec=colour, mew=2, mfc=colour if filled else "white", ls="")
        note, x = "", r["value"]
        if r["value_low"] is not None:
            ax.plot([r["value_low"], r["value_high"]], [y, y], color=colour, lw=3, solid_capstyle="butt")
            note, x = "range", r["value_high"]
        elif r["value_qualifier"] == "lower than":
            ax.plot(r["value"], y, marker="<", color=colour, ms=9, ls="")
            note = "lower than"
        else:
            if r["unit"] is None:
                style["mfc"] = "white"
                note = "no unit printed"
            ax.plot(r["value"], y, **style)
            if r["how"] != "as printed":
                note = "computed"
            elif r["value_qualifier"] is not None:
                note = r["value_qualifier"]
        if r["endpoint"] != "ORR":
            note = (note + " " + r["endpoint"]).strip()
        if r["cytotoxic"]:
            note = (note + " [cytotoxic]").strip()
        if r["flags"]:  # the audit or a contradiction within the source flags the value
            note = (note + " ⚠").strip()
        if note:
            ax.text(x + 1.5, y, note, va="center", fontsize=9)
    ax.set_yticks(ys, wrap(orr["label"], 46), fontsize=8.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("objective response rate (%)")
    ax.axvline(line, color="black", lw=0.8, ls=":")
    handles = [Line2D([], [], color=c, marker="o", ls="", label=k) for k, c in colours.items()]
    seen = set()
    present = set(orr["design"])
    for design, (marker, filled) in DESIGN_MARKER.items():
        if design not in present:
            continue
        label = {
            "not stated": "design not stated",
            "retrospective multicentre": "retrospective",
            "retrospective series": "retrospective",
        }.get(design, design)
        if label not in seen:
            seen.add(label)
            handles.append(
                Line2D(
                    [],
                    [],
                    color="black",
                    marker=marker,
                    ls="",
                    mfc="black" if filled else "white",
                    label=label,
                )
            )
    ax.legend(handles=handles, loc="lower right", frameon=True, fontsize=9)
    return fig


# ------------------------------------------------------------------ pages, cards, evidence map

#: The hepatic chapter's pages (notebook stems under chapters/) and the options each shows,
#: in reading order. The overview (``hepatic_metastases``) shows the evidence map and links
#: here; every option has its card on exactly one page (tests/chapters/test_hepatic_metastases.py).
OPTION_PAGES = {
    "hepatic_surgery": [
        "resection_curative",
        "resection_cytoreductive",
        "resection_two_stage",
        "liver_transplantation",
    ],
    "hepatic_liver_directed": ["thermal_ablation", "locoregional_cytoreduction", "tae", "tace", "sirt"],
    "hepatic_radionuclide": ["prrt", "prrt_chemo"],
    "hepatic_ssa_interferon": ["ssa", "pasireotide", "ifn_alpha", "ifn_5fu"],
    "hepatic_targeted_chemo": [
        "everolimus",
        "everolimus_bevacizumab",
        "sunitinib",
        "bevacizumab",
        "chemo_monotherapy",
        "chemo_stz_dox_5fu",
        "chemo_capecitabine_temozolomide",
        "chemo_fde",
        "xelbevoct",
    ],
}

#: The evidence map's columns, in order: the design groups of ``evidence_map_designs``
#: (editorial), then the case report (a source of its own design) and "none".
MAP_COLUMNS = [
    "randomised",
    "non-randomised prospective",
    "retrospective",
    "other or not stated",
    "case report",
    "none",
]

#: the across-sources page's sections that speak of an option (anchor -> what it holds);
#: which options: the interferon statements (interferon_statements) and the options the
#: case report ruled out (editorial case_option_mapping)
ACROSS_SOURCES = "across_sources.html"
ACROSS_SOURCES_CRITERIA = "across_sources_criteria.html"


def page_of(option_id: str) -> str:
    """The page (notebook stem) that shows an option's card."""
    for page, option_ids in OPTION_PAGES.items():
        if option_id in option_ids:
            return page
    raise KeyError(f"option {option_id!r} is on no page of OPTION_PAGES")


def card_anchor(option_id: str) -> str:
    """The HTML id of an option's card (a valid, stable id: letters, digits, hyphens)."""
    return "option-" + option_id.replace("_", "-")


def card_href(option_id: str) -> str:
    """The link to an option's card, from any chapter page (they share one folder)."""
    return f"{page_of(option_id)}.html#{card_anchor(option_id)}"


def evidence_cells(data: HepaticData, designs: pd.DataFrame) -> pd.DataFrame:
    """One row per option and evidence-map column that holds evidence: the results
    (:func:`option_rows`, as in the options at a glance), the studies, and the patients the
    review prints for them (``n`` of ``trial_characteristics``; ``patients_all_printed``
    False where some study prints none). The case report's column counts its statements
    about the option (table ``harms``, evidence "case report"); an option with nothing in
    any column gets one row in "none".

    ``designs`` is the editorial table ``evidence_map_designs``; a design it does not map
    raises (never a silent column)."""
    column_of = designs.set_index("design")["column"]
    chars = data.characteristics.set_index("study")
    comp = data.comparisons()
    rows = []
    for option_id in data.options["option_id"]:
        mine = option_rows(comp, option_id)
        found = False
        for study_design, part in mine.groupby(mine["study"].map(chars["design"])):
            if study_design not in column_of:
                raise ValueError(
                    f"evidence_map_designs.csv: no row for the design {study_design!r} "
                    f"(trial_characteristics.design of {sorted(set(part['study']))})"
                )
            rows.append({"option_id": option_id, "column": column_of[study_design], "part": part})
            found = True
        case = data.harms[(data.harms["option_id"] == option_id) & (data.harms["evidence"] == "case report")]
        if not case.empty:
            rows.append({"option_id": option_id, "column": "case report", "case": case})
            found = True
        if not found:
            rows.append({"option_id": option_id, "column": "none"})
    out = []
    for (option_id, column), group in pd.DataFrame(rows).groupby(["option_id", "column"], sort=False):
        parts = [p for p in group.get("part", pd.Series(dtype=object)) if isinstance(p, pd.DataFrame)]
        cases = [c for c in group.get("case", pd.Series(dtype=object)) if isinstance(c, pd.DataFrame)]
        studies = sorted({s for p in parts for s in p["study"]}, key=str.casefold)
        ns = [chars.loc[s, "n"] for s in studies]
        printed = [int(n) for n in ns if not is_missing(n)]
        out.append(
            {
                "option_id": option_id,
                "column": column,
                "results": sum(len(p) for p in parts),
                "studies": len(studies),
                "statements": sum(len(c) for c in cases),
                "case_reports": len({s for c in cases for s in c["source_id"]}),
                "patients": sum(printed),
                "patients_printed": len(printed),
                "patients_all_printed": len(printed) == len(studies),
            }
        )
    df = pd.DataFrame(out)
    df["_c"] = df["column"].map(MAP_COLUMNS.index)
    df["_o"] = df["option_id"].map(_option_order(data))
    return df.sort_values(["_o", "_c"]).drop(columns=["_c", "_o"]).reset_index(drop=True)


def _option_order(data: HepaticData) -> dict[str, int]:
    """option_id -> its place in the book's reading order (page by page)."""
    order = [o for page in OPTION_PAGES.values() for o in page]
    missing = sorted(set(data.options["option_id"]) - set(order))
    if missing:
        raise KeyError(f"options on no page of OPTION_PAGES: {missing}")
    return {o: i for i, o in enumerate(order)}


def cell_text(row) -> str:
    """One cell of the evidence map in words: results and patients (or case-report statements)."""
    if row["column"] == "none":
        return "no result reported"
    if row["column"] == "case report":
        s = "s" if row["statements"] != 1 else ""
        reports = f"{row['case_reports']} case report{'s' if row['case_reports'] != 1 else ''}"
        return f"{row['statements']} statement{s} on harms in {reports} (one patient each)"
    s = "s" if row["results"] != 1 else ""
    if row["patients_printed"] == 0:
        who = "patients not printed"
    elif row["patients_all_printed"]:
        who = f"{row['patients']} patients"
    else:
        who = f"≥ {row['patients']} patients (not printed for every study)"
    studies = f"{row['studies']} stud{'ies' if row['studies'] != 1 else 'y'}"
    return f"{row['results']} result{s}, {studies}, {who}"


def _patients_short(row) -> str:
    """A cell's patients in a few characters: 'n = 298', 'n ≥ 410', 'n not printed', '1 patient'."""
    if row["column"] == "none":
        return ""
    if row["column"] == "case report":
        return "1 patient" if row["case_reports"] == 1 else f"{row['case_reports']} patients"
    if row["patients_printed"] == 0:
        return "n not printed"
    return f"n {'=' if row['patients_all_printed'] else '≥'} {row['patients']}"


def evidence_map_table(data: HepaticData, cells: pd.DataFrame) -> pd.DataFrame:
    """The evidence map as a table of words (the PDF's and a screen reader's form): one
    row per option, one column per design group; an empty cell is "—"."""
    names = data.options.set_index("option_id")["modality"]
    order = _option_order(data)
    table_rows = []
    for option_id in sorted(cells["option_id"].unique(), key=order.get):
        mine = cells[cells["option_id"] == option_id].set_index("column", drop=False)
        row = {"Option": names[option_id]}
        for column in MAP_COLUMNS:
            row[column[0].upper() + column[1:]] = cell_text(mine.loc[column]) if column in mine.index else "—"
        table_rows.append(row)
    return pd.DataFrame(table_rows)


class EvidenceMap:
    """The evidence map as a clickable table: in HTML every option and every filled cell
    links to the option's card, each cell with a dot whose area grows with its results;
    in Markdown (the PDF) the same table in words (:func:`evidence_map_table`)."""

    def __init__(self, data: HepaticData, cells: pd.DataFrame, caption: str, *loaded: pd.DataFrame):
        from netbook.display import provenance

        self.data, self.cells, self.caption = data, cells, caption
        self.words = evidence_map_table(data, cells)
        self.note = provenance(*loaded) if loaded else None

    def _dot(self, count: int, biggest: int) -> str:
        size = 6 + round(22 * (count / biggest) ** 0.5) if count else 0
        return f'<span class="em-dot" aria-hidden="true" style="width:{size}px;height:{size}px"></span>'

    def _repr_html_(self) -> str:
        names = self.data.options.set_index("option_id")["modality"]
        biggest = max(int(self.cells["results"].max()), int(self.cells["statements"].max()), 1)
        head = "".join(f'<th scope="col">{escape(c[0].upper() + c[1:], "html")}</th>' for c in MAP_COLUMNS)
        body = []
        order = _option_order(self.data)
        for option_id in sorted(self.cells["option_id"].unique(), key=order.get):
            mine = self.cells[self.cells["option_id"] == option_id].set_index("column", drop=False)
            href = escape(card_href(option_id), "html")
            name = escape(names[option_id], "html")
            short_name = escape(_short(names[option_id]), "html")
            tds = [f'<th scope="row"><a href="{href}" title="{name}">{short_name}</a></th>']
            for column in MAP_COLUMNS:
                if column not in mine.index:
                    tds.append('<td class="em-empty">—</td>')
                    continue
                row = mine.loc[column]
                words = escape(cell_text(row), "html")
                count = int(row["results"] or row["statements"])
                what = "result" if row["results"] else "statement"
                short = f"{count} {what}{'s' if count != 1 else ''}" if count else "none"
                tds.append(
                    f'<td class="em-cell"><a href="{href}" title="{name}: {words}">'
                    f"{self._dot(count, biggest)}<strong>{escape(short, 'html')}</strong>"
                    f'<span class="em-n" aria-hidden="true">{escape(_patients_short(row), "html")}</span>'
                    f'<span class="visually-hidden">: {words}</span></a></td>'
                )
            body.append("<tr>" + "".join(tds) + "</tr>")
        caption = escape(self.caption, "html")
        out = (
            f'<table class="dataframe netbook-table evidence-map"><caption>{caption}</caption>'
            f'<thead><tr><th scope="col">Option</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        )
        return out + (self.note._repr_html_() if self.note else "")

    def _repr_markdown_(self) -> str:
        return table(self.words, self.caption, *([] if self.note is None else []))._repr_markdown_() + (
            f"\n\n{self.note._repr_markdown_()}" if self.note else ""
        )

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.words.to_string(index=False)}"


def evidence_map_figure(data: HepaticData, cells: pd.DataFrame):
    """The evidence map drawn: options (rows, in reading order) against design groups
    (columns); a dot's area grows with the results (or, for the case report, the
    statements) in the cell, labelled with that count; an open ring marks "none"."""
    from netbook.plotting import PALETTE, new_figure, wrap

    order = _option_order(data)
    option_ids = sorted(cells["option_id"].unique(), key=order.get)
    names = data.options.set_index("option_id")["modality"]
    fig, ax = new_figure(9.5, 1.4 + 0.42 * len(option_ids))
    biggest = max(int(cells["results"].max()), int(cells["statements"].max()), 1)
    colour = {
        "randomised": PALETTE["blue"],
        "non-randomised prospective": PALETTE["bluish green"],
        "retrospective": PALETTE["orange"],
        "other or not stated": PALETTE["grey"],
        "case report": PALETTE["reddish purple"],
    }
    for r in cells.itertuples():
        y = option_ids.index(r.option_id)
        x = MAP_COLUMNS.index(r.column)
        if r.column == "none":
            ax.scatter([x], [y], s=60, facecolors="none", edgecolors="black", linewidths=1)
            continue
        count = int(r.results or r.statements)
        ax.scatter([x], [y], s=40 + 560 * count / biggest, color=colour[r.column], alpha=0.85, linewidths=0)
        ax.annotate(
            str(count),
            (x, y),
            xytext=(0, 0),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if count / biggest > 0.2 else "black",
        )
    ax.set_yticks(range(len(option_ids)), wrap([_short(names[o]) for o in option_ids], 30), fontsize=9)
    ax.set_xticks(range(len(MAP_COLUMNS)), [c.replace(" ", "\n") for c in MAP_COLUMNS], fontsize=9)
    ax.xaxis.tick_top()
    ax.set_xlim(-0.5, len(MAP_COLUMNS) - 0.5)
    ax.set_ylim(len(option_ids) - 0.5, -0.5)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    return fig


def _short(name: str) -> str:
    """An option's name without its parenthesised detail, for a figure's axis."""
    return re.sub(r"\s*\(.*\)$", "", name)


# ------------------------------------------------------------------ the card of one option

#: how many result rows and harm rows a card lists before it says "and N more" (the rest
#: are in the full evidence folded under it): a card fits one 1280 x 900 screen
CARD_RESULTS = 6
CARD_HARMS = 4


def _reading_view(source_id: str, quote) -> str | None:
    """The link, in the reading view, to the sentence where ``quote`` begins (None if none)."""
    from netbook import coverage
    from netbook.display import READING_VIEW

    if is_missing(quote):
        return None
    anchor = coverage.anchor_for_quote(source_id, str(quote))
    return f"{READING_VIEW}#{anchor}" if anchor else None


def reference_links(data: HepaticData, references, refs: pd.DataFrame | None) -> list[tuple[str, str | None]]:
    """A study's references as (label, link to the entry in the reading view of the review's
    reference list, or None): "[85]" -> the sentence of entry 85."""
    from netbook.references import expand_citations

    out = []
    for mark in [m for m in (references or []) if m]:
        numbers = expand_citations(mark) if refs is not None else []
        href = None
        if refs is not None and len(numbers) >= 1:
            entry = refs.set_index("number").loc[numbers[0]] if numbers[0] in set(refs["number"]) else None
            if entry is not None:
                href = _reading_view(entry["source_id"], entry["quote"])
        out.append((f"[{mark}]", href))
    return out


def _a(text: str, href: str | None, title: str = "") -> str:
    t = f' title="{escape(title, "html")}"' if title else ""
    return f'<a href="{escape(href, "html")}"{t}>{escape(text, "html")}</a>' if href else escape(text, "html")


def limitation_words(data: HepaticData, result_id, other_id=None) -> str:
    """The kinds of limitation recorded for a result and its counterpart, in words ('design;
    sample size'), in :data:`LIMITATION_ORDER` (the judgements in full are in the fold)."""
    if data.certainty is None:
        return ""
    c = data.certainty
    kinds = set()
    for rid in (result_id, other_id):
        if not isinstance(rid, str):
            continue
        study = data.outcomes.set_index("result_id").loc[rid, "study"]
        rows = c[(c["study"] == study) & c["result_ids"].map(lambda ids, r=rid: not ids or r in ids)]
        kinds |= set(rows["limitation"]) & set(LIMITATION_ORDER)
    return "; ".join(k for k in LIMITATION_ORDER if k in kinds) or "none recorded"


def card_results(data: HepaticData, option_id: str) -> pd.DataFrame:
    """The card's results: one row per result of the option, strongest design first, with
    its design, patients, what limits confidence in a few words, and its links."""
    mine = option_rows(data.comparisons(), option_id)
    chars = data.characteristics.set_index("study")
    by_result = data.outcomes.set_index("result_id")
    found = data.outcome_flags()
    rows = []
    for r in mine.itertuples():
        design = chars.loc[r.study, "design"]
        value = flagging.mark(r.treatment, found.get(r.result_id, []))
        if r.comparator not in ("no comparator", NOT_STATED) or r.randomised:
            value += f" vs {flagging.mark(r.comparator, found.get(r.other_id, []))}"
        if not is_missing(r.difference):
            value += f" (difference {r.difference_text})"
        rows.append(
            {
                "result_id": r.result_id,
                "study": r.study,
                "design": design,
                "_rank": data.design_rank(design),
                "outcome": r.outcome,
                "result": value,
                "p": r.p,
                "patients": r.patients,
                "limits": limitation_words(data, r.result_id, r.other_id),
                "passage": _reading_view(
                    by_result.loc[r.result_id, "source_id"], by_result.loc[r.result_id, "quote"]
                ),
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "result_id",
            "study",
            "design",
            "_rank",
            "outcome",
            "result",
            "p",
            "patients",
            "limits",
            "passage",
        ],
    )
    return df.sort_values(
        ["_rank", "study", "outcome"], key=lambda s: s.str.casefold() if s.dtype == object else s
    )


def across_sources_links(option_id: str, statements: pd.DataFrame | None, case_options: pd.DataFrame | None):
    """(label, link) to the across-sources page's sections about this option: the
    interferon statements, the options the case report ruled out."""
    links = []
    if statements is not None and option_id == "ifn_alpha" and not statements.empty:
        links.append(
            (
                "what all four sources state about interferon-α",
                f"{ACROSS_SOURCES}#interferon-in-four-sources",
            )
        )
    if case_options is not None and option_id in set(case_options["management_option"].dropna()):
        links.append(
            (
                "the case report's reasons for not choosing it",
                f"{ACROSS_SOURCES_CRITERIA}#beside-the-case-report-s-reasons",
            )
        )
    return links


class OptionCard:
    """One option in one screen: for whom, its results (design, patients, what limits
    confidence, each linked to its study's reference and its passage in the source), its
    harms, and links on; the full evidence (:func:`option_parts`) folded under it."""

    def __init__(self, data: HepaticData, option_id: str, refs=None, links=()):
        self.data, self.option_id, self.refs, self.links = data, option_id, refs, list(links)
        self.name = data.options.set_index("option_id").loc[option_id, "modality"]
        self.results = card_results(data, option_id)
        h = data.harms
        self.harms = h[h["option_id"] == option_id]
        # the full evidence folded under the card: the studies, results, harms and
        # conclusions (its first part, for whom, is the card's own first part)
        self.parts = option_parts(data, option_id)[1:]

    # the parts in words
    def _for_whom(self) -> list[str]:
        crit = criteria_for(self.data, self.option_id)
        c = self.data.conclusions
        said = c[(c["option_id"] == self.option_id) & (c["topic"] == "selection")]
        items = [f"“{s}”" for s in said["statement"]]
        for cs, part in crit.groupby("criteria_set", sort=True):
            strengths = ", ".join(sorted({STRENGTH_WORDS[s] for s in part["strength"]}))
            texts = "; ".join(f"“{t}”" for t in dict.fromkeys(part["criterion_text"]))
            items.append(f"{CRITERIA_SET_NAMES[cs]} ({strengths}): {texts}")
        return items

    def _harm_items(self) -> list[str]:
        names = source_names(self.data.sources)
        found = self.data.harm_flags()
        numeric = self.harms[self.harms["value"].notna() | self.harms["value_low"].notna()]
        ordered = pd.concat([numeric, self.harms.drop(numeric.index)])
        return [
            f"{r['harm']}: {flagging.mark(how_often(r), found.get(r['harm_id'], []))} "
            f"({r['evidence']}; {names[r['source_id']]})"
            for r in ordered.astype(object).where(ordered.notna(), None).to_dict("records")
        ]

    def _more(self, total: int, shown: int, what: str) -> str:
        """'and 3 more results in the full evidence below' ('what': a plural ending in s)."""
        more = total - shown
        return (
            f"and {more} more {what if more != 1 else what[:-1]} in the full evidence below"
            if more > 0
            else ""
        )

    def _repr_html_(self) -> str:
        e = lambda t: escape(t, "html")  # noqa: E731
        anchor = card_anchor(self.option_id)
        out = [f'<section class="option-card" id="{anchor}" aria-label="{e(self.name)}: summary">']
        whom = self._for_whom()
        if whom:
            out.append('<p class="oc-head">For whom (the review’s words)</p><ul class="oc-whom">')
            out += [f"<li>{e(w)}</li>" for w in whom]
            out.append("</ul>")
        else:
            out.append(
                '<p class="oc-head">For whom: <span class="oc-none">the review states no selection criteria for this option.</span></p>'
            )
        if self.results.empty:
            out.append(
                '<p class="oc-head">Results: <span class="oc-none">the review reports no result for this option.</span></p>'
            )
        else:
            chars = self.data.characteristics.set_index("study")
            out.append(
                '<table class="oc-results"><thead><tr><th scope="col">Study (design; patients)</th>'
                '<th scope="col">Outcome: result as printed (P where printed)</th>'
                '<th scope="col">What limits confidence</th></tr></thead><tbody>'
            )
            shown = self.results.head(CARD_RESULTS)
            span = shown.groupby("study", sort=False).size()
            seen = set()
            for r in shown.itertuples():
                study_cell = ""
                if r.study not in seen:  # one cell per study, over its rows
                    seen.add(r.study)
                    refs = reference_links(self.data, chars.loc[r.study, "references"], self.refs)
                    ref_html = " ".join(
                        _a(label, href, "the reference in the review's list") for label, href in refs
                    )
                    n = chars.loc[r.study, "n"]
                    who = "patients not stated" if is_missing(n) else f"{int(n)} patients"
                    study_cell = (
                        f'<th scope="rowgroup" rowspan="{span[r.study]}">{e(r.study)} {ref_html}'
                        f'<br><span class="oc-design">{e(r.design)}; {e(who)}</span></th>'
                    )
                passage = _a("passage", r.passage, "the sentence in the source text") if r.passage else ""
                p = f"; {r.p}" if r.p != NOT_STATED else ""
                if not (
                    r.patients == NOT_STATED
                    or r.patients.startswith(NOT_STATED)
                    or r.patients.endswith("(whole study)")
                ):
                    p += f"; n = {r.patients}"  # this result's own patients (an arm, a subgroup)
                out.append(
                    f"<tr>{study_cell}<td>{e(r.outcome)}: {e(r.result)}{e(p)} "
                    f'<span class="oc-link">({passage})</span></td><td>{e(r.limits)}</td></tr>'
                )
            out.append("</tbody></table>")
            more = self._more(len(self.results), CARD_RESULTS, "results")
            if more:
                out.append(f'<p class="oc-more">{e(more)}</p>')
        harms = self._harm_items()
        if harms:
            out.append('<p class="oc-head">Harms stated by the sources</p><ul class="oc-harms">')
            out += [f"<li>{e(h)}</li>" for h in harms[:CARD_HARMS]]
            out.append("</ul>")
            more = self._more(len(harms), CARD_HARMS, "harms")
            if more:
                out.append(f'<p class="oc-more">{e(more)}</p>')
        else:
            out.append(
                '<p class="oc-head">Harms: <span class="oc-none">none of the four sources states a harm for this option.</span></p>'
            )
        links = [("the evidence map", "hepatic_metastases.html#evidence-map"), *self.links]
        out.append('<p class="oc-links">See also: ' + " · ".join(_a(t, h) for t, h in links) + "</p>")
        out.append("</section>")
        out.append(
            f'<details class="option-evidence"><summary>Full evidence for {e(self.name)}: the studies, '
            "every result per arm with its footnotes, the harms and the review’s conclusions</summary>"
            + "".join(_part_html(p) for p in self.parts)
            + "</details>"
        )
        return "".join(out)

    def _repr_markdown_(self) -> str:
        m = lambda t: escape(t, "markdown")  # noqa: E731
        lines = [f"**{m(self.name)}: summary**", ""]
        whom = self._for_whom()
        lines += (
            ["*For whom (the review’s words):*", ""] + [f"- {m(w)}" for w in whom]
            if whom
            else ["*For whom:* the review states no selection criteria for this option."]
        )
        lines.append("")
        if self.results.empty:
            lines.append("*Results:* the review reports no result for this option.")
        else:
            lines += ["*Results (strongest design first):*", ""]
            for r in self.results.head(CARD_RESULTS).itertuples():
                lines.append(
                    f"- {m(r.study)} (design: {m(r.design)}; patients: {m(r.patients)}): {m(r.outcome)}: {m(r.result)}"
                    + (f"; {m(r.p)}" if r.p != NOT_STATED else "")
                    + f"; what limits confidence: {m(r.limits)}"
                )
            more = self._more(len(self.results), CARD_RESULTS, "results")
            if more:
                lines.append(f"- {m(more.replace('below', 'that follows'))}")
        lines.append("")
        harms = self._harm_items()
        if harms:
            lines += ["*Harms stated by the sources:*", ""] + [f"- {m(h)}" for h in harms[:CARD_HARMS]]
            more = self._more(len(harms), CARD_HARMS, "harms")
            if more:
                lines.append(f"- {m(more.replace('below', 'that follows'))}")
        else:
            lines.append("*Harms:* none of the four sources states a harm for this option.")
        return "\n".join(lines) + "\n\n" + "\n\n".join(_part_markdown(p) for p in self.parts)

    def __repr__(self) -> str:
        return f"{self.name}: {len(self.results)} results, {len(self.harms)} harms"


def _part_html(part) -> str:
    if hasattr(part, "_repr_html_"):
        return part._repr_html_()
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(part.data)


def _part_markdown(part) -> str:
    return (
        part._repr_markdown_()
        if hasattr(part, "_repr_markdown_") and not hasattr(part, "data")
        else part.data
    )


def option_card(
    data: HepaticData, option_id: str, refs=None, statements=None, case_options=None
) -> OptionCard:
    """The card of one option, ready to display (see :class:`OptionCard`)."""
    return OptionCard(data, option_id, refs, across_sources_links(option_id, statements, case_options))


def page_facts(data: HepaticData, page: str) -> dict[str, object]:
    """The numbers and names of one option page's key points, from its options' rows:
    ``n_options`` and ``options`` (their names), ``n_results`` (as in the options at a
    glance), ``n_studies``, ``n_rand`` (randomised studies among them), ``strongest``
    (each option with its strongest design), ``n_harms``, ``n_harms_numeric``."""
    option_ids = OPTION_PAGES[page]
    names = data.options.set_index("option_id")["modality"]
    comp = data.comparisons()
    mine = pd.concat([option_rows(comp, o) for o in option_ids]).drop_duplicates("result_id")
    studies = sorted(set(mine["study"]))
    design = data.characteristics.set_index("study")["design"]
    h = data.harms[data.harms["option_id"].isin(option_ids)]
    return {
        "n_options": len(option_ids),
        "options": "; ".join(_short(names[o]) for o in option_ids),
        "n_results": len(mine),
        "n_studies": len(studies),
        "n_rand": sum(str(design[s]).startswith("randomised") for s in studies),
        "strongest": "; ".join(f"{_short(names[o])}: {strongest_design(data, o)}" for o in option_ids),
        "n_harms": len(h),
        "n_harms_numeric": int((h["value"].notna() | h["value_low"].notna()).sum()),
    }


class OptionLinks:
    """'The cards of these options: A · B · C', each a link to its card (HTML), names only in Markdown."""

    def __init__(self, data: HepaticData, option_ids):
        order = _option_order(data)
        self.names = data.options.set_index("option_id")["modality"]
        self.option_ids = sorted(set(option_ids), key=order.get)

    def _repr_html_(self) -> str:
        links = " · ".join(_a(_short(self.names[o]), card_href(o)) for o in self.option_ids)
        return f'<p class="option-links">The cards of these options: {links}</p>'

    def _repr_markdown_(self) -> str:
        return "The cards of these options: " + escape(
            "; ".join(_short(self.names[o]) for o in self.option_ids), "markdown"
        )

    def __repr__(self) -> str:
        return self._repr_markdown_()


def option_links(data: HepaticData, option_ids) -> OptionLinks:
    """Links to the cards of the options a cross-option table or figure shows."""
    return OptionLinks(data, [o for o in option_ids if isinstance(o, str)])
