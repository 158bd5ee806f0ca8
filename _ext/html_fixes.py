"""Small fixes to every HTML page the book writes.

1. A Content-Security-Policy: only the book's own files may load.

A stray request to another host (a CDN script, a web font) is then blocked by the
browser instead of made. Inline scripts and styles stay allowed because Sphinx and the
theme write small inline blocks. `file:` is listed so the book also works when opened
from disk, where Chromium gives every file its own opaque origin.

2. No sphinx-thebe assets (see below).

3. Bibliography entries as list items: docutils writes role="doc-biblioentry" (a
   deprecated ARIA role) inside a role="list", which axe-core reports as a critical
   violation (a list must contain list items).

4. Data tables focusable: wide tables scroll sideways (_static/netbook.css), and a
   scrollable region must be reachable by keyboard (axe: scrollable-region-focusable).

5. Each of the book's tables (class netbook-table) in a box of its own,
   ``<div class="netbook-table-box" role="region" tabindex="0" aria-label="<caption>">``,
   which scrolls sideways when the table is wider than the column (_static/netbook.css).
   With the scrolling on a box around it, the table keeps its own table layout: its
   columns can be as wide as their text needs (up to a cap) instead of being squeezed into
   the column's width, which left long texts a few words a line and rows a screen tall.
   The box, not the table, is then the region a keyboard scrolls (point 4).

6. A change to the book's own static files (``_static/netbook.css``) reaches the build
   even when no page changed (see ``_rewrite_when_static_changed``).
"""

import html
import re
from pathlib import Path

_DATA_TABLE = re.compile(r'<table(?![^>]*tabindex)([^>]*class="[^"]*\bdataframe\b)')
_NETBOOK_TABLE = re.compile(
    r'<table\b(?P<attrs>[^>]*\bclass="[^"]*\bnetbook-table\b[^"]*"[^>]*)>(?P<inner>.*?)</table>', re.S
)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S)
_TAG = re.compile(r"<[^>]+>")

POLICY = "; ".join(
    [
        "default-src 'self' file:",
        "script-src 'self' file: 'unsafe-inline'",
        "style-src 'self' file: 'unsafe-inline'",
        "img-src 'self' file: data:",
        "font-src 'self' file: data:",
        "connect-src 'self' file:",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'self'",
        "form-action 'self' file:",
    ]
)


def _is_thebe(asset) -> bool:
    text = f"{getattr(asset, 'filename', '')} {asset.attributes.get('body', '') if hasattr(asset, 'attributes') else ''}"
    return "thebe" in text.lower()


def box_tables(body: str) -> str:
    """Every ``<table class="... netbook-table ...">`` of ``body`` inside a focusable box
    that scrolls (see point 5), labelled by the table's caption; the table itself loses
    its tabindex (the box is the scrolling region now)."""

    def box(m: re.Match) -> str:
        attrs = re.sub(r'\s*\btabindex="[^"]*"', "", m["attrs"])
        caption = _CAPTION.search(m["inner"])
        label = " ".join(html.unescape(_TAG.sub("", caption[1])).split()) if caption else ""
        return (
            f'<div class="netbook-table-box" role="region" tabindex="0" '
            f'aria-label="{html.escape(label or "Table", quote=True)}">'
            f"<table{attrs}>{m['inner']}</table></div>"
        )

    return _NETBOOK_TABLE.sub(box, body)


def _fix_page(app, pagename, templatename, context, doctree):
    tag = f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
    context["metatags"] = tag + context.get("metatags", "")
    # jupyter-book 1.x always loads sphinx-thebe, whose inline config names a CDN
    # script and is emitted twice (a console error). Live code is off in this book.
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_thebe(a)]
    if "body" in context:
        body = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
        context["body"] = box_tables(_DATA_TABLE.sub(r'<table tabindex="0"\1', body))


def stale_static_files(static_dir: Path, built_static_dir: Path) -> list[str]:
    """The book's own static files (``_static/``) newer than their copies in the build,
    or not copied yet, sorted."""
    stale = []
    for source in static_dir.rglob("*"):
        if not source.is_file():
            continue
        copy = built_static_dir / source.relative_to(static_dir)
        if not copy.exists() or source.stat().st_mtime > copy.stat().st_mtime:
            stale.append(str(source.relative_to(static_dir)))
    return sorted(stale)


def _rewrite_when_static_changed(app, env, added, changed, removed):
    """Sphinx copies the static files only when it writes at least one page; after a
    change to _static/netbook.css alone it finds "no targets out of date" and would leave
    the old stylesheet in the build. Re-reading the root page makes it write, and copy."""
    if app.builder.format != "html":
        return []
    stale = stale_static_files(Path(app.srcdir) / "_static", Path(app.outdir) / "_static")
    return [app.config.root_doc] if stale else []


def setup(app):
    app.connect("html-page-context", _fix_page)
    app.connect("env-get-outdated", _rewrite_when_static_changed)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
