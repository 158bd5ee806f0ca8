"""Re-read a page whenever a chapter it pastes glued values from changes.

A page can show a value glued in a chapter (``{glue:text}`chapters/x.ipynb::key```): the
intro's "what the sources say" does. myst-nb resolves such a reference when the page is
written, from the chapter's glue cache, but Sphinx re-reads (and re-writes) a page only
when its own file, or a file it declared as a dependency, changed. Without this
extension an unchanged intro would keep showing a chapter's old numbers after the
chapter changed. On reading a page, every chapter it pastes from becomes a dependency.
"""

from __future__ import annotations

from myst_nb.ext.glue.utils import PendingGlueReference


def chapters_pasted_from(doctree) -> list[str]:
    """The documents (Sphinx docnames) whose glued values ``doctree`` pastes, sorted."""
    return sorted({node.refdoc for node in doctree.findall(PendingGlueReference)})


def note_glue_dependencies(app, doctree) -> None:
    env = app.env
    for docname in chapters_pasted_from(doctree):
        env.note_dependency(str(env.doc2path(docname)))


def setup(app):
    app.connect("doctree-read", note_glue_dependencies)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
