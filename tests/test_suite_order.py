"""The suite's own scheduling (conftest.SLOWEST_FILES): the files it names exist, and the
commands that run the suite on two workers keep the order it sets."""

from __future__ import annotations

import re

import pytest
from conftest import SLOWEST_FILES

from netbook import paths


@pytest.mark.parametrize("name", SLOWEST_FILES)
def test_each_slowest_file_exists(name):
    assert (paths.ROOT / name).is_file(), f"conftest.SLOWEST_FILES names {name}, which is not there"


@pytest.mark.parametrize("runner", ["Makefile", "bench/run_bench.py"])
def test_the_suite_runs_files_in_collection_order(runner):
    text = (paths.ROOT / runner).read_text(encoding="utf-8")
    xdist = re.findall(r"--dist\W+loadfile", text)
    assert xdist, f"{runner} does not run the suite with --dist loadfile"
    # without it pytest-xdist orders files by their number of tests, not as conftest does
    assert "--no-loadscope-reorder" in text, f"{runner}: --dist loadfile without --no-loadscope-reorder"


def test_slowest_files_are_collected_first(request):
    files = list(dict.fromkeys(item.nodeid.split("::", 1)[0] for item in request.session.items))
    slow = [f for f in files if f in SLOWEST_FILES]
    assert files[: len(slow)] == slow == sorted(slow, key=SLOWEST_FILES.index), files[: len(slow) + 1]
