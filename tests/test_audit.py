"""The consistency audit: its arithmetic, its table, and that it notices a changed value."""

from __future__ import annotations

import pandas as pd
import pytest

from netbook import audit, load_table, numbers


@pytest.fixture(scope="module")
def checks() -> pd.DataFrame:
    return load_table("printed_arithmetic")


@pytest.mark.parametrize(
    "text, value, decimals, percent",
    [
        ("64%", 64, 0, True),
        ("17.8%", 17.8, 1, True),
        ("29,924", 29924, 0, False),
        ("Seventeen", 17, 0, False),
        ("4 months", 4, 0, False),
        ("one", 1, 0, False),
        ("thirty", 30, 0, False),
        ("Twenty-one patients", 21, 0, False),
        ("1,234.5 %", 1234.5, 1, True),
    ],
)
def test_parse_number(text, value, decimals, percent):
    p = audit.parse_number(text)
    assert (p.value, p.decimals, p.percent) == (value, decimals, percent)


def test_parse_month():
    assert audit.parse_month("05/2017") == (2017, 5)
    assert audit.parse_month("December 2019") == (2019, 12)
    with pytest.raises(audit.AuditError):
        audit.parse_month("2019")


def test_grim_counts():
    pct = audit.parse_number
    assert audit.possible_counts(pct("64%"), 29) == []  # 18/29 = 62.1, 19/29 = 65.5
    assert audit.possible_counts(pct("17.8%"), 45) == [8]  # 17.78
    assert audit.possible_counts(pct("83%"), 51) == []  # 82.4, 84.3
    assert audit.possible_counts(pct("50%"), 4) == [2]
    assert audit.possible_counts(pct("12.5%"), 8) == [1]  # a half stays a half
    assert audit.possible_ns(1, pct("1%"), 300) == set(range(67, 201))


def _row(**fields) -> pd.Series:
    base = {
        "check_id": "x",
        "kind": "",
        "group": None,
        "statement": "",
        "operands": [],
        "denominator": None,
        "denominator_basis": None,
        "printed": "",
        "source_id": "s",
    }
    return pd.Series({**base, **fields})


def test_each_kind_agrees_and_disagrees():
    def run(**fields):
        if fields["kind"] in audit.DIVIDING:
            fields = {"denominator_basis": audit.STATED_BASES[0], **fields}
        return audit.run(pd.DataFrame([_row(**fields)])).iloc[0]

    assert not run(kind="rate of n", operands=["one", "17"], denominator="28", printed="64%")["flagged"]
    assert run(kind="rate of n", operands=["one", "17"], denominator="29", printed="64%")["flagged"]
    assert not run(kind="parts and total", operands=["12", "3", "one", "one"], printed="Seventeen")["flagged"]
    assert run(kind="parts and total", operands=["12", "3", "one"], printed="Seventeen")["flagged"]
    assert not run(kind="parts and total", operands=["27%", "62%"], printed="90%")["flagged"]  # rounding
    assert run(kind="parts and total", operands=["27%", "62%"], printed="91%")["flagged"]
    assert not run(kind="overall within subgroups", operands=["58%", "25%"], printed="44%")["flagged"]
    assert run(kind="overall within subgroups", operands=["58%", "25%"], printed="60%")["flagged"]
    assert not run(kind="months between dates", operands=["12/2016", "05/2017"], printed="4 months")[
        "flagged"
    ]
    assert run(kind="months between dates", operands=["05/2017", "11/2017"], printed="4 months")["flagged"]
    assert not run(
        kind="arms of a total", operands=["66.7%", "37.2%"], denominator="85", printed="66.7%; 37.2%"
    )["flagged"]
    assert run(kind="arms of a total", operands=["66.7%", "37.4%"], denominator="85", printed="66.7%; 37.4%")[
        "flagged"
    ]


def test_a_flag_needs_a_stated_denominator():
    """An arm's size is not a percentage's denominator unless the source says so: 83% of
    51 is impossible, but the review prints no denominator for TAE's symptom control."""
    tae = dict(kind="percentage of n", denominator="51", printed="83%")
    for basis in audit.STATED_BASES:
        assert audit.run(pd.DataFrame([_row(**tae, denominator_basis=basis)])).iloc[0]["flagged"]
    unstated = audit.run(pd.DataFrame([_row(**tae, denominator_basis="not printed")])).iloc[0]
    assert not unstated["flagged"]
    assert unstated["result"] == "not checkable: the source prints no denominator for it"
    assert unstated["recomputed"].startswith("were it of all 51: nearest: 42/51 = 82.4%")
    rate = dict(kind="rate of n", operands=["one", "17"], denominator="29", printed="64%")
    assert not audit.run(pd.DataFrame([_row(**rate, denominator_basis="not printed")]))["flagged"].any()
    with pytest.raises(audit.AuditError, match="denominator_basis"):
        audit.run(pd.DataFrame([_row(**tae)]))  # a dividing check must say how n is known
    with pytest.raises(audit.AuditError, match="denominator_basis"):
        audit.run(
            pd.DataFrame(
                [
                    _row(
                        kind="parts and total",
                        operands=["1", "2"],
                        printed="3",
                        denominator_basis="not printed",
                    )
                ]
            )
        )


def test_the_review_states_no_denominator_for_symptom_control(checks):
    results = audit.run(checks).set_index("check_id")
    for arm in ("tace", "tae"):
        row = checks.set_index("check_id").loc[f"lasalvia-pitt-{arm}-symptoms"]
        assert row["denominator_basis"] == "not printed"
        assert not results.loc[f"lasalvia-pitt-{arm}-symptoms", "flagged"]
    assert results.loc["lasalvia-pasireotide-dcr-grim", "flagged"]  # its n is the study's 29 patients


def test_counts_and_percentages_share_an_n_within_a_group():
    rows = pd.DataFrame(
        [
            _row(check_id="a", kind="counts and percentages", group="arm", operands=["165"], printed="81%"),
            _row(check_id="b", kind="counts and percentages", group="arm", operands=["four"], printed="2%"),
        ]
    )
    assert not audit.run(rows)["flagged"].any()
    rows.loc[1, "printed"] = "3%"  # 4/n = 3% needs n near 133; 165 (81%) needs n of 203 or 204
    assert audit.run(rows)["flagged"].all()


def test_the_table_validates(checks):
    """The operands, printed values and operand quotes are checked by the loader (declared
    in the schema; tests/test_data.py feeds it bad rows)."""
    assert set(checks["kind"]) <= set(audit.KINDS)


def _perturbed(text: str) -> list[str]:
    """Printed values near ``text``: other whole values, one more decimal, other words."""
    p = audit.parse_number(text)
    if text.strip().split()[0].casefold() in numbers.CARDINALS:
        return [w.capitalize() for w, v in numbers.CARDINALS.items() if 0 < abs(v - p.value) <= 3]
    suffix = text[len(text.rstrip("%" + " monthsa")) :] if not p.percent else "%"
    candidates = []
    for step in (1, -1, 2, -2, 3, -3, 5, -5, 20, -25):
        value = p.value + step * 10**-p.decimals
        if value >= 0:
            candidates.append(f"{value:.{p.decimals}f}{suffix}")
    candidates += [f"{p.value + d:.{p.decimals + 1}f}{suffix}" for d in (0.3, -0.3, 0.2, -0.2)]
    return candidates


def test_every_check_notices_a_changed_printed_value(checks):
    """Mutation test: a printed value changed so that it no longer matches its
    recomputation is flagged (and a flagged value changed to a consistent one is not)."""
    baseline = audit.run(checks).set_index("check_id")["flagged"]
    insensitive = []
    for index, row in checks.iterrows():
        if row["kind"] == "arms of a total":
            continue  # printed holds two values; covered by test_each_kind_agrees_and_disagrees
        if str(row["denominator_basis"]) == audit.NOT_PRINTED:
            continue  # never flagged: covered by test_a_flag_needs_a_stated_denominator
        flipped = False
        for candidate in _perturbed(row["printed"]):
            mutated = checks.copy()
            mutated.at[index, "printed"] = candidate
            after = audit.run(mutated).set_index("check_id")["flagged"]
            if after[row["check_id"]] != baseline[row["check_id"]]:
                flipped = True
                break
        if not flipped:
            insensitive.append(row["check_id"])
    assert not insensitive, f"no nearby printed value changes the result of: {insensitive}"


def test_a_changed_value_in_the_csv_fails_the_data_checks(tmp_path):
    """The other half of the mutation test: the printed value cannot be changed in the CSV
    alone, because the loader finds it missing from the quote."""
    import shutil

    from netbook import TableError, paths

    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    csv_path = copy / "tables" / "printed_arithmetic.csv"
    text = csv_path.read_text(encoding="utf-8")
    stated = ",29,the study's patients (all assessed for the endpoint),"
    assert stated + "64%," in text
    csv_path.write_text(text.replace(stated + "64%,", stated + "62%,", 1), encoding="utf-8")
    with pytest.raises(TableError) as excinfo:
        load_table("printed_arithmetic", copy / "datapackage.json")
    assert any(p.rule == "number-in-quote" and p.column == "printed" for p in excinfo.value.problems)


def test_summary(checks):
    results = audit.run(checks)
    numbers = audit.summary(results)
    assert numbers["checks"] == len(checks) and 0 < numbers["flagged"] < numbers["checks"]
    assert numbers["sources"] == results["source_id"].nunique()
