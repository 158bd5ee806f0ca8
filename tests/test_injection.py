"""Markup written into the data is shown as text, never run (issue 22, point 4).

A copy of the data package gets markup (``<img onerror>``, ``<script>``, a
``javascript:`` link, an SVG with ``onload``, a LaTeX command) appended to every free-text
cell the loader does not hold to a quote (notes, rationales, statements, descriptions:
the words a quote check would refuse cannot carry markup in the first place). A small
book, built with the book's own Sphinx extensions (its Content-Security-Policy pass
included), shows every table of that copy through each way data reaches a page: a
:func:`netbook.display.table` (HTML and Markdown forms) with its provenance note, a
:func:`netbook.display.markdown_table` (the ledger's form), and the reading view's
tables and flagged list (:mod:`netbook.chapters.source_texts`). Chromium loads the page:
no payload may run (each would set ``window.__pwned``), and each must be on the page as
text.

One build of one page, about 30 s here (two cores): run with ``make test``.
"""

from __future__ import annotations

import csv
import json
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
MARK = " INJECTED "  # the payloads follow it, so the page's text can be searched for them


def _schema(resource: dict, base: Path) -> dict:
    return json.loads((base / resource["schema"]).read_text(encoding="utf-8"))


def _free_text_fields(schema: dict) -> list[str]:
    """String fields that hold the book's or the extractor's words (no quote rule, no
    closed vocabulary, no key, no derivation): the fields markup could reach a page from."""
    keys = schema.get("primaryKey", [])
    keys = [keys] if isinstance(keys, str) else keys
    foreign = {f for fk in schema.get("foreignKeys", []) for f in fk["fields"]}
    # fields other rules read: a value's unit, the inputs of a derived column
    read = {f.get("netbook:unitField") for f in schema["fields"]}
    read |= {x for f in schema["fields"] for x in f.get("netbook:derived", {}).get("from", [])}
    read |= {f["netbook:quote"].get("locatorField") for f in schema["fields"] if "netbook:quote" in f}
    pairs = schema.get("netbook:pairs", {})
    read |= {pairs.get("table")} | set(pairs.get("first", [])) | set(pairs.get("second", []))
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
            and not field.get("netbook:separator")
            and not name.startswith("locator")
        ):
            out.append(name)
    return out


def _inject(data: Path) -> dict[str, list[str]]:
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    injected = {}
    for resource in descriptor["resources"]:
        if resource["name"] == "sources":
            continue
        fields = _free_text_fields(_schema(resource, data))
        path = data / resource["path"]
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        names = list(rows[0])
        for row in rows:
            for field in fields:
                if row[field]:
                    row[field] += MARK + " ".join(PAYLOADS)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=names, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        if fields:
            injected[resource["name"]] = fields
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
    for name in list_tables(package) + list_tables(package, kinds=("editorial",)):
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
def injected_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("injected")
    data = root / "data"
    shutil.copytree(paths.DATA, data)
    injected = _inject(data)
    book = root / "book"
    book.mkdir()
    shutil.copytree(paths.ROOT / "_ext", book / "_ext")
    shutil.copytree(paths.ROOT / "_static", book / "_static")
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
            sphinx:
              local_extensions:
                html_fixes: _ext
                page_weight: _ext
              recursive_update: true
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
    assert "Traceback" not in page.read_text(encoding="utf-8"), "the notebook failed: see the page"
    return page, injected


def test_every_free_text_field_was_injected(injected_book):
    _, injected = injected_book
    assert sum(len(f) for f in injected.values()) >= 20, injected
    assert {"note", "rationale"} & {f for fields in injected.values() for f in fields}


def test_no_payload_runs_and_every_payload_shows_as_text(injected_book, browser):
    page_path, _ = injected_book
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
