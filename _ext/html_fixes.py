"""Small fixes to every HTML page the book writes.

1. A Content-Security-Policy: only the book's own files may load, and no script runs
   unless the book wrote it. A stray request to another host (a CDN script, a web font)
   is blocked by the browser instead of made. Scripts: no 'unsafe-inline'. After the
   build (``_build_finished``, once every other step has rewritten the pages) each page is
   parsed (netbook.markup) and its policy lists the SHA-256 hash of each inline script
   the page holds, so exactly those run, and markup that slipped into a page from the
   data would not. The theme's two ``onclick`` buttons (print, full screen) become
   ``data-netbook-action`` attributes that ``_static/netbook-actions.js`` runs; any other
   inline handler stops the build. Styles keep 'unsafe-inline' (the theme writes style
   attributes; a style cannot run script). `file:` is listed so the book also works
   when opened from disk, where Chromium gives every file its own opaque origin.

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

6. The sidebar's toggle of a chapter with pages under it (pydata-sphinx-theme writes a
   ``<summary>`` holding only a chevron icon, which axe-core reports as a serious
   violation: a summary must have a name) gets an ``aria-label`` naming the chapter:
   "Pages under <chapter>" (``name_controls``, after the build with the CSP step).

7. The steps of _ext/page_weight.py (lighter pages) run from here too, at the places
   ``_page_context`` and ``_build_finished`` state: the two extensions never both edit
   the same part of a page in an order only _config.yml would decide.

8. A control named by the words it shows (WCAG 2.5.3; Lighthouse and axe-core:
   label-content-name-mismatch), so that a speech-input user who says what they see
   reaches it. myst-nb writes each code fold as ``<summary aria-label="Toggle hidden
   content">`` around "Show code cell source"; the theme's search button is labelled
   "Search" around "Search Ctrl + K". A ``<button>`` or ``<summary>`` whose shown text is
   not within its aria-label loses the label, and its text names it
   (``name_controls``, after the icons are inlined: an icon inside a
   labelled control is hidden from assistive technology, page_weight.inline_icons).

9. A change to the book's own static files (``_static/netbook.css``) reaches the build
   even when no page changed (see ``_rewrite_when_static_changed``).

Every edit of a page's HTML goes through a parser (netbook.markup, the standard library's
html.parser), at the places it reports, so the rest of the page keeps its bytes; no
regular expression is applied to HTML.
"""

import base64
import hashlib
from pathlib import Path

import page_weight
from written_pages import written_pages

from netbook import markup
from netbook.numbers import normalise_whitespace

POLICY = "; ".join(
    [
        "default-src 'self' file:",
        "script-src 'self' file:",
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


def name_controls(text: str) -> str:
    """The page with its controls named (points 6 and 8, one parse, one set of edits);
    the rest of the page keeps its bytes."""
    document = markup.parse(text)
    edits = markup.Edits(document)
    _label_toc_toggles(document, edits)
    _name_by_shown_text(document, edits)
    return edits.apply()


def _label_toc_toggles(document: markup.Document, edits: markup.Edits) -> None:
    """Point 6: each sidebar ``<summary>`` that opens the pages under a chapter, named
    after the chapter. The chapter is the ``<li class="toctree-lN has-children">``'s link,
    the ``<details>`` after it holds the toggle."""
    for item in document.find_all("li", class_="has-children"):
        if not any(c.startswith("toctree-l") for c in item.classes) or len(item.children) < 2:
            continue
        link, details = item.children[0], item.children[1]
        if link.name != "a" or details.name != "details" or not details.children:
            continue
        summary = details.children[0]
        if summary.name != "summary" or "aria-label" in summary.attrs:
            continue
        title = normalise_whitespace(document.text_of(link))
        edits.set_attribute(summary, "aria-label", f"Pages under {title}")


def _name_by_shown_text(document: markup.Document, edits: markup.Edits) -> None:
    """Point 8: each ``<button>`` or ``<summary>`` whose shown text is not within its
    aria-label loses the label (its text names it)."""
    for control in [*document.find_all("button"), *document.find_all("summary")]:
        label = control.attrs.get("aria-label")
        shown = normalise_whitespace(document.text_of(control, shown=True))
        if label and shown and shown.casefold() not in normalise_whitespace(label).casefold():
            edits.remove_attribute(control, "aria-label")


def _is_thebe(asset) -> bool:
    text = f"{getattr(asset, 'filename', '')} {asset.attributes.get('body', '') if hasattr(asset, 'attributes') else ''}"
    return "thebe" in text.lower()


def fix_body(body: str) -> str:
    """The page body with points 3-5 made: bibliography entries as list items, data tables
    focusable, each of the book's tables in its box. One parse, one set of edits."""
    document = markup.parse(body)
    edits = markup.Edits(document)
    for entry in document.find_all(role="doc-biblioentry"):
        edits.set_attribute(entry, "role", "listitem")
    for table in document.find_all("table"):
        if "netbook-table" in table.classes:
            box_table(document, edits, table)
        elif "dataframe" in table.classes and "tabindex" not in table.attrs:
            edits.set_attribute(table, "tabindex", "0")
    return edits.apply()


def box_table(document: markup.Document, edits: markup.Edits, table: markup.Element) -> None:
    """``table`` inside a focusable box that scrolls (see point 5), labelled by the
    table's own caption (not a caption of a table nested in it); the table loses its
    tabindex (the box is the scrolling region now). The box closes after the table's own
    end tag, which the parser pairs with its start tag."""
    captions = [c for c in table.children if c.name == "caption"]
    label = normalise_whitespace(document.text_of(captions[0])) if captions else ""
    edits.remove_attribute(table, "tabindex")
    edits.wrap(
        table,
        f'<div class="netbook-table-box" role="region" tabindex="0" aria-label="{markup.escape(label or "Table")}">',
        "</div>",
    )


def box_tables(body: str) -> str:
    """Every ``<table class="... netbook-table ...">`` of ``body`` in its box (see
    :func:`box_table`)."""
    document = markup.parse(body)
    edits = markup.Edits(document)
    for table in document.find_all("table", class_="netbook-table"):
        box_table(document, edits, table)
    return edits.apply()


def _page_context(app, pagename, templatename, context, doctree):
    """Every change to a page's template context, in this order (one handler, so no
    order of extensions in _config.yml decides it):

    1. ``metatags``: the Content-Security-Policy first (point 1), the page's description
       last (page_weight, point 4).
    2. ``script_files``, ``css_files``: no sphinx-thebe (point 2); the optional assets the
       body does not use left out, scripts deferred (page_weight, point 5).
    3. ``body``: bibliography items, focusable data tables, table boxes (points 3-5 here),
       then the images sized (page_weight, point 3).
    """
    if app.builder.format != "html":
        return
    page_weight.template_context(context)
    tag = f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
    context["metatags"] = (
        tag + context.get("metatags", "") + page_weight.page_description(app, context, doctree)
    )
    # jupyter-book 1.x always loads sphinx-thebe, whose inline config names a CDN
    # script and is emitted twice (a console error). Live code is off in this book.
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_thebe(a)]
    if "body" in context:
        context["body"] = fix_body(context["body"])
    page_weight.page_assets(pagename, context)
    if "body" in context:
        context["body"] = page_weight.page_images(app, pagename, context["body"])


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


def drop_stale_static_copies(static_dir: Path, built_static_dir: Path) -> list[str]:
    """Delete the build's copies of the stale static files (``stale_static_files``), so
    that Sphinx copies them afresh instead of over a different file, which it logs as
    "will overwrite data" (a notice tests/test_chapter_data_note.py refuses in the build
    log). Returns the stale names, sorted."""
    stale = stale_static_files(static_dir, built_static_dir)
    for name in stale:
        (built_static_dir / name).unlink(missing_ok=True)
    return stale


def _rewrite_when_static_changed(app, env, added, changed, removed):
    """Sphinx copies the static files only when it writes at least one page; after a
    change to _static/netbook.css alone it finds "no targets out of date" and would leave
    the old stylesheet in the build. Re-reading the root page makes it write, and copy
    (the old copy deleted first)."""
    if app.builder.format != "html":
        return []
    stale = drop_stale_static_copies(Path(app.srcdir) / "_static", Path(app.outdir) / "_static")
    return [app.config.root_doc] if stale else []


# ---------------------------------------------------------------- scripts allowed by hash

#: The inline handlers the theme writes, and the action _static/netbook-actions.js runs.
HANDLERS = {"window.print()": "print", "toggleFullScreen()": "fullscreen"}
#: Script types a browser runs (an empty type, or a JavaScript MIME type).
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}
_SCRIPT_SRC = "script-src 'self' file:"


class CSPError(RuntimeError):
    pass


def script_hash(body: str) -> str:
    """The CSP source expression allowing an inline script with exactly this text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"


def harden(text: str, where: str = "page") -> str:
    """A page with its inline scripts allowed by hash and its known inline handlers moved
    to data attributes. The page is parsed (netbook.markup); the edits are made at the
    places the parser reports, so the rest of the page keeps its bytes."""
    document = markup.parse(text)
    edits = markup.Edits(document)
    hashes = []
    for script in document.find_all("script"):
        if "src" in script.attrs or (script.attrs.get("type") or "").strip().lower() not in _JS_TYPES:
            continue
        body = document.inner(script)  # the script's text as written: what the browser hashes
        if script_hash(body) not in hashes:
            hashes.append(script_hash(body))
    for tag in document.elements:
        for attribute in sorted(a for a in tag.attrs if a.lower().startswith("on")):
            code = tag.attrs[attribute]
            if code not in HANDLERS:
                raise CSPError(
                    f"{where}: <{tag.name} {attribute}={code!r}>: an inline handler the policy would "
                    f"block; add it to HANDLERS and _static/netbook-actions.js, or remove it"
                )
            edits.replace(*document.attribute_span(tag, attribute), f'data-netbook-action="{HANDLERS[code]}"')
    metas = document.find_all("meta", **{"http-equiv": "Content-Security-Policy"})
    if len(metas) != 1:
        raise CSPError(f"{where}: expected one Content-Security-Policy meta tag, found {len(metas)}")
    policy = metas[0].attrs.get("content") or ""
    if _SCRIPT_SRC not in policy or "unsafe-inline" in policy.split("script-src", 1)[1].split(";")[0]:
        raise CSPError(f"{where}: the policy's script-src is not {_SCRIPT_SRC!r}")
    # hashes a page already carries (a page hardened before) are replaced, never added to
    directives = [d.strip() for d in policy.split(";")]
    new_policy = "; ".join(
        " ".join([_SCRIPT_SRC, *hashes]) if d.startswith("script-src") else d for d in directives
    )
    edits.replace(
        *document.attribute_span(metas[0], "content"),
        f'content="{markup.escape(new_policy, single_quote=False)}"',
    )
    return edits.apply()


def _build_finished(app, exception):
    """After the build, once: page_weight's files (icon stylesheet and font, the theme's
    trimmed stylesheet), then each page this build wrote, in this order: its icons inlined
    (page_weight), its controls named (sidebar toggles, point 6; by their shown text, point
    8; one parse), its inline scripts hashed into its policy (point 1, last: it must see
    every script the page will hold)."""
    if exception is not None or app.builder.format != "html":
        return
    icons = page_weight.write_assets(app)
    out = Path(app.outdir)
    problems = []
    for page in written_pages(app):
        text = page.read_text(encoding="utf-8")
        new, found = page_weight.inline_icons(text, icons)
        problems += [f"{page.relative_to(out)}: {p}" for p in found]
        if 'http-equiv="Content-Security-Policy"' in new:  # else not a page of the book's layout
            new = harden(name_controls(new), str(page.relative_to(out)))
        if new != text:
            page.write_text(new, encoding="utf-8")
    if problems:
        raise page_weight.IconError("icons not in the icon package:\n" + "\n".join(problems))


def setup(app):
    app.setup_extension("written_pages")
    app.setup_extension("page_weight")
    app.add_js_file("netbook-actions.js")
    # after every other build-finished step
    app.connect("build-finished", _build_finished, priority=900)
    app.connect("html-page-context", _page_context)
    app.connect("env-get-outdated", _rewrite_when_static_changed)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
