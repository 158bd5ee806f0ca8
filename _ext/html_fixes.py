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
"""

import re

_DATA_TABLE = re.compile(r'<table(?![^>]*tabindex)([^>]*class="[^"]*\bdataframe\b)')

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
        context["body"] = _DATA_TABLE.sub(r'<table tabindex="0"\1', body)


def setup(app):
    app.connect("html-page-context", _fix_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
