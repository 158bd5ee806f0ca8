"""Every page of the built book passes an axe-core audit in Chromium with no serious or
critical violation, and no control is named otherwise than the words it shows. (Was part of test_browser.py; its own file so pytest-xdist can run it
on another worker than the other browser tests.)"""

from __future__ import annotations

import pytest

from netbook.toc import toc_files

SERIOUS = {"serious", "critical"}
PAGES = toc_files()


@pytest.mark.parametrize("entry", PAGES)
def test_accessibility_audit(entry, visits):
    from axe_playwright_python.sync_playwright import Axe

    # label-content-name-mismatch is one of axe-core's "experimental" rules (off by
    # default; Lighthouse turns it on): a control's name must hold the words it shows
    options = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}
    results = Axe().run(visits(entry).page, options=options)
    mismatched = [v for v in results.response["violations"] if v["id"] == "label-content-name-mismatch"]
    assert not mismatched, f"{entry}: named otherwise than it reads:\n" + "\n".join(
        f"    {describe(node)}" for v in mismatched for node in v["nodes"]
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} nodes:\n"
        + "\n".join(f"    {describe(node)}" for node in v["nodes"])
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert not serious, f"{entry}:\n" + "\n".join(serious)


def describe(node: dict, limit: int = 160) -> str:
    """One failing element of an axe violation: its CSS selector (axe's ``target``: a list,
    one selector per frame or shadow root) and the start of its HTML."""
    target = " >> ".join(" ".join(t) if isinstance(t, list) else str(t) for t in node.get("target", []))
    markup = " ".join(node.get("html", "").split())
    if len(markup) > limit:
        markup = markup[: limit - 1] + "…"
    return f"{target or '(no selector)'}: {markup}"


def test_describe_names_the_element():
    node = {
        "target": [".pst-scrollable-table-container:nth-child(3)"],
        "html": '<div class="pst-scrollable-table-container" tabindex="-1">\n  <table>' + "x" * 300,
    }
    line = describe(node)
    assert line.startswith(".pst-scrollable-table-container:nth-child(3): <div class=")
    assert 'tabindex="-1"> <table>' in line and line.endswith("…") and len(line) < 220
