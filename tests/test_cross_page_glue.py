"""_ext/cross_page_glue.py: a page that pastes a chapter's glued values depends on it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from docutils import nodes
from docutils.utils import new_document
from myst_nb.ext.glue.utils import PendingGlueReference

from netbook import paths

_spec = importlib.util.spec_from_file_location("cross_page_glue", paths.ROOT / "_ext" / "cross_page_glue.py")
cross_page_glue = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cross_page_glue)


def _page_pasting_from(*docnames: str) -> nodes.document:
    doctree = new_document("intro.md")
    paragraph = nodes.paragraph()
    for docname in docnames:
        paragraph += PendingGlueReference(refdoc=docname, key="k", inline=True, gtype="text")
    doctree += paragraph
    return doctree


class _Env:
    def __init__(self):
        self.dependencies: list[str] = []

    def doc2path(self, docname: str) -> Path:
        return paths.ROOT / f"{docname}.ipynb"

    def note_dependency(self, filename: str) -> None:
        self.dependencies.append(filename)


class _App:
    def __init__(self):
        self.env = _Env()


def test_every_chapter_pasted_from_becomes_a_dependency_once():
    app = _App()
    doctree = _page_pasting_from("chapters/b", "chapters/a", "chapters/b")
    cross_page_glue.note_glue_dependencies(app, doctree)
    assert app.env.dependencies == [
        str(paths.ROOT / "chapters/a.ipynb"),
        str(paths.ROOT / "chapters/b.ipynb"),
    ]


def test_a_page_without_pasted_values_has_no_new_dependency():
    app = _App()
    cross_page_glue.note_glue_dependencies(app, _page_pasting_from())
    assert app.env.dependencies == []


def test_the_intro_declares_its_chapters_in_the_build_environment():
    """After a build, Sphinx's environment lists the chapters the intro pastes from among
    its dependencies (so a changed chapter re-reads the intro)."""
    import pickle

    env_file = paths.BUILD_HTML.parent / ".doctrees" / "environment.pickle"
    assert env_file.exists(), "no build environment: run `make book` first"
    with env_file.open("rb") as f:
        env = pickle.load(f)
    deps = {Path(d).name for d in env.dependencies.get("intro", set())}
    assert {"case_ozdirik2020.ipynb", "hepatic_metastases.ipynb", "across_sources.ipynb"} <= deps, deps
