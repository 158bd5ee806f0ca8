"""A consistency audit of printed numbers, in the spirit of statcheck and the GRIM test.

statcheck recomputes reported statistics from the numbers reported beside them; the
GRIM test (Brown & Heathers 2017) asks whether a mean or a percentage can arise at all
from a whole number of cases out of the printed n. Here each checkable statement of a
source is a row of the hand-made table ``printed_arithmetic`` (values as printed, with
their quote), and :func:`run` recomputes it. Nothing is corrected: a disagreement is
flagged and shown beside the printed value.

Kinds of check (column ``kind``):

``rate of n``
    operands (summed) over ``denominator`` as a percentage, against the printed one.
``percentage of n``
    GRIM: is there a whole count k of the printed n whose percentage rounds to the
    printed one (to the printed number of decimals)?
``arms of a total``
    GRIM for two or more arms whose sizes are not printed but their total is: is there
    a split of the total into arms such that every printed percentage is possible?
``counts and percentages``
    a count printed with its percentage, n not printed: the n that make the pair
    possible; rows sharing a ``group`` (one arm of a trial) must share one n.
``parts and total``
    the operands add up to the printed total (exactly for counts; for percentages,
    within the rounding of every printed part and of the total).
``overall within subgroups``
    an overall rate lies between the lowest and highest of its subgroups' rates
    (a weighted average cannot leave that range).
``months between dates``
    the months from the first to the second printed date, against a printed interval;
    dates printed to the month leave one month either way.

A check needs a stated denominator. For the kinds that divide by a printed n ("rate of
n", "percentage of n", "arms of a total") each row says in ``denominator_basis`` how the
source ties that n to the percentage (:data:`DENOMINATOR_BASES`). When the source prints no
denominator for it ("not printed": symptom control, say, concerns only the patients with
symptoms, whose number is not printed), the recomputation is still shown, as what the
figure would need were it of the whole n, but the check is never flagged: an arm's size is
not a percentage's denominator unless the source says so.

"Within rounding": a value printed with d decimals stands for anything that rounds to
it, so a recomputed value agrees when it is within half a unit of the last printed
digit. For percentages, half up and half to even are both accepted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from netbook import dates, numbers

KINDS = (
    "rate of n",
    "percentage of n",
    "arms of a total",
    "counts and percentages",
    "parts and total",
    "overall within subgroups",
    "months between dates",
)

#: How a check's printed n is tied to its percentage (column ``denominator_basis``).
STATED_BASES = (
    "printed as the base of the percentage",
    "the study's patients (all assessed for the endpoint)",
)
NOT_PRINTED = "not printed"
DENOMINATOR_BASES = (*STATED_BASES, NOT_PRINTED)
#: The kinds that divide by a printed n and so need a ``denominator_basis``.
DIVIDING = ("rate of n", "percentage of n", "arms of a total")

MAX_N = 5000  # the largest n searched for "counts and percentages"


class AuditError(ValueError):
    """A row of printed_arithmetic cannot be read (names the row and column)."""


@dataclass(frozen=True)
class Printed:
    """A number as printed: its value, its decimals, whether it is a percentage."""

    text: str
    value: float
    decimals: int
    percent: bool

    @property
    def half_unit(self) -> float:
        return 0.5 * 10**-self.decimals


def parse_number(text: str) -> Printed:
    """'64%', '17.8%', '29,924', 'Seventeen', 'thirty', '4 months' -> Printed: the number
    the text starts with (read by :mod:`netbook.numbers`) and the "%" right after it."""
    raw = text.strip()
    number = numbers.number_at_start(raw)
    if number is None or number.value is None:
        raise AuditError(f"not a printed number: {text!r}")
    percent = raw[number.end :].lstrip().startswith("%")
    return Printed(raw, number.value, number.decimals, percent)


def parse_month(text: str) -> tuple[int, int]:
    """'05/2017' or 'December 2019' -> (2017, 5) / (2019, 12)."""
    try:
        return numbers.parse_month(text)
    except ValueError as err:
        raise AuditError(str(err)) from None


def rounds_to(value: float, printed: Printed) -> bool:
    """Does ``value`` round to the printed number (half up or half to even)?"""
    return abs(value - printed.value) <= printed.half_unit + 1e-9


def possible_counts(printed_pct: Printed, n: int) -> list[int]:
    """GRIM: the whole counts k of n whose percentage rounds to the printed one."""
    return [k for k in range(n + 1) if rounds_to(100 * k / n, printed_pct)]


def possible_ns(count: int, printed_pct: Printed, max_n: int = MAX_N) -> set[int]:
    """The n for which count/n rounds to the printed percentage."""
    return {n for n in range(max(count, 1), max_n + 1) if rounds_to(100 * count / n, printed_pct)}


def _fmt(x: float, decimals: int = 1) -> str:
    text = f"{x:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _set_text(values: set[int], limit: int = 6) -> str:
    ordered = sorted(values)
    if len(ordered) <= limit:
        return "{" + ", ".join(map(str, ordered)) + "}"
    return f"{ordered[0]} to {ordered[-1]} ({len(ordered)} values)"


@dataclass
class Result:
    recomputed: str
    result: str
    flagged: bool


def _rate(row) -> Result:
    parts = [parse_number(t) for t in row["operands"]]
    n = parse_number(row["denominator"])
    printed = parse_number(row["printed"])
    rate = 100 * sum(p.value for p in parts) / n.value
    text = f"{' + '.join(p.text for p in parts)} of {n.text} = {_fmt(rate, printed.decimals + 1)}%"
    if rounds_to(rate, printed):
        return Result(text, "agrees within rounding", False)
    return Result(text, "disagrees beyond rounding", True)


def _grim(row) -> Result:
    n = int(parse_number(row["denominator"]).value)
    printed = parse_number(row["printed"])
    counts = possible_counts(printed, n)
    if counts:
        shown = ", ".join(f"{k}/{n} = {_fmt(100 * k / n, printed.decimals + 1)}%" for k in counts[:3])
        return Result(shown, "possible", False)
    below = max((k for k in range(n + 1) if 100 * k / n < printed.value), default=0)
    near = [k for k in (below, below + 1) if k <= n]
    shown = ", ".join(f"{k}/{n} = {_fmt(100 * k / n, printed.decimals + 1)}%" for k in near)
    return Result(f"nearest: {shown}", "no whole count of n gives it (GRIM)", True)


def _arms(row) -> Result:
    total = int(parse_number(row["denominator"]).value)
    pcts = [parse_number(t) for t in row["operands"]]
    if len(pcts) != 2:
        raise AuditError("'arms of a total' handles two arms")
    splits = [
        (a, total - a)
        for a in range(1, total)
        if possible_counts(pcts[0], a) and possible_counts(pcts[1], total - a)
    ]
    if splits:
        shown = "; ".join(f"{a} + {b}" for a, b in splits[:4]) + (" ..." if len(splits) > 4 else "")
        return Result(f"arm sizes that allow both: {shown}", "possible", False)
    return Result("no split of the total allows both", "no whole counts give them (GRIM)", True)


def _parts(row) -> Result:
    parts = [parse_number(t) for t in row["operands"]]
    total = parse_number(row["printed"])
    value = sum(p.value for p in parts)
    text = f"{' + '.join(p.text for p in parts)} = {_fmt(value, max(p.decimals for p in parts))}"
    if total.percent or any(p.percent for p in parts):
        tolerance = sum(p.half_unit for p in parts) + total.half_unit
        ok = abs(value - total.value) <= tolerance + 1e-9
        return Result(
            text + "%" * (not text.endswith("%")),
            "agrees within rounding" if ok else "disagrees beyond rounding",
            not ok,
        )
    ok = math.isclose(value, total.value)
    return Result(text, "agrees" if ok else "disagrees", not ok)


def _within(row) -> Result:
    parts = [parse_number(t) for t in row["operands"]]
    overall = parse_number(row["printed"])
    low, high = min(p.value for p in parts), max(p.value for p in parts)
    half = max(p.half_unit for p in parts) + overall.half_unit
    ok = low - half <= overall.value <= high + half
    text = f"subgroups {_fmt(low)}% to {_fmt(high)}%"
    return Result(text, "within the subgroups' range" if ok else "outside the subgroups' range", not ok)


def _months(row) -> Result:
    start, end = (
        pd.Period(year=year, month=month, freq="M") for year, month in map(parse_month, row["operands"])
    )
    printed = parse_number(row["printed"])
    months = dates.months_between(start, end)
    text = f"{row['operands'][0]} to {row['operands'][1]}: {months} months"
    if months == printed.value:
        return Result(text, "agrees", False)
    if abs(months - printed.value) <= 1:
        return Result(text, "agrees within month precision", False)
    return Result(text, "disagrees beyond month precision", True)


def _counts_and_percentages(df: pd.DataFrame) -> dict[str, Result]:
    out = {}
    for _group, rows in df.groupby("group", sort=True):
        sets = {}
        for _, row in rows.iterrows():
            count = int(parse_number(row["operands"][0]).value)
            sets[row["check_id"]] = possible_ns(count, parse_number(row["printed"]))
        common = set.intersection(*sets.values())
        for check_id, ns in sets.items():
            text = f"n in {_set_text(ns)}; common to the group: {_set_text(common) if common else 'none'}"
            out[check_id] = (
                Result(text, "possible with a common n", False)
                if common
                else Result(text, "no common n for the group", True)
            )
    return out


CHECKS = {
    "rate of n": _rate,
    "percentage of n": _grim,
    "arms of a total": _arms,
    "parts and total": _parts,
    "overall within subgroups": _within,
    "months between dates": _months,
}


def _needs_a_stated_denominator(row, res: Result) -> Result:
    """A check dividing by n flags only when the source states n as the denominator."""
    basis = row.get("denominator_basis")
    basis = basis if isinstance(basis, str) and basis.strip() else None
    if row["kind"] not in DIVIDING:
        if basis is not None:
            raise AuditError(f"column 'denominator_basis': only {', '.join(DIVIDING)} divide by a printed n")
        return res
    if basis is None:
        raise AuditError(
            "column 'denominator_basis': a check that divides by a printed n must say how the source "
            f"ties n to the percentage ({'; '.join(DENOMINATOR_BASES)})"
        )
    if basis not in DENOMINATOR_BASES:
        raise AuditError(f"column 'denominator_basis': {basis!r} is not one of {DENOMINATOR_BASES}")
    if basis == NOT_PRINTED:
        return Result(
            f"were it of all {row['denominator']}: {res.recomputed}",
            "not checkable: the source prints no denominator for it",
            False,
        )
    return res


def run(checks: pd.DataFrame) -> pd.DataFrame:
    """Recompute every check of ``printed_arithmetic``; one row per check, sorted by id.

    Columns: check_id, source_id, kind, statement, printed, recomputed, result, flagged.
    """
    grouped = _counts_and_percentages(checks[checks["kind"] == "counts and percentages"])
    records = []
    for index, row in checks.iterrows():
        kind = row["kind"]
        try:
            res = grouped[row["check_id"]] if kind == "counts and percentages" else CHECKS[kind](row)
            res = _needs_a_stated_denominator(row, res)
        except (AuditError, KeyError, ValueError) as exc:
            raise AuditError(
                f"printed_arithmetic.csv, row {index + 2}, check {row['check_id']!r}: {exc}"
            ) from exc
        records.append(
            {
                "check_id": row["check_id"],
                "source_id": row["source_id"],
                "kind": kind,
                "statement": row["statement"],
                "printed": row["printed"],
                "recomputed": res.recomputed,
                "result": res.result,
                "flagged": res.flagged,
            }
        )
    columns = ["check_id", "source_id", "kind", "statement", "printed", "recomputed", "result", "flagged"]
    return pd.DataFrame.from_records(records, columns=columns).sort_values("check_id").reset_index(drop=True)


def summary(results: pd.DataFrame) -> dict[str, int]:
    """Numbers for a chapter's prose: ``checks``, ``flagged``, ``sources``. Glue them
    with literal names (the chapter tests look for ``glue("name", ...)`` calls)::

        numbers = audit.summary(audit.run(load_table("printed_arithmetic")))
        glue("audit_checks", numbers["checks"], display=False)
        glue("audit_flagged", numbers["flagged"], display=False)
    """
    out = {
        "checks": len(results),
        "flagged": int(results["flagged"].sum()),
        "sources": int(results["source_id"].nunique()),
    }
    return out
