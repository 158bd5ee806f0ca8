"""The matching rules behind the provenance checks."""

import pytest

from netbook import provenance


def test_whitespace_is_the_only_normalisation(tmp_path):
    source = tmp_path / "s.txt"
    source.write_text("pegylated IFN α 2a (135 μ g/wk) was\ninitiated.", encoding="utf-8")
    assert provenance.quote_in_text("(135 μ g/wk) was initiated.", source)
    assert provenance.quote_in_text("(135   μ g/wk)   was\n\tinitiated.", source)
    assert not provenance.quote_in_text("(135 μg/wk) was initiated.", source)  # a space is text too
    assert not provenance.quote_in_text("(135 µ g/wk) was initiated.", source)  # micro sign ≠ mu


@pytest.mark.parametrize(
    "value, quote",
    [
        ("29924", "29,924 µg/L"),
        ("10.5", "a load of 10.5%"),
        ("1.5", "1,5 cm"),
        ("2", "Ki-67 of 2%"),
        ("135; 28", "135 µg every 28 days"),
    ],
)
def test_numbers_found(value, quote):
    assert provenance.missing_numbers(value, quote) == []


@pytest.mark.parametrize(
    "value, quote, missing",
    [
        ("29942", "29,924 µg/L", ["29942"]),
        ("10.5", "a load of 10%", ["10.5"]),
        ("3; 28", "every 28 days", ["3"]),
        ("1924", "29,924", ["1924"]),  # a number is matched whole, not as a substring
    ],
)
def test_numbers_missing(value, quote, missing):
    assert provenance.missing_numbers(value, quote) == missing


def test_units_fold_micro_sign_and_spacing():
    assert provenance.unit_in_quote("µg/wk", "135 μ g/wk")
    assert provenance.unit_in_quote("mg/24 h", "10,915 mg/24 h")
    assert not provenance.unit_in_quote("µg/L", "29,924mg/L")


@pytest.mark.parametrize("quote", ["08/2016", "8/2016", "August 2016", "Aug 2016", "in 2016-08"])
def test_yearmonth_forms(quote):
    assert provenance.yearmonth_in_quote(2016, 8, quote)


def test_yearmonth_other_month():
    assert not provenance.yearmonth_in_quote(2016, 8, "09/2016 and 08/2017")


def test_normalise_whitespace_collapses_every_run():
    assert provenance.normalise_whitespace("  a\n\tb  c \r\n") == "a b c"


@pytest.mark.parametrize(
    "quote, readings",
    [
        ("29,924 µg/L", {29924.0}),  # a thousands comma: one reading
        ("1,5 cm", {15.0, 1.5}),  # a decimal comma or a list: both readings kept
        ("10.5% and 3", {10.5, 3.0}),
        ("no digits", set()),
    ],
)
def test_quote_numbers_keeps_every_reading(quote, readings):
    assert provenance.quote_numbers(quote) == readings


def test_yearmonth_forms_start_with_the_printed_date_forms():
    forms = provenance.yearmonth_forms(2016, 8)
    assert forms[:3] == ["08/2016", "8/2016", "2016-08"]
    assert {"August 2016", "August, 2016", "Aug 2016", "Aug. 2016"} <= set(forms)
