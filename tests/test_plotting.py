"""The shared figure style."""
import pytest

from netbook.plotting import MAX_WIDTH, PALETTE, new_figure, wrap


def test_palette_is_okabe_ito():
    assert PALETTE["vermillion"] == "#D55E00" and PALETTE["bluish green"] == "#009E73"


def test_too_wide_a_figure_is_refused():
    with pytest.raises(ValueError, match="unreadably small"):
        new_figure(MAX_WIDTH + 0.5, 4)


def test_labels_fit_the_figure():
    fig, ax = new_figure(4, 3)
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    assert wrap(["a long label that needs breaking"], 10) == ["a long\nlabel that\nneeds\nbreaking"]
