"""The HTML pages this build wrote, for the steps that finish them after Sphinx.

Sphinx writes only the pages whose source (or a dependency) changed; the steps that
rewrite the written files at ``build-finished`` (``html_fixes``, which runs
``page_weight``'s icons, then the sidebar labels and script hashes) must touch exactly those. A page left from an earlier build is already
finished, and parsing every page again made each preview rebuild some 10 s slower.
"""

from __future__ import annotations

from pathlib import Path

_KEY = "_netbook_written_pages"


def _record(app, pagename, templatename, context, doctree):
    if app.builder.format == "html":
        getattr(app, _KEY).add(pagename)


def _reset(app, *args):
    setattr(app, _KEY, set())


def written_pages(app) -> list[Path]:
    """The output files of the pages written in this build, sorted."""
    return sorted(Path(app.builder.get_outfilename(name)) for name in getattr(app, _KEY, ()))


def setup(app):
    _reset(app)
    # every build starts reading with this event, also a second build of one application
    # (make preview keeps its application between saves)
    app.connect("env-before-read-docs", _reset)
    app.connect("html-page-context", _record)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
