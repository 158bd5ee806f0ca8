"""make preview (netbook.preview): the conf.py it generates from _config.yml, and what its
sphinx-autobuild watches. The latencies are measured by make bench (BENCH=loop)."""

from __future__ import annotations

import re

from netbook import paths, preview


def test_conf_holds_the_books_settings_with_absolute_paths(tmp_path):
    conf = preview.write_conf(tmp_path)
    namespace: dict = {}
    exec(compile(conf.read_text(encoding="utf-8"), str(conf), "exec"), namespace)
    assert namespace["html_extra_path"] == [str(paths.ROOT / "data")]
    assert namespace["bibtex_bibfiles"] == [str(paths.ROOT / "references.bib")]
    assert str(paths.ROOT / "_static") in namespace["html_static_path"]
    assert namespace["nb_execution_mode"] == "cache"
    assert namespace["nb_execution_cache_path"] == str(paths.JUPYTER_CACHE)
    # page_weight is loaded by html_fixes (one post-build place), not listed itself
    for extension in ("html_fixes", "chapter_data_note", "cross_page_glue", "myst_nb"):
        assert extension in namespace["extensions"]
    assert str(paths.ROOT / "_ext") in namespace["sys"].path
    mtime = conf.stat().st_mtime_ns
    preview.write_conf(tmp_path)  # unchanged settings: the file is not rewritten
    assert conf.stat().st_mtime_ns == mtime


def test_the_preview_watches_the_book_not_its_outputs():
    ignores = [re.compile(p) for p in preview.ignored_patterns()]

    def ignored(path: str) -> bool:
        return any(r.search(path) for r in ignores)

    for path in (
        "_build/html/intro.html",
        ".venv/lib/x.py",
        "tests/test_x.py",
        "src/netbook/__pycache__/a.pyc",
        "chapters/.ipynb_checkpoints/a.ipynb",
    ):
        assert ignored(str(paths.ROOT / path)), path
    for path in ("intro.md", "chapters/sources.ipynb", "data/tables/harms.csv", "src/netbook/stats.py"):
        assert not ignored(str(paths.ROOT / path)), path


def test_a_change_to_sphinxs_set_up_restarts_the_preview_and_nothing_else_does():
    def restarts(*names):
        return preview.needs_restart([paths.ROOT / n for n in names])

    assert restarts("_ext/html_fixes.py") and restarts("_config.yml") and restarts("intro.md", "_toc.yml")
    assert not restarts("intro.md", "chapters/sources.ipynb", "data/tables/harms.csv", "src/netbook/stats.py")
