"""One look for every figure: headless, colour-blind safe, readable at page width."""

from __future__ import annotations

import sys
import textwrap

import matplotlib

# In a Jupyter kernel (the build, nbval) figures go to the inline backend; forcing Agg
# there would show nothing. Elsewhere (scripts, tests) Agg draws without a display.
if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from netbook.values import is_missing  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common
# colour-vision deficiencies. Black is kept for text and reference lines.
PALETTE = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "grey": "#7F7F7F",
}
CYCLE = [
    PALETTE[k]
    for k in ("blue", "orange", "bluish green", "vermillion", "reddish purple", "sky blue", "yellow", "grey")
]

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "netbook",  # stable ids in SVG output
}


MAX_WIDTH = 9.5  # inches; at 100 dpi the page shows a figure at most ~1.4x reduced


def new_figure(width: float = 8.0, height: float = 4.5, **subplots_kwargs):
    """A figure and axes with the book's style applied.

    Constrained layout keeps labels inside the requested size, so a figure is never
    wider than ``MAX_WIDTH`` and its text stays readable at page width.
    """
    if width > MAX_WIDTH:
        raise ValueError(
            f"figure width {width} in exceeds {MAX_WIDTH} in; text would be "
            "unreadably small at page width (wrap long labels instead)"
        )
    plt.rcParams.update(STYLE)
    subplots_kwargs.setdefault("layout", "constrained")
    return plt.subplots(figsize=(width, height), **subplots_kwargs)


def wrap(labels, width: int = 34) -> list[str]:
    """Long tick labels broken into lines, so the axes keep most of the figure width."""
    return [textwrap.fill(str(label), width) for label in labels]


def interval_rows(
    ax, rows, labels, colours, markers=None, rate: str = "rate", low: str = "ci_low", high: str = "ci_high"
) -> None:
    """A forest plot on ``ax``: one row per entry of ``rows`` (top to bottom), its
    interval as a line (none where the bounds are missing) and its point estimate as a
    marker, proportions drawn as per cent. ``labels``, ``colours`` and ``markers``
    (default: circles) give one entry per row."""
    rows = rows.reset_index(drop=True)
    markers = markers if markers is not None else ["o"] * len(rows)
    for y, row in rows.iterrows():
        if not is_missing(row[low]):
            ax.plot([100 * row[low], 100 * row[high]], [y, y], color=colours[y], linewidth=2.5)
        ax.plot(
            100 * row[rate],
            y,
            marker=markers[y],
            markersize=9,
            color=colours[y],
            markeredgecolor="black",
            linestyle="none",
        )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
