"""What the case-report chapter needs and a reader need not see (Özdirik et al. 2020).

* the paper's own layouts: its Table 1 as each extraction prints it
  (:func:`parse_markdown_table1`, :func:`parse_raw_table1`, :func:`align_table1`) and its
  journal's page footer (:data:`JOURNAL_FOOTER`, for
  :func:`netbook.extractions.word_differences`);
* Table 1 re-derived from the tidy event table (:func:`rederive_table1`) and the therapy
  regimens as bars (:func:`therapy_lanes`);
* the timeline figure (:func:`timeline_figure`).

Nothing here knows a value of the case: every number comes from the texts or the tables.
"""

from __future__ import annotations

import re

import pandas as pd

from netbook.dates import to_period

JOURNAL_FOOTER = re.compile(r"^.*(?:www\.md-journal\.com|et al\. Medicine \(\d{4}\)).*$", re.M)

_DATE = r"\d{2}/\d{4}"


def parse_markdown_table1(text: str) -> pd.DataFrame:
    """Table 1 as the clean extraction prints it: a Markdown table under 'Course of disease.'.

    Columns: row (1-based), year, date_cell, dates (list of 'MM/YYYY'), therapy, staging.
    A row whose date cell holds more than one date was merged by the extraction.
    """
    start = text.index("| Year | Date |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        year, date_cell, therapy, staging = (cells + ["", "", "", ""])[:4]
        rows.append(
            dict(
                row=len(rows) + 1,
                year=year,
                date_cell=date_cell,
                dates=re.findall(_DATE, date_cell),
                therapy=therapy,
                staging=staging,
            )
        )
    return pd.DataFrame(rows, columns=["row", "year", "date_cell", "dates", "therapy", "staging"])


def parse_raw_table1(text: str) -> pd.DataFrame:
    """Table 1 as the raw PDF extraction prints it: one line per row, starting with a date.

    Lines that do not start with a date continue the previous row. Columns: line
    (1-based), year (printed before the date, or ''), date, text.
    """
    start = text.index("Year Date Therapy Staging")
    end = text.index("SSA = somatostatin analog.", start)
    rows: list[dict] = []
    for line in text[start:end].splitlines()[1:]:
        line = line.strip()
        if not line:
            continue
        match = re.match(r"(?:(\d{4}) )?(" + _DATE + r") ?(.*)$", line)
        if match:
            rows.append(
                dict(line=len(rows) + 1, year=match.group(1) or "", date=match.group(2), text=match.group(3))
            )
        elif rows:
            rows[-1]["text"] += " " + line
    return pd.DataFrame(rows, columns=["line", "year", "date", "text"])


def align_table1(markdown: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Pair each date of each clean Table 1 row with the raw PDF line of that date.

    The rows are walked in order: a clean row with k dates takes the next k raw lines,
    whose dates must match. Columns: row, date_cell, merged, date, raw_line, raw_text.
    """
    out, lines = [], raw.itertuples()
    for r in markdown.itertuples():
        for date in r.dates:
            line = next(lines, None)
            if line is None or line.date != date:
                raise ValueError(
                    f"Table 1 row {r.row} date {date} has no matching raw line "
                    f"(found {getattr(line, 'date', None)!r})"
                )
            out.append(
                dict(
                    row=r.row,
                    date_cell=r.date_cell,
                    merged=len(r.dates) > 1,
                    date=date,
                    raw_line=line.line,
                    raw_text=line.text,
                )
            )
    if next(lines, None) is not None:
        raise ValueError("the raw table has more dated lines than the clean table has dates")
    return pd.DataFrame(out, columns=["row", "date_cell", "merged", "date", "raw_line", "raw_text"])


def _fmt(x) -> str:
    return format(float(x), "g")


def staging_cell(event) -> str:
    """Staging text of a staging event, from its typed fields only."""
    parts = []
    if pd.notna(event.get("hepatic_response")):
        parts.append(f"Hepatic {event['hepatic_response']}")
    if pd.notna(event.get("hepatic_tumour_load_pct")):
        qualifier = event.get("tumour_load_qualifier")
        qualifier = f"{qualifier} " if pd.notna(qualifier) else ""
        parts.append(f"hepatic tumour load {qualifier}{_fmt(event['hepatic_tumour_load_pct'])}%")
    if pd.notna(event.get("peritoneal_finding")):
        parts.append(str(event["peritoneal_finding"]))
    return ". ".join(p[0].upper() + p[1:] for p in parts) + "." if parts else ""


def rederive_table1(events: pd.DataFrame) -> pd.DataFrame:
    """Table 1 (Year, Date, Therapy, Staging) from the event table, merged rows split.

    One row per (date, source row) of the events that name a Table 1 row, in event
    order. Staging cells are built from the typed fields (response, tumour load,
    peritoneal finding); other cells are the event descriptions. The year is printed on
    the first row of each year, as in the paper. Column ``from_row`` names the Table 1
    row of the clean extraction each re-derived row comes from.
    """
    ev = events[events["table1_row"].notna() & (events["table1_row"] != "")].sort_values("event_id")
    groups: dict[tuple, dict] = {}
    for _, e in ev.iterrows():
        key = (str(e["date"]), e["table1_row"])
        row = groups.setdefault(key, dict(period=e["date"], from_row=e["table1_row"], Therapy=[], Staging=[]))
        text = staging_cell(e) if e["kind"] == "staging" else str(e["description"])
        row[e["table1_column"]].append(text)
    rows, last_year = [], None
    for g in groups.values():
        year = g["period"].year
        rows.append(
            dict(
                Year=str(year) if year != last_year else "",
                Date=g["period"].strftime("%m/%Y"),
                Therapy="; ".join(g["Therapy"]),
                Staging=" ".join(g["Staging"]),
                from_row=g["from_row"],
            )
        )
        last_year = year
    return pd.DataFrame(rows, columns=["Year", "Date", "Therapy", "Staging", "from_row"])


def therapy_lanes(events: pd.DataFrame, end) -> pd.DataFrame:
    """One bar per therapy regimen (therapy + dose + interval), from therapy events.

    A regimen runs from its event to the next therapy event of the same drug, or to
    ``end`` (the last month the text reports on) with ``open_end`` True: the text does not
    say it stopped. Columns: lane, therapy, start, end, open_end, event_id.
    """
    ev = events[events["therapy"].notna()].sort_values(["date", "event_id"])
    end = to_period(end)
    rows = []
    for therapy, group in ev.groupby("therapy", sort=False):
        group = group.reset_index(drop=True)
        for i, e in group.iterrows():
            stop = group.loc[i + 1, "date"] if i + 1 < len(group) else end
            interval = e["interval_days"]
            label = f"{therapy} {_fmt(e['dose'])} {e['dose_unit']}"
            if pd.notna(interval):
                label += f" every {int(interval)} d"
            rows.append(
                dict(
                    lane=label,
                    therapy=therapy,
                    start=e["date"],
                    end=stop,
                    open_end=i + 1 == len(group),
                    event_id=e["event_id"],
                )
            )
    return pd.DataFrame(rows, columns=["lane", "therapy", "start", "end", "open_end", "event_id"])


def decimal_year(period: pd.Period) -> float:
    """A month as a decimal year at the start of the month (x position on a time axis)."""
    return period.year + (period.month - 1) / 12


def timeline_figure(
    events: pd.DataFrame, lanes: pd.DataFrame, ifn_start: pd.Period, design: str | None = None
):
    """The CARE timeline: one bar per therapy regimen, clinical events and stagings as
    labelled markers, and the hepatic tumour load on the same time axis below. ``design``
    (the evidence level, from the sources table) is named in the title."""
    from matplotlib.lines import Line2D

    from netbook.plotting import PALETTE, new_figure

    x = decimal_year
    last_month = events["date"].max()
    lane_colours = [PALETTE["sky blue"], PALETTE["blue"], PALETTE["orange"]]
    response_colours = {
        "progressive disease": PALETTE["vermillion"],
        "partial remission": PALETTE["bluish green"],
    }
    fig, (ax, ax_load) = new_figure(9.5, 7.0, nrows=2, sharex=True, gridspec_kw={"height_ratios": [2.2, 1.4]})
    # therapy lanes, first regimen at the top
    lane_y = {i: 2.6 + (len(lanes) - 1 - i) for i in range(len(lanes))}
    for i, lane in enumerate(lanes.itertuples()):
        ax.barh(
            lane_y[i],
            x(lane.end) - x(lane.start),
            left=x(lane.start),
            height=0.5,
            color=lane_colours[i],
            edgecolor="black",
            linewidth=0.6,
        )
        ax.text(x(lane.start) + 0.02, lane_y[i] + 0.32, lane.lane, fontsize=9, va="bottom")
        if lane.open_end:
            ax.plot(x(lane.end), lane_y[i], marker=">", color="black", markersize=7)
    # clinical events (y = 0.8) with staggered labels
    marks = {
        "diagnosis": ("D", "black", "diagnosis", (0, -10), "center"),
        "surgery": ("s", PALETTE["reddish purple"], "hemicolectomy", (0, -24), "center"),
        "work-up": ("P", PALETTE["grey"], "Hedinger syndrome\nexcluded", (7, -10), "left"),
    }
    for e in events[events["kind"].isin(list(marks))].itertuples():
        marker, colour, label, offset, ha = marks[e.kind]
        ax.plot(x(e.date), 0.8, marker=marker, color=colour, markersize=9, linestyle="none")
        ax.annotate(
            label, (x(e.date), 0.8), xytext=offset, textcoords="offset points", ha=ha, va="top", fontsize=9
        )
    # stagings (y = 1.6), coloured by the response of the liver metastases
    for e in events[events["hepatic_response"].notna()].itertuples():
        ax.plot(
            x(e.date),
            1.6,
            marker="o",
            color=response_colours[e.hepatic_response],
            markersize=8,
            markeredgecolor="black",
            linestyle="none",
        )
        short = "PD" if e.hepatic_response == "progressive disease" else "PR"
        ax.annotate(
            short, (x(e.date), 1.6), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=8
        )
    ax.set_yticks([0.8, 1.6, 3.6])
    ax.set_yticklabels(["events", "staging", "therapy"])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.5, 2.6 + len(lanes))
    for axis in (ax, ax_load):
        axis.axvline(x(ifn_start), color=PALETTE["orange"], linestyle="--", linewidth=1)
    ax.legend(
        handles=[
            *(
                Line2D(
                    [],
                    [],
                    marker="o",
                    color=response_colours[response],
                    linestyle="none",
                    markeredgecolor="black",
                    label=f"{response} ({short})",
                )
                for response, short in (("progressive disease", "PD"), ("partial remission", "PR"))
            ),
            Line2D([], [], marker=">", color="black", linestyle="none", label="end of therapy not stated"),
        ],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    # hepatic tumour load
    load = events[events["hepatic_tumour_load_pct"].notna()]
    upto = load["tumour_load_qualifier"].notna()
    ax_load.plot(
        [x(p) for p in load["date"]],
        load["hepatic_tumour_load_pct"],
        color=PALETTE["grey"],
        linestyle=":",
        linewidth=1,
    )
    ax_load.plot(
        [x(p) for p in load.loc[~upto, "date"]],
        load.loc[~upto, "hepatic_tumour_load_pct"],
        marker="o",
        color=PALETTE["blue"],
        linestyle="none",
        label="as printed",
    )
    ax_load.plot(
        [x(p) for p in load.loc[upto, "date"]],
        load.loc[upto, "hepatic_tumour_load_pct"],
        marker="^",
        markerfacecolor="white",
        color=PALETTE["blue"],
        linestyle="none",
        label="printed as 'up to'",
    )
    for e in load.itertuples():
        ax_load.annotate(
            f"{e.hepatic_tumour_load_pct:g}%",
            (x(e.date), e.hepatic_tumour_load_pct),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=9,
        )
    ax_load.set_ylim(0, 100)
    ax_load.set_ylabel("hepatic tumour load (%)")
    ax_load.legend(loc="lower left", fontsize=8, frameon=False)
    ax_load.set_xticks(list(range(events["date"].min().year, last_month.year + 2)))
    ax_load.set_xlim(x(events["date"].min()) - 0.15, x(last_month) + 0.25)
    ax_load.set_xlabel("year (ticks at 1 January)")
    title = "Course of disease (dashed line: start of peg-IFN-α2a)"
    ax.set_title(f"{design[0].upper()}{design[1:]}. {title}" if design else title)
    return fig
