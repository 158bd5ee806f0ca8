"""netbook.plotting: the shared figure style and the forest-plot rows."""

import pytest

from netbook.plotting import MAX_WIDTH, PALETTE, interval_rows, new_figure, wrap


def test_palette_is_okabe_ito():
    assert PALETTE["vermillion"] == "#D55E00" and PALETTE["bluish green"] == "#009E73"


def test_too_wide_a_figure_is_refused():
    with pytest.raises(ValueError, match="unreadably small"):
        new_figure(MAX_WIDTH + 0.5, 4)


def test_labels_fit_the_figure():
    fig, ax = new_figure(4, 3)
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    assert wrap(["a long label that needs breaking"], 10) == ["a long\nlabel that\nneeds\nbreaking"]


def test_interval_rows_draws_one_row_per_entry_top_down():
    import pandas as pd

    from netbook.stats import with_rate_ci

    rows = with_rate_ci(
        pd.DataFrame(
            {"k": pd.array([2, 1, None], dtype="Int64"), "n": pd.array([3, 14, None], dtype="Int64")}
        ),
        missing="skip",
    )
    rows.loc[2, "rate"] = 0.67  # a rate printed without its denominator: a point, no interval
    fig, ax = new_figure(6, 3)
    interval_rows(
        ax,
        rows,
        ["a", "b", "c"],
        [PALETTE["blue"], PALETTE["orange"], PALETTE["grey"]],
        markers=["o", "s", "D"],
    )
    lines = [(list(line.get_xdata()), list(line.get_ydata()), line.get_marker()) for line in ax.get_lines()]
    assert lines[0][:2] == ([100 * rows.loc[0, "ci_low"], 100 * rows.loc[0, "ci_high"]], [0, 0])
    assert lines[1] == ([pytest.approx(100 * 2 / 3)], [0], "o")
    assert lines[2][1] == [1, 1] and lines[3][2] == "s"
    assert lines[4] == ([pytest.approx(67)], [2], "D")  # row c: its marker only
    assert len(lines) == 5
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert ax.yaxis_inverted()  # the first row on top
    assert ax.get_lines()[1].get_color() == PALETTE["blue"]


def test_interval_rows_default_markers_and_other_columns():
    import pandas as pd

    rows = pd.DataFrame({"p": [0.5], "lo": [0.25], "hi": [0.75]}, index=[7])
    fig, ax = new_figure(4, 2)
    interval_rows(ax, rows, ["only"], ["black"], rate="p", low="lo", high="hi")
    (interval, point) = ax.get_lines()
    assert list(interval.get_xdata()) == [25, 75] and point.get_marker() == "o"
