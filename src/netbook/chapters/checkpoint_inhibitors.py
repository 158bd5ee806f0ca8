"""What the checkpoint-inhibitor chapter needs and a reader need not see: the swimmer plot
of the four patients of the Markey Cancer Center abstract."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator

from netbook.plotting import PALETTE, new_figure

AGENT_COLOUR = {"pembrolizumab": PALETTE["blue"], "nivolumab": PALETTE["orange"]}


def _end_marker(progressed: bool) -> dict:
    # a cross where the disease progressed; an arrow where treatment was still going on
    if progressed:
        return {
            "marker": "X",
            "color": PALETTE["vermillion"],
            "markeredgecolor": "black",
            "linestyle": "none",
        }
    return {"marker": ">", "color": PALETTE["bluish green"], "markeredgecolor": "black", "linestyle": "none"}


def swimmer_figure(patients: pd.DataFrame, design: str) -> Figure:
    """One bar per patient (patient 1 at the top): months on the checkpoint inhibitor,
    coloured by agent, ending in progression or in stable disease still ongoing, with the
    Karnofsky performance status before and after where the abstract prints it."""
    rows = patients.sort_values("patient", ascending=False)
    fig, ax = new_figure(8, 4.6)
    for y, row in enumerate(rows.itertuples()):
        ax.barh(y, row.months_on_treatment, height=0.55, color=AGENT_COLOUR[row.agent])
        end = row.months_on_treatment
        if row.progressed:
            ax.plot(end, y, markersize=13, **_end_marker(True))
        else:
            ax.plot(end + 0.35, y, markersize=11, **_end_marker(False))
        note = f"{end} months"
        if not pd.isna(row.kps_before):
            note += f"; KPS {row.kps_before}% → {row.kps_after}%"
        ax.text(end + 0.9, y, note, va="center", fontsize=10)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"Patient {r.patient}: {r.primary_site}, {r.grade}" for r in rows.itertuples()])
    ax.set_xlabel("Months on immune checkpoint inhibitor")
    ax.set_title(f"Design: {design}", loc="left", fontsize=10)
    ax.xaxis.set_major_locator(MultipleLocator(2))
    ax.set_xlim(0, patients["months_on_treatment"].max() + 7)
    ax.legend(
        handles=[
            Patch(color=AGENT_COLOUR["pembrolizumab"], label="pembrolizumab"),
            Patch(color=AGENT_COLOUR["nivolumab"], label="nivolumab"),
            Line2D([], [], markersize=10, label="progression", **_end_marker(True)),
            Line2D([], [], markersize=9, label="stable disease, ongoing when reported", **_end_marker(False)),
        ],
        loc="upper center",
        bbox_to_anchor=(0.4, -0.2),
        ncol=2,
        frameon=False,
    )
    return fig
