"""netbook.footnotes: letters beside values, footnotes under the table, in HTML, Markdown
and plain text."""

from __future__ import annotations

import pandas as pd

from netbook import footnotes
from netbook.display import table


def _shown():
    notes = footnotes.Footnotes()
    cells = [
        notes.mark("67%", ["From randomisation", "Interim"]),
        notes.mark("12 <months>", ["Interim"]),
        "3",
    ]
    return footnotes.footnoted(table(pd.DataFrame({"Value": cells}), "Results"), notes)


def test_the_letters_are_superscripts_and_the_notes_follow_the_table():
    out = _shown()._repr_html_()
    assert '67%<sup class="sof-mark">a,b</sup>' in out
    assert '12 &lt;months&gt;<sup class="sof-mark">b</sup>' in out
    assert footnotes.OPEN not in out and footnotes.CLOSE not in out
    notes_at = out.index('<p class="sof-footnotes">')
    assert out.rindex("</table>") < notes_at
    assert '<span class="sof-footnote"><sup>a</sup> From randomisation</span>' in out[notes_at:]


def test_the_notes_go_after_the_outer_table_when_a_cell_holds_a_table():
    class Nested:
        def _repr_html_(self):
            return (
                f"<table><tr><td><table><tr><td>x{footnotes.OPEN}a{footnotes.CLOSE}</td></tr></table>"
                "</td></tr></table><p>note</p>"
            )

    notes = footnotes.Footnotes()
    notes.letter("One")
    out = footnotes.footnoted(Nested(), notes)._repr_html_()
    assert out.endswith(
        '</td></tr></table><p class="sof-footnotes"><span class="sof-footnote"><sup>a</sup> One</span></p><p>note</p>'
    )


def test_markdown_and_plain_forms():
    shown = _shown()
    markdown = shown._repr_markdown_()
    assert "67\\%{sup}`a,b`" in markdown and "{sup}`a` From randomisation" in markdown
    assert markdown.index(":::\n\n{sup}`a`") > 0  # after the captioned table's fence
    assert footnotes.plain(f"67%{footnotes.OPEN}a b{footnotes.CLOSE}") == "67%[a,b]"
    assert repr(shown).endswith("[a] From randomisation\n[b] Interim")
