"""Every page of the built book passes an axe-core audit in Chromium with no serious or
critical violation. (Was part of test_browser.py; its own file so pytest-xdist can run it
on another worker than the other browser tests.)"""

from __future__ import annotations

import pytest
from conftest import toc_files

SERIOUS = {"serious", "critical"}
PAGES = toc_files()


@pytest.mark.parametrize("entry", PAGES)
def test_accessibility_audit(entry, visits):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visits(entry).page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} nodes"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert not serious, "\n".join(serious)
