"""Shared fixtures and helpers.

* ``tiny``: a tiny, valid data package built in a temporary folder (loader tests);
* ``sources``, ``text_of``, ``texts``: the sources table and source texts, always by
  ``source_id`` (never by a file name);
* ``case_tables``, ``events``: the case report's tables;
* :func:`toc_files` (from :mod:`netbook.toc`): the pages ``_toc.yml`` lists, for ``parametrize``.

Test modules take these as fixtures or import helpers from here; no test module imports
another.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urljoin

import pandas as pd
import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS, QuietHandler  # tools/chromium.py

from netbook import cache_inputs, load_table, paths
from netbook.texts import source_text

# --------------------------------------------------------------------- nbval's kernels
# nbval starts each notebook's kernel with a plain KernelManager: TCP on localhost, which
# makes every kernel log "Kernel is running over TCP without encryption". Its kernels talk
# over IPC (Unix sockets in a private folder of this process) instead, as netbook.execute's
# do: no warning to silence, and no port two workers could race for.
try:
    import nbval.kernel
    from jupyter_client.manager import KernelManager as _KernelManager
except ImportError:  # pragma: no cover - nbval is pinned in requirements.txt
    pass
else:
    _IPC_FOLDER = tempfile.mkdtemp(prefix="nbval-kernels-")

    class IpcKernelManager(_KernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(_IPC_FOLDER, "kernel"))
            super().__init__(**kwargs)

    nbval.kernel.KernelManager = IpcKernelManager


def stale_note(notebook: Path) -> str | None:
    """What to say when nbval fails on a notebook whose stored outputs are stale."""
    try:
        stale = cache_inputs.is_stale(notebook)
    except (OSError, ValueError):
        return None
    if not stale:
        return None
    return (
        f"stale: {notebook.name}'s stored outputs predate a change to its code or inputs (a table it loads, a "
        f"netbook module it imports, or requirements.txt), so nbval compares a fresh run with old outputs: {cache_inputs.STALE_HINT}"
    )


def _with_stale_note(item):
    """Prefix nbval's failure report with the stale note (nbval reports a cell whose stored
    output differs as 'Notebook cell execution failed', which reads as if the cell broke)."""
    original = item.repr_failure

    def repr_failure(excinfo, *args, **kwargs):
        report = original(excinfo, *args, **kwargs)
        note = stale_note(Path(str(item.path)))
        return f"{note}\n\n{report}" if note else report

    item.repr_failure = repr_failure


def notebook_cells(notebook: Path) -> list[dict]:
    """The cells of a notebook as stored (outputs included)."""
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def cell_html(cell: dict) -> str:
    """The text/html of every output of a stored cell, joined."""
    return "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell.get("outputs", []))


CONTRADICTION_LINK = re.compile(r'href="source_texts\.html#contradiction-([a-z0-9-]+)"')


def contradictions_note_links(cells: list[dict]) -> set[str]:
    """The contradiction ids that a chapter's stored "Where the source contradicts itself"
    note (``netbook.flags.Flags.note``) links to."""
    note = next(cell_html(c) for c in cells if "contradictions-note" in cell_html(c))
    return set(CONTRADICTION_LINK.findall(note))


def stored_glue(notebook: Path) -> dict[str, str]:
    """Every value a chapter glues, as its stored output prints it (text/plain)."""
    stored = {}
    for cell in notebook_cells(notebook):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            plain = output.get("data", {}).get("application/papermill.record/text/plain")
            if name and plain is not None:
                stored[name] = plain if isinstance(plain, str) else "".join(plain)
    return stored


def as_shown(stored: str, spec: str = "") -> str:
    """A glued value as ``{glue:text}`key:spec``` shows it: myst-nb formats the stored
    text/plain with the format spec (``s``, or none, shows it as stored, quotes aside)."""
    value = stored.strip("'\"")
    return format(float(value), spec) if spec not in ("", "s") else value


CASE_TABLES = ("case_patient_record", "case_clinical_findings", "course_of_disease", "case_histology")


@pytest.fixture(scope="session")
def sources() -> pd.DataFrame:
    """The sources table, as the chapters load it."""
    return load_table("sources")


@pytest.fixture(scope="session")
def text_of(sources):
    """The text of a source, by source_id: ``text_of("ozdirik2020")``."""
    cache: dict[str, str] = {}

    def text(source_id: str) -> str:
        if source_id not in cache:
            cache[source_id] = source_text(sources, source_id)
        return cache[source_id]

    return text


@pytest.fixture(scope="session")
def texts(text_of) -> tuple[str, str]:
    """The case report (Özdirik 2020): (clean extraction, raw PDF extraction)."""
    return text_of("ozdirik2020"), text_of("ozdirik2020_pdf")


@pytest.fixture(scope="session")
def value_flags():
    """The flags the chapters put beside values: the audit's and the sources'
    contradictions (``netbook.flags.Flags``), built as the chapters build them."""
    from netbook.flags import Flags

    return Flags(load_table("printed_arithmetic"), load_table("source_contradictions"))


@pytest.fixture(scope="session")
def case_tables() -> dict[str, pd.DataFrame]:
    """The case report's tables the criteria mapping reads, by name (do not mutate: copy)."""
    return {name: load_table(name) for name in CASE_TABLES}


@pytest.fixture(scope="session")
def events(case_tables) -> pd.DataFrame:
    """The case report's course of disease (table course_of_disease)."""
    return case_tables["course_of_disease"]


SOURCE_TEXT = (
    "Case presentation\n\n"
    "In August 2016 a therapy with octreotide LAR 30 mg every 28 days was started.\n"
    "Chromogranin A was 29,924 µg/L at\npresentation.\n"
)

SCHEMA = {
    "fields": [
        {"name": "finding_id", "type": "string", "constraints": {"required": True}},
        {"name": "date", "type": "yearmonth", "netbook:role": "value"},
        {
            "name": "kind",
            "type": "string",
            "constraints": {"required": True, "enum": ["lab", "therapy start"]},
        },
        {"name": "value", "type": "number", "netbook:role": "value", "netbook:unitField": "unit"},
        {"name": "unit", "type": "string"},
        {"name": "source_id", "type": "string", "constraints": {"required": True}},
        {"name": "locator", "type": "string", "constraints": {"required": True}},
        {"name": "quote", "type": "string", "constraints": {"required": True, "minLength": 8}},
    ],
    "primaryKey": ["finding_id"],
    "foreignKeys": [{"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}}],
}

GOOD_ROWS = (
    "finding_id,date,kind,value,unit,source_id,locator,quote\n"
    'cga,,lab,29924,µg/L,case,Case presentation,"Chromogranin A was 29,924 µg/L at presentation."\n'
    "ssa,2016-08,therapy start,30,mg,case,Case presentation,"
    '"In August 2016 a therapy with octreotide LAR 30 mg every 28 days"\n'
)


EDITORIAL_SCHEMA = {
    "fields": [
        {"name": "finding_id", "type": "string", "constraints": {"required": True}},
        {"name": "reading", "type": "string", "constraints": {"required": True}},
        {"name": "rationale", "type": "string"},
    ],
    "primaryKey": ["finding_id"],
}

EDITORIAL_ROWS = (
    "finding_id,reading,rationale\n"
    "cga,raised,The text calls the value raised; no reference range is printed.\n"
    "ssa,first-line,The first therapy the text names after the diagnosis.\n"
)

# the sources schema wants real-looking file names (NNN_<16 hex digits>.txt)
SOURCE_FILE = "000_0123456789abcdef.txt"

FOLDERS = {"extracted": "tables", "derived": "derived", "editorial": "editorial"}


class TinyPackage:
    """A data package with one source text and one table, `findings` (more with
    :meth:`add_table`)."""

    def __init__(self, root: Path):
        self.root = root
        (root / "sources").mkdir()
        (root / "tables").mkdir()
        (root / "sources" / "case.txt").write_text(SOURCE_TEXT, encoding="utf-8")
        shutil.copy(paths.SOURCES / "sources.schema.json", root / "sources" / "sources.schema.json")
        (root / "sources" / "sources.csv").write_text(
            "source_id,file,publication_id,kind,extraction,preferred,citation,citation_basis,year,doi,licence,note,"
            "reference_list_heading,first_section\n"
            f"case,{SOURCE_FILE},case,case report,clean,true,A case.,the text's front matter,2020,,CC BY 4.0,,,"
            "Front matter\n",
            encoding="utf-8",
        )
        # the sources schema wants real-looking file names; the text keeps a short one
        (root / "sources" / "case.txt").rename(self.source_path)
        self.write_schema(SCHEMA)
        self.write_csv(GOOD_ROWS)
        (root / "datapackage.json").write_text(
            json.dumps(
                {
                    "name": "tiny",
                    "resources": [
                        {
                            "name": "sources",
                            "path": "sources/sources.csv",
                            "schema": "sources/sources.schema.json",
                        },
                        {
                            "name": "findings",
                            "path": "tables/findings.csv",
                            "schema": "tables/findings.schema.json",
                            "netbook:kind": "extracted",
                        },
                    ],
                }
            ),
            encoding="utf-8",
        )

    @property
    def descriptor(self) -> Path:
        return self.root / "datapackage.json"

    @property
    def source_path(self) -> Path:
        """The tiny package's one source text (source_id ``case``)."""
        return self.root / "sources" / SOURCE_FILE

    @property
    def csv_path(self) -> Path:
        return self.root / "tables" / "findings.csv"

    def write_csv(self, text: str) -> None:
        self.csv_path.write_text(text, encoding="utf-8")

    def write_schema(self, schema: dict) -> None:
        (self.root / "tables" / "findings.schema.json").write_text(json.dumps(schema), encoding="utf-8")

    def add_table(self, name: str, kind: str | None, schema: dict, rows: str) -> Path:
        """Register table ``name`` of this ``netbook:kind`` (None: the key is left out) in
        the folder of its kind; returns its CSV path."""
        folder = self.root / FOLDERS.get(kind, "tables")
        folder.mkdir(exist_ok=True)
        csv_path = folder / f"{name}.csv"
        csv_path.write_text(rows, encoding="utf-8")
        (folder / f"{name}.schema.json").write_text(json.dumps(schema), encoding="utf-8")
        descriptor = json.loads(self.descriptor.read_text(encoding="utf-8"))
        resource = {
            "name": name,
            "path": f"{folder.name}/{name}.csv",
            "schema": f"{folder.name}/{name}.schema.json",
        }
        if kind is not None:
            resource["netbook:kind"] = kind
        descriptor["resources"].append(resource)
        self.descriptor.write_text(json.dumps(descriptor), encoding="utf-8")
        return csv_path


@pytest.fixture
def tiny(tmp_path) -> TinyPackage:
    return TinyPackage(tmp_path)


# --- the built book in a real browser (test_browser.py). Session scope: with pytest-xdist
# each worker is its own session, so each worker starts one server and one browser.
@pytest.fixture(scope="session")
def chromium_path() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must run the browser tests, but no chromium is on PATH "
                "(.ci/run installs Debian's chromium package)"
            )
        pytest.skip(
            "Chromium is not installed here (Debian: apt-get install chromium); skipping the browser tests"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def server():
    assert paths.BUILD_HTML.exists(), "no _build/html: run `make book` (make test does) first"
    handler = functools.partial(QuietHandler, directory=str(paths.BUILD_HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # an iPhone 12-14's CSS viewport


class PageVisit:
    """A page loaded in a fresh context, with everything it asked for recorded.

    ``viewport``: DESKTOP (default) or PHONE; ``mode``: the theme's colour mode ("light",
    "dark"), stored where the theme's own switch stores it (localStorage ``mode`` and
    ``theme``) before the page loads; None leaves the theme's default (light).

    ``load_*`` hold what the load itself (up to ``networkidle``) logged, lost and received,
    before any test used the page: a shared page goes on recording what later tests
    cause (axe-core's stylesheet preload, for one, fetches the theme's
    ``@import "../basic.css"`` against the page's address and logs a 404).
    ``load_received`` is every response body of the first load and its size in bytes
    (Playwright's ``request.sizes()``; the test server does not compress, so these are
    the uncompressed bytes), as the browser decided what to fetch: which @font-face serves
    a glyph, which lazy images are near enough the screen.
    """

    def __init__(self, browser, url: str, viewport: dict | None = None, mode: str | None = None):
        self.context = browser.new_context(viewport=viewport or DESKTOP)
        if mode is not None:
            self.context.add_init_script(
                f"localStorage.setItem('mode', {json.dumps(mode)});"
                f"localStorage.setItem('theme', {json.dumps(mode)});"
            )
        self.page = self.context.new_page()
        # a page's load on a machine shared by several builds (load average 17 on 2 cores
        # measured) took over Playwright's default 30 s: a slow machine is not a broken page
        self.page.set_default_timeout(120_000)
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.received: dict[str, int] = {}
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        self.page.on("requestfinished", self._record_size)
        # "load" first: on a large page under load (the ledger: 430 kB of HTML), the network
        # can be idle for 500 ms while the parser is still going, and goto(networkidle)
        # returned before DOMContentLoaded, with the theme's scripts not yet run (its
        # tabindex="0" on scrollable table boxes is set on "load": an axe audit then saw 16
        # scrollable regions without keyboard access). Then network idle, then web fonts
        # (a font that arrives late changes which boxes overflow).
        self.response = self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        self.load_console_errors = list(self.console_errors)
        self.load_failed = list(self.failed)
        self.load_received = dict(self.received)

    def _record_size(self, request) -> None:
        response = request.response()
        if response is not None and response.ok:
            self.received[request.url] = request.sizes()["responseBodySize"]

    def load_images(self):
        """Bring every image into view and wait until it is decoded: images below the fold
        are lazy (loading="lazy") and load only when the reader scrolls near them."""
        self.page.evaluate("""async () => {
            for (const img of document.querySelectorAll('img')) {
                img.scrollIntoView();
                try { await img.decode(); } catch (e) { /* reported by the caller */ }
            }
            window.scrollTo(0, 0);
        }""")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def visits(browser, server):
    """``visits(entry)``: the page at DESKTOP width, loaded once per worker and shared by
    the tests that worker runs; ``visits(entry, PHONE)`` the same at a phone's width. A
    test that changes a shared page (opens a fold, scrolls a box) puts it back."""
    loaded = {}

    def visit(entry: str, viewport: dict | None = None) -> PageVisit:
        key = (entry, json.dumps(viewport or DESKTOP, sort_keys=True))
        # (dict.setdefault would build a new PageVisit, and load the page again, every call)
        if key not in loaded:
            loaded[key] = PageVisit(browser, urljoin(server, f"{entry}.html"), viewport)
        return loaded[key]

    yield visit
    for page_visit in loaded.values():
        page_visit.close()


# Chapters that present findings: each opens with a key-points list before its first
# section (tests/test_chapters.py checks the notebooks, tests/test_reader_pages.py the
# built pages); the pages about the data itself do not.
CONTENT_CHAPTERS = [
    "case_ozdirik2020",
    "hepatic_metastases",
    "hepatic_surgery",
    "hepatic_liver_directed",
    "hepatic_radionuclide",
    "hepatic_ssa_interferon",
    "hepatic_targeted_chemo",
    "hepatic_across_options",
    "checkpoint_inhibitors",
    "salvage_after_interferon",
    "across_sources",
]


# The suite's slowest files, slowest first (measured: the per-test durations make bench
# writes to _build/bench-junit.xml). pytest-xdist (make test: --dist loadfile
# --no-loadscope-reorder) hands whole files to whichever worker is free, in collection
# order; starting with the long browser files and letting the many short ones fill in
# behind them balances the two workers (longest first). By default xdist orders files by
# their number of tests, which put three of the longest on one worker.
SLOWEST_FILES = (
    "tests/test_screenshots.py",
    "tests/test_accessibility.py",
    "tests/test_reader_pages.py",
    "tests/test_browser.py",
    "tests/test_page_budget.py",
)


def pytest_collection_modifyitems(items):
    """Slowest files first (SLOWEST_FILES), the rest in their own order; a file's tests
    keep their order (a notebook's cells run in sequence)."""
    rank = {name: i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
    for item in items:
        if str(item.path).endswith(".ipynb"):
            _with_stale_note(item)


def pytest_terminal_summary(terminalreporter):
    stale = cache_inputs.stale_notebooks(cache_inputs.chapter_notebooks())
    if stale:
        terminalreporter.write_sep("-", "stale stored notebooks")
        for notebook in stale:
            terminalreporter.write_line(f"{stale_note(notebook)}")
