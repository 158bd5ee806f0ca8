"""_ext/chapter_data_note.py: the copies of data files beside the pages are made fresh, so
Sphinx has no "will overwrite data" notice to give after a CSV edit."""

from __future__ import annotations

import importlib.util

from netbook import paths

_spec = importlib.util.spec_from_file_location(
    "chapter_data_note", paths.ROOT / "_ext" / "chapter_data_note.py"
)
note = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(note)


def test_only_copies_that_differ_from_their_source_are_stale(tmp_path):
    data, out = tmp_path / "data", tmp_path / "html"
    (data / "tables").mkdir(parents=True)
    (out / "tables").mkdir(parents=True)
    (data / "tables" / "edited.csv").write_text("a,b\n1,3\n")
    (out / "tables" / "edited.csv").write_text("a,b\n1,2\n")  # the previous build's copy
    (data / "tables" / "same.csv").write_text("a\n1\n")
    (out / "tables" / "same.csv").write_text("a\n1\n")
    (data / "tables" / "new.csv").write_text("a\n1\n")  # never copied yet
    (out / "intro.html").write_text("<p>a page, not a data file</p>")
    assert note.stale_extra_copies(data, out) == [out / "tables" / "edited.csv"]


def test_the_build_log_has_no_overwrite_notice():
    log = paths.ROOT / "_build" / "build.log"
    if log.exists():
        assert "will overwrite data" not in log.read_text(encoding="utf-8", errors="replace")
