"""Show a DataFrame in a chapter with stable outputs.

A pandas Styler's plain-text form carries a memory address ("<Styler at 0x7f...>"),
which changes on every run and would make nbval fail for nothing. :func:`table` shows
the same HTML without an index, and a plain-text form that depends only on the data.
"""
from __future__ import annotations

import html

import pandas as pd


class Table:
    def __init__(self, df: pd.DataFrame, caption: str | None = None):
        self.df = df
        self.caption = caption

    def _repr_html_(self) -> str:
        body = self.df.to_html(index=False, na_rep="—", border=0, classes="netbook-table",
                               escape=True)
        if self.caption:
            body = body.replace(">\n", f">\n<caption>{html.escape(self.caption)}</caption>\n", 1)
        return body

    def __repr__(self) -> str:
        text = self.df.to_string(index=False, na_rep="—")
        return f"{self.caption}\n{text}" if self.caption else text


def table(df: pd.DataFrame, caption: str | None = None) -> Table:
    """Display ``df`` as an HTML table without its index."""
    return Table(df.reset_index(drop=True), caption)
