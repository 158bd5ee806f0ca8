"""Markup written into the data is shown as text, never run (issue 22, point 4).

A copy of the data package gets markup (``<img onerror>``, ``<script>``, a
``javascript:`` link, an SVG with ``onload``, a LaTeX command), after a mark naming the
table and field, in every string field that can hold it: every filled cell of each
free-text field (notes, rationales, statements, descriptions, lists), and, for every
other string field, the cell the probe (:func:`_probe`) found the loader takes it in
(keys without a pattern, citation markers, a unit, a value's words...). Every string
field the loader refuses markup in is listed with the rule that refused it (keys with a
pattern, closed vocabularies, locators, quotes and the words held to them, derived
columns); the words held to a quote could carry markup only if a source text did, and
none does (a test reads them).

A small book, built with the book's own Sphinx extensions (its Content-Security-Policy
pass included), shows every table of that copy through each way data reaches a page: a
:func:`netbook.display.table` (HTML and Markdown forms) with its provenance note, a
:func:`netbook.display.markdown_table` (the ledger's form), and the reading view's
tables and flagged list (:mod:`netbook.chapters.source_texts`). Chromium loads the page:
no payload may run (each would set ``window.__pwned``), and each field's mark and every
payload must be on the page as text. The same page goes through the book's LaTeX route
to a PDF: no LaTeX command from the data runs, every payload is in its text, every
field's mark in its LaTeX.

What it does not build: the chapters themselves with the injected data (their own code
paths, such as the hepatic chapter's footnotes, reach the page through the same
:mod:`netbook.display` functions, but that is not proven here), nor the whole book's
PDF (about 7 min here): the one page's PDF, about 3 min under load.

About 6 min here under load (two cores shared): the probe (one load per table and one
per ambiguous field), the HTML build, the PDF build. Run with ``make test``.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from netbook import paths

PAYLOADS = [
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<script>window.__pwned='script'</script>",
    "[click](javascript:window.__pwned='link')",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    "\\input{/etc/passwd}\\textbf{bold}",
]
MARK = " INJECTED "  # the payloads follow it (and the name of the field: see _markup)
# no payload holds a list separator (';', '|'): in a list-valued field, markup appended to
# the cell is markup in its last item
assert not any(sep in p for p in PAYLOADS for sep in ";|")


def _schema(resource: dict, base: Path) -> dict:
    return json.loads((base / resource["schema"]).read_text(encoding="utf-8"))


def _named_in(declaration) -> set[str]:
    """Every string a JSON declaration holds, as a key or a value (a superset of the
    columns it names)."""
    if isinstance(declaration, dict):
        return {k for k in declaration} | {n for v in declaration.values() for n in _named_in(v)}
    if isinstance(declaration, list):
        return {n for v in declaration for n in _named_in(v)}
    return {declaration} if isinstance(declaration, str) else set()


@functools.cache
def _read_by_other_tables() -> set[tuple[str, str]]:
    """(table, column) that another table's row rules read (netbook.row_rules)."""
    from netbook.row_rules import columns_read_in_other_tables

    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    return {
        pair for r in descriptor["resources"] for pair in columns_read_in_other_tables(_schema(r, paths.DATA))
    }


def _free_text_fields(schema: dict, table: str) -> list[str]:
    """String fields that hold the book's or the extractor's words (no quote rule, no
    closed vocabulary, no key, no derivation, nothing another table's rules read): the
    fields markup could reach a page from."""
    keys = schema.get("primaryKey", [])
    keys = [keys] if isinstance(keys, str) else keys
    foreign = {f for fk in schema.get("foreignKeys", []) for f in fk["fields"]}
    # fields other rules read: a value's unit, the inputs of a derived column
    read = {f.get("netbook:unitField") for f in schema["fields"]}
    read |= {x for f in schema["fields"] for x in f.get("netbook:derived", {}).get("from", [])}
    read |= {f["netbook:quote"].get("locatorField") for f in schema["fields"] if "netbook:quote" in f}
    pairs = schema.get("netbook:pairs", {})
    read |= {pairs.get("table")} | set(pairs.get("first", [])) | set(pairs.get("second", []))
    read |= {column for other, column in _read_by_other_tables() if other == table}
    read |= _named_in(schema.get("netbook:rules", []))  # the schema's own row rules read them
    out = []
    for field in schema["fields"]:
        name, constraints = field["name"], field.get("constraints", {})
        if (
            field.get("type", "string") == "string"
            and name not in {"source_id", "locator", "quote"} | set(keys) | foreign | read
            and not {"enum", "pattern"} & set(constraints)
            and not any(
                k in field for k in ("netbook:role", "netbook:inQuote", "netbook:derived", "netbook:quote")
            )
            and not name.startswith("locator")
        ):
            out.append(name)
    return out


def _markup(table: str, field: str) -> str:
    """The payloads after a mark naming the field (no digit in it: a value field's
    numbers must be in its quote), so the page can be searched for each field's."""
    return f"{MARK}{_tag(table, field)} " + " ".join(PAYLOADS)


def _tag(table: str, field: str) -> str:
    return f"{table}-{field}".translate(str.maketrans("0123456789_", "abcdefghij-")) + "-END"


def _rewrite(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = list(rows[0])
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _string_fields(schema: dict) -> list[str]:
    return [f["name"] for f in schema["fields"] if f.get("type", "string") == "string"]


def _probe(tmp: Path) -> dict[str, dict[str, dict]]:
    """Every string field of every table that :func:`_free_text_fields` leaves out, tried:
    markup appended to it in one row, the table loaded. First all of a table's fields at
    once, each in a row of its own (rounds where a table has fewer rows than fields): a
    field is refused there when a problem names its row and its column alone. Any other
    field is tried again alone (another field's bad cell can hide a rule, rows out of
    order, or name two columns). Per table: ``refused``, field -> (row, the rules that
    named a row and that column); ``accepted``, field -> the row index (0-based) where
    the loader took it."""
    from netbook import load_table
    from netbook.tables import TableError

    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    out = {}
    for resource in descriptor["resources"]:
        name = resource["name"]
        schema = _schema(resource, paths.DATA)
        left_out = [f for f in _string_fields(schema) if f not in _free_text_fields(schema, name)]
        with (paths.DATA / resource["path"]).open(newline="", encoding="utf-8") as f:
            count = sum(1 for _ in csv.DictReader(f))
        dependents = [
            r["name"]
            for r in descriptor["resources"]
            if name in _schema(r, paths.DATA).get("netbook:lookups", []) and r["name"] != name
        ]
        copy = tmp / name
        shutil.copytree(paths.DATA, copy)
        target = copy / resource["path"]

        def attempt(fields, name=name, resource=resource, target=target, copy=copy, dependents=dependents):
            """Markup in each field (a row each); the problems naming each field's column."""
            shutil.copyfile(paths.DATA / resource["path"], target)
            where = {}

            def change(rows):
                free = list(range(len(rows)))
                for field in fields:
                    index = next((i for i in free if rows[i][field]), free[0])  # a filled cell if any
                    free.remove(index)
                    rows[index][field] += _markup(name, field)
                    where[field] = index

            _rewrite(target, change)
            try:
                load_table(name, copy / "datapackage.json")
                problems = []
            except TableError as error:
                problems = error.problems
            mine = [
                p for p in problems if p.row is not None and p.column and p.file.endswith(resource["path"])
            ]
            # a table whose row rules read this one (netbook:lookups) refuses the markup too:
            # its problem names its own file and column, and quotes the marked value
            across = []
            for other in dependents:
                try:
                    load_table(other, copy / "datapackage.json")
                except TableError as error:
                    across += error.problems
            return {
                field: (
                    index,
                    [p for p in mine if field in p.column.split(",")]
                    + [p for p in across if _tag(name, field) in str(p)],
                    any(p.row == index + 2 and p.column == field for p in mine),
                )
                for field, index in where.items()
            }

        refused, accepted, again = {}, {}, []
        for number in range(0, len(left_out), count):
            for field, (index, named, alone) in attempt(left_out[number : number + count]).items():
                if alone:
                    refused[field] = (index + 2, sorted({p.rule for p in named}))
                else:
                    again.append(field)
        for field in again:
            index, named, _ = attempt([field])[field]
            if named:
                refused[field] = (index + 2, sorted({p.rule for p in named}))
            else:
                accepted[field] = index
        out[name] = {"refused": refused, "accepted": accepted}
    return out


def _inject(data: Path, probe: dict) -> dict[str, list[str]]:
    """Markup into a copy of the data: every free-text field (every filled cell), and
    every other string field the loader takes markup in (the row the probe tried)."""
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    injected = {}
    for resource in descriptor["resources"]:
        name = resource["name"]
        fields = _free_text_fields(_schema(resource, data), name)
        accepted = probe[name]["accepted"]

        def change(rows, fields=fields, accepted=accepted, name=name):
            for field in fields:
                # every filled cell; the first row's where the table has none filled
                filled = [row for row in rows if row[field]] or rows[:1]
                for row in filled:
                    row[field] += _markup(name, field)
            for field, index in accepted.items():
                rows[index][field] += _markup(name, field)

        _rewrite(data / resource["path"], change)
        if fields or accepted:
            injected[name] = sorted(set(fields) | set(accepted))
    return injected


NOTEBOOK_CODE = textwrap.dedent(
    """
    import sys
    from IPython.display import display
    from netbook import load_table, list_tables
    from netbook.display import markdown_table, table
    from netbook.chapters.source_texts import AnchoredTable, flagged_list
    from netbook import audit
    package = {package!r}
    for name in ["sources"] + list_tables(package) + list_tables(package, kinds=("editorial",)):
        df = load_table(name, package)
        shown = df.drop(columns=[c for c in df.columns if c in ("quote",)])
        display(table(shown.astype(str), f"{{name}} (table)", df))
        display(markdown_table(shown.astype(str)))
    checks = load_table("printed_arithmetic", package)
    display(flagged_list(audit.run(checks)))
    contradictions = load_table("source_contradictions", package)
    display(AnchoredTable(contradictions, "contradiction_id", "contradiction", "contradictions", contradictions))
    """
)


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return _probe(tmp_path_factory.mktemp("probe"))


@pytest.fixture(scope="module")
def injected_book(tmp_path_factory, probe):
    root = tmp_path_factory.mktemp("injected")
    data = root / "data"
    shutil.copytree(paths.DATA, data)
    injected = _inject(data, probe)
    book = root / "book"
    book.mkdir()
    shutil.copytree(paths.ROOT / "_ext", book / "_ext")
    shutil.copytree(paths.ROOT / "_static", book / "_static")
    shutil.copytree(paths.ROOT / "_latex", book / "_latex")
    (book / "_config.yml").write_text(
        textwrap.dedent(
            """
            title: injection
            only_build_toc_files: true
            execute:
              execute_notebooks: force
              timeout: 300
            html:
              favicon: _static/favicon.svg
            latex:
              latex_engine: xelatex
              latex_documents:
                targetname: book.tex
            sphinx:
              local_extensions:
                html_fixes: _ext
                page_weight: _ext
                latex_tables: _ext
              recursive_update: true
              config:
                nb_render_markdown_format: myst
                latex_additional_files: ["_latex/bbm.sty"]
            """
        ),
        encoding="utf-8",
    )
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    cell = NOTEBOOK_CODE.format(package=str(data / "datapackage.json"))
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Injected data\n"]},
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": [cell]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (book / "index.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "--keep-going"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    page = book / "_build" / "html" / "index.html"
    assert page.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    built = page.read_text(encoding="utf-8")
    if "Traceback" in built:
        from bs4 import BeautifulSoup

        words = BeautifulSoup(built, "html.parser").get_text()
        pytest.fail("the notebook failed: " + words[words.rfind("Error:") - 100 :][:3000])
    return page, injected, book


def test_every_free_text_field_was_injected(injected_book):
    _, injected, _ = injected_book
    assert sum(len(f) for f in injected.values()) >= 20, injected
    assert {"note", "rationale"} & {f for fields in injected.values() for f in fields}


def test_no_payload_runs_and_every_payload_shows_as_text(injected_book, browser):
    page_path, injected, _ = injected_book
    from conftest import PageVisit

    visit = PageVisit(browser, page_path.as_uri())
    try:
        page = visit.page
        page.wait_for_load_state("load")
        for link in page.locator("a[href^='javascript:']").all():
            link.click()
        pwned = page.evaluate("() => window.__pwned || null")
        text = page.evaluate("() => document.body.innerText")
        injected_elements = page.evaluate(
            "() => [...document.querySelectorAll('script, img[src=x], svg[onload], [onerror], [onload]')]"
            ".filter(e => (e.outerHTML || '').includes('__pwned')).length"
        )
    finally:
        visit.close()
    assert pwned is None, f"a payload ran: {pwned}"
    assert injected_elements == 0
    for payload in PAYLOADS:
        assert payload in text, payload
    missing = [f"{t}.{f}" for t, fields in injected.items() for f in fields if _tag(t, f) not in text]
    assert not missing, f"fields whose markup is not on the page as text: {missing}"


# ------------------------------------------------- the fields the injection leaves out


def test_every_string_field_is_injected_or_refuses_markup(probe, injected_book):
    """Every string field of every table either is injected above (free text, and any
    other field the loader takes markup in: the probe found keys without a pattern,
    lists of citation markers, a unit, words of a value...) or refuses markup, the
    loader naming the file, the row and the column (keys with a pattern, closed
    vocabularies, locators, the quotes and the words held to them, derived columns). A
    field held to its quote could carry markup only if the source text did: the next
    test shows none does."""
    _, injected, _ = injected_book
    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    refused = 0
    for resource in descriptor["resources"]:
        name = resource["name"]
        for field in _string_fields(_schema(resource, paths.DATA)):
            shown = field in injected.get(name, [])
            assert shown or field in probe[name]["refused"], (name, field)
            refused += field in probe[name]["refused"]
    assert sum(len(f) for f in injected.values()) >= 80, injected
    assert refused >= 100, refused


def test_no_source_text_holds_markup():
    """The quote rule holds every quote to its source text, and the words of a field held
    to the quote (``netbook:inQuote``, ``netbook:quote``) to the quote: such a field can
    hold markup only if a source text does. None does (no tag, no LaTeX command, no
    ``javascript:`` link), so markup cannot reach a page through them."""

    texts = sorted(paths.SOURCES.glob("*.txt"))
    assert texts
    for text in texts:
        words = text.read_text(encoding="utf-8")
        # no tag (a Markdown autolink, '<http://dx.doi.org/...>', is one in the case report)
        assert not re.search(r"<\s*/?\s*(?!https?://)[A-Za-z!?]", words), text
        # one LaTeX math span, as the review's text prints it ('$\\leq 75\\%$', twice)
        commands = set(re.findall(r"\\[A-Za-z@]+|\\.", words))
        assert commands <= {"\\leq", "\\%"}, (text, commands)
        assert "javascript:" not in words.lower(), text
        assert not re.search(r"\bon[a-z]+\s*=", words), text


@pytest.fixture(scope="module")
def injected_pdf(injected_book):
    """The same injected page through the book's LaTeX route (Jupyter Book's LaTeX
    builder, the book's LaTeX extension and XeLaTeX), as ``make pdf`` builds the book:
    its text by pdftotext. One page, not the whole book: about a minute here."""
    if shutil.which("xelatex") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("xelatex and pdftotext are needed under CI")
        pytest.skip("xelatex or pdftotext (poppler-utils) is not installed")
    _, _, book = injected_book
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "--builder", "pdflatex"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    pdf = book / "_build" / "latex" / "book.pdf"
    assert pdf.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    tex = (book / "_build" / "latex" / "book.tex").read_text(encoding="utf-8")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return tex, text


def test_the_pdf_shows_every_payload_as_text(injected_pdf, injected_book):
    """No LaTeX command from the data runs (\\input would put /etc/passwd on the page,
    \\textbf would set 'bold' in bold and hide its backslash), and each payload is printed
    as written: the PDF's text (pdftotext, spacing removed) holds each of them whole. Each
    injected field reaches the LaTeX (its mark is in book.tex, every backslash of the
    data escaped); the PDF's table columns interleave their lines in pdftotext's text,
    so the marks are looked for in the LaTeX the PDF is set from."""
    tex, text = injected_pdf
    _, injected, _ = injected_book
    assert "root:" not in text, "\\input{/etc/passwd} ran"
    assert "\\input{/etc/passwd}" not in tex, "the LaTeX source holds the command unescaped"
    assert "\\textbf{bold}" not in tex, "the LaTeX source holds the command unescaped"
    flat = re.sub(r"\s+", "", text)
    assert flat.count("INJECTED") >= 100, flat.count("INJECTED")
    for payload in PAYLOADS:
        assert re.sub(r"\s+", "", payload) in flat, payload
    plain = tex.replace("\\sphinxhyphen{}", "-")
    missing = [f"{t}.{f}" for t, fields in injected.items() for f in fields if _tag(t, f) not in plain]
    assert not missing, f"fields whose markup does not reach the PDF: {missing}"
