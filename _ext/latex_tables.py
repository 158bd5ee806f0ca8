"""PDF only: tables whose cells wrap between words and that break across pages.

Without column widths in the source, Sphinx sets a table of more than 30 rows as a
`longtable` with `l` columns, which never wrap (the provenance ledger's quotes ran off
the page), and a shorter one with `tabulary`, which cuts identifiers such as
`zilembo1993` that it cannot hyphenate and, like any `tabular`, cannot break across
pages (a table of 12 long quotes ran off the foot of the page). For the LaTeX builder
only, every table becomes a `longtable` with column widths chosen as tabulary would,
but no narrower than the column's longest word (short columns keep their width, long
ones share the rest); Sphinx writes them as wrapping `\\X` columns. The HTML is
untouched.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

LINE = 110  # characters in a line of a table (set in \\footnotesize, see _config.yml)
PAD = 2  # characters of room for the space between columns
HEADING = 1.3  # width of a heading character (bold sans) in body characters (serif)


def _columns(tgroup: nodes.tgroup) -> tuple[list[int], list[int]]:
    """Per column: the longest cell and the longest word (no column gets narrower than
    its longest word, so nothing is hyphenated that need not be)."""
    count = sum(isinstance(c, nodes.colspec) for c in tgroup.children)
    longest, word = [1] * count, [1] * count
    for row in tgroup.findall(nodes.row):
        entries = [e for e in row.children if isinstance(e, nodes.entry)]
        if len(entries) != count:  # spanning cells: leave the table to Sphinx
            return [], []
        # headings are set in bold sans serif, wider than the body's serif
        scale = HEADING if isinstance(row.parent, nodes.thead) else 1
        for i, entry in enumerate(entries):
            words = entry.astext().split()
            longest[i] = max(longest[i], round(len(" ".join(words)) * scale) + PAD)
            word[i] = max(word[i], *(round(len(w) * scale) + PAD for w in words), 1)
    return longest, word


def widths(longest: list[int], word: list[int], line: int = LINE) -> list[int]:
    """Column widths as tabulary would choose them: a column that fits in its fair share
    of the line keeps its natural width; the others share the rest in proportion to their
    longest cell, each at least as wide as its longest word."""
    result = list(longest)
    if sum(longest) <= line:
        return result
    wrapping = set(range(len(longest)))
    while wrapping:
        room = line - sum(result[i] for i in range(len(result)) if i not in wrapping)
        share = room / len(wrapping)
        fits = {i for i in wrapping if longest[i] <= share}
        if not fits:
            total = sum(longest[i] for i in wrapping)
            for i in wrapping:
                result[i] = max(word[i], round(room * longest[i] / total))
            break
        wrapping -= fits
    return result


class LongTableWidths(SphinxPostTransform):
    default_priority = 400
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for table in self.document.findall(nodes.table):
            if "colwidths-given" in table["classes"]:
                continue
            tgroups = [t for t in table.children if isinstance(t, nodes.tgroup)]
            if len(tgroups) != 1:
                continue
            longest, word = _columns(tgroups[0])
            if not longest:
                continue
            colspecs = [c for c in tgroups[0].children if isinstance(c, nodes.colspec)]
            for colspec, width in zip(colspecs, widths(longest, word)):
                colspec["colwidth"] = width
            table["classes"] += ["colwidths-given", "longtable"]


def setup(app):
    app.add_post_transform(LongTableWidths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
