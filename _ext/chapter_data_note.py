"""At the foot of every chapter page: when its data last changed, and from which files.

The files are the ones the build already tracks for re-execution
(netbook.cache_inputs.input_files: the tables the chapter loads, their schemas, the
sources table and texts). The date is the last git commit touching any of them; the
page says so when they have uncommitted changes or the book is not built from git.
Computed at build time, so the notebooks' stored outputs stay free of dates.

Also: the data files the pages link (``html_extra_path: ["data"]``, copied beside the
pages) are copied fresh. Sphinx copies them into the output folder on every build and,
when a copy left by the previous build differs (the CSV was edited since), logs "Copying
the source path ... will overwrite data": a notice meant for two sources colliding on one
destination, which here only means "your edit reached the output". Before the copy, an
out-of-date copy of one of those files is removed, so the copy is a plain copy.
"""

from __future__ import annotations

import filecmp
import subprocess
from pathlib import Path

from netbook import cache_inputs, markup, paths


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def note_for(notebook) -> str | None:
    files = [f for f in cache_inputs.input_files(notebook) if f.is_relative_to(paths.DATA)]
    if not files:
        return None
    relative = [str(f.relative_to(paths.ROOT)) for f in files]
    date = _git("log", "-1", "--format=%cs", "--", *relative)
    dirty = _git("status", "--porcelain", "--", *relative)
    if date is None:
        when = "unknown (the book was not built from a git checkout)"
    else:
        when = date or "not yet committed"
        if dirty:
            when += ", with uncommitted changes since"
    texts = sorted(r for r in relative if r.startswith("data/sources/") and r.endswith(".txt"))
    tables = sorted(r for r in relative if r.startswith("data/tables/") and r.endswith(".csv"))
    return (
        '<aside class="provenance-note chapter-data-note" aria-label="Data of this chapter">'
        f"<p><strong>Data of this chapter last changed:</strong> {markup.escape(when)}.</p>"
        f"<p><strong>Tables read:</strong> {markup.escape(', '.join(tables) or 'none')}.<br>"
        f"<strong>Source texts they quote:</strong> {markup.escape(', '.join(texts))}.</p></aside>"
    )


def _add_note(app, pagename, templatename, context, doctree):
    notebook = paths.ROOT / f"{pagename}.ipynb"
    if not pagename.startswith("chapters/") or not notebook.exists() or "body" not in context:
        return
    note = note_for(notebook)
    if note:
        context["body"] += note


def stale_extra_copies(extra: Path, outdir: Path) -> list[Path]:
    """Copies in ``outdir`` of files under ``extra`` that no longer match their source."""
    stale = []
    for source in sorted(p for p in extra.rglob("*") if p.is_file()):
        copy = outdir / source.relative_to(extra)
        if copy.is_file() and not filecmp.cmp(source, copy, shallow=False):
            stale.append(copy)
    return stale


def _drop_stale_extra_copies(app):
    if app.builder.format != "html":
        return
    for entry in app.config.html_extra_path:
        for copy in stale_extra_copies(Path(app.confdir) / entry, Path(app.outdir)):
            copy.unlink()


def setup(app):
    app.connect("html-page-context", _add_note)
    app.connect("builder-inited", _drop_stale_extra_copies)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
