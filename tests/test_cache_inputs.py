"""The build re-executes a chapter when the data it reads (or a pin) changes."""

from __future__ import annotations

import os
import shutil

import nbformat
import pytest
from jupyter_cache import get_cache

from netbook import cache_inputs, paths


def write_notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def test_tables_read_from_literal_calls(tmp_path):
    nb = write_notebook(
        tmp_path / "a.ipynb",
        "import netbook\nfrom netbook import load_table",
        "events = load_table('course_of_disease')\nsrc = load_table('sources')",
        '%matplotlib inline\ntrials = netbook.load_table("trial_outcomes")',
    )
    assert cache_inputs.tables_read(nb) == ["course_of_disease", "sources", "trial_outcomes"]


def test_load_all_tables_reads_everything(tmp_path):
    nb = write_notebook(tmp_path / "a.ipynb", "tables = netbook.load_all_tables()")
    assert cache_inputs.tables_read(nb) == [cache_inputs.ALL_TABLES]


def test_computed_table_name_is_refused(tmp_path):
    nb = write_notebook(tmp_path / "a.ipynb", "x = 1", "name = 'trial' + '_outcomes'\nload_table(name)")
    with pytest.raises(
        cache_inputs.InputsError, match=r"a.ipynb, code cell 2, line 2: load_table needs a literal"
    ):
        cache_inputs.tables_read(nb)


def test_unknown_table_is_refused(tiny, tmp_path):
    nb = write_notebook(tmp_path / "a.ipynb", "load_table('nope')")
    with pytest.raises(cache_inputs.InputsError, match="unknown table 'nope'"):
        cache_inputs.input_files(nb, tiny.descriptor)


def test_inputs_of_a_chapter(tiny, tmp_path):
    nb = write_notebook(tmp_path / "a.ipynb", "load_table('findings')")
    names = {p.name for p in cache_inputs.input_files(nb, tiny.descriptor)}
    assert {
        "findings.csv",
        "findings.schema.json",
        "sources.csv",
        "datapackage.json",
        tiny.source_path.name,
        "requirements.txt",
        "tables.py",
    } <= names
    plain = write_notebook(tmp_path / "b.ipynb", "print(1)")
    assert "findings.csv" not in {p.name for p in cache_inputs.input_files(plain, tiny.descriptor)}


def test_refresh_drops_only_the_affected_record(tiny, tmp_path):
    cache_dir = tmp_path / "cache"
    reads = write_notebook(tmp_path / "reads.ipynb", "df = load_table('findings')")
    other = write_notebook(tmp_path / "other.ipynb", "print('no data')")
    cache = get_cache(cache_dir)

    def cache_both():
        for nb in (reads, other):
            cache.cache_notebook_file(nb, check_validity=False, overwrite=True)

    def cached():
        return sorted(r.uri.rsplit("/", 1)[-1] for r in cache.list_cache_records())

    cache_inputs.refresh([reads, other], cache_dir, tiny.descriptor)  # records the digests
    cache_both()
    assert cache_inputs.refresh([reads, other], cache_dir, tiny.descriptor) == []
    assert cached() == ["other.ipynb", "reads.ipynb"]

    tiny.write_csv(tiny.csv_path.read_text(encoding="utf-8").replace("therapy start", "lab"))
    for nb in (reads, other):
        os.utime(nb, (0, 0))
    assert cache_inputs.refresh([reads, other], cache_dir, tiny.descriptor) == [reads]
    assert cached() == ["other.ipynb"]
    # Sphinx re-reads only newer files: the stale chapter is touched, the other is not
    assert reads.stat().st_mtime > 0 and other.stat().st_mtime == 0
    # the new digest is recorded: the next build executes nothing more
    cache_both()
    assert cache_inputs.refresh([reads, other], cache_dir, tiny.descriptor) == []


def test_every_chapter_declares_its_inputs():
    for nb in cache_inputs.chapter_notebooks():
        assert cache_inputs.input_files(nb), nb


@pytest.fixture
def repo_copy(tmp_path, monkeypatch):
    """A copy of the netbook package under a temporary root, so modules can be edited."""
    root = tmp_path / "repo"
    shutil.copytree(
        paths.ROOT / "src" / "netbook", root / "src" / "netbook", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(paths.ROOT / "requirements.txt", root / "requirements.txt")
    monkeypatch.setattr(paths, "ROOT", root)
    return root / "src" / "netbook"


def _append(path, text="\n# edited\n"):
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_chapter_reruns_when_a_module_it_imports_changes_and_only_then(tiny, tmp_path, repo_copy):
    """netbook.chapters holds code a chapter runs: editing it must re-execute the chapter;
    editing a module the chapter never imports must not."""
    nb = write_notebook(tmp_path / "case.ipynb", "import netbook.chapters.case_ozdirik2020 as case")
    inputs = set(cache_inputs.input_files(nb, tiny.descriptor))
    # the companion, the packages it sits in, and what it imports in turn (dates)
    assert {
        repo_copy / "__init__.py",
        repo_copy / "chapters" / "__init__.py",
        repo_copy / "chapters" / "case_ozdirik2020.py",
        repo_copy / "dates.py",
    } <= inputs
    assert repo_copy / "chapters" / "hepatic_metastases.py" not in inputs
    before = cache_inputs.digest(nb, tiny.descriptor)
    _append(repo_copy / "chapters" / "hepatic_metastases.py")
    (repo_copy / "chapters" / "new_chapter.py").write_text('"""A new companion."""\n')
    assert cache_inputs.digest(nb, tiny.descriptor) == before
    _append(repo_copy / "chapters" / "case_ozdirik2020.py")
    edited = cache_inputs.digest(nb, tiny.descriptor)
    assert edited != before
    _append(repo_copy / "dates.py")  # imported by the companion, not by the notebook
    assert cache_inputs.digest(nb, tiny.descriptor) not in (before, edited)


def test_a_chapter_that_loads_a_table_depends_on_the_loader(tiny, tmp_path, repo_copy):
    nb = write_notebook(tmp_path / "a.ipynb", "df = load_table('findings')")
    inputs = set(cache_inputs.input_files(nb, tiny.descriptor))
    assert {repo_copy / "__init__.py", repo_copy / "tables.py"} <= inputs


def test_a_chapter_without_netbook_imports_runs_no_module(tiny, tmp_path, repo_copy):
    nb = write_notebook(tmp_path / "a.ipynb", "print(1)", "import pandas as pd")
    assert not [p for p in cache_inputs.input_files(nb, tiny.descriptor) if p.suffix == ".py"]


def test_the_reading_view_reruns_when_another_chapter_loads_other_tables(
    tiny, tmp_path, repo_copy, monkeypatch
):
    """The reading view lists which chapters read each table and their titles: a change to
    another chapter's load_table calls or title is an input of the chapter that runs
    cache_inputs (it once went stale without a warning)."""
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    monkeypatch.setattr(paths, "CHAPTERS", chapters)
    view = write_notebook(
        chapters / "view.ipynb", "from netbook import cache_inputs\nindex = cache_inputs.chapter_index()"
    )
    other = write_notebook(chapters / "other.ipynb", "x = load_table('findings')")
    plain = write_notebook(chapters / "plain.ipynb", "from netbook import display")
    before = {nb: cache_inputs.digest(nb, tiny.descriptor) for nb in (view, other, plain)}
    write_notebook(other, "x = load_table('findings')\ny = load_table('sources')")
    assert cache_inputs.digest(view, tiny.descriptor) != before[view]
    assert cache_inputs.digest(plain, tiny.descriptor) == before[plain]
    assert cache_inputs.chapter_index()["other"] == {
        "title": "other",
        "tables": ["findings", "sources"],
        "chapter": "other",
    }
    nb = nbformat.read(other, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# Another title"))
    nbformat.write(nb, other)
    assert cache_inputs.chapter_index()["other"]["title"] == "Another title"


def test_help_prints_help_and_does_nothing_else(tmp_path, capsys, monkeypatch):
    """--help once ran the refresh and dropped cache records as a side effect."""
    monkeypatch.setattr(cache_inputs, "refresh", lambda *a, **k: pytest.fail("--help refreshed the cache"))
    with pytest.raises(SystemExit) as exc:
        cache_inputs.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--readers TABLE" in out and "--stale" in out


def test_readers_of_a_table(tiny, tmp_path):
    reads = write_notebook(tmp_path / "reads.ipynb", "df = load_table('findings')")
    every = write_notebook(tmp_path / "every.ipynb", "t = load_all_tables()")
    other = write_notebook(tmp_path / "other.ipynb", "print('no data')")
    found = cache_inputs.readers("findings", [reads, every, other], tiny.descriptor)
    assert found == [reads, every]
    with pytest.raises(cache_inputs.InputsError, match="no table 'finding'"):
        cache_inputs.readers("finding", [reads], tiny.descriptor)


def test_readers_of_the_books_tables(capsys):
    assert cache_inputs.main(["--readers", "harms"]) == 0
    listed = capsys.readouterr().out.split()
    assert (
        "chapters/hepatic_metastases.ipynb" in listed and "chapters/checkpoint_inhibitors.ipynb" not in listed
    )
    assert cache_inputs.main(["--readers", "no_such_table"]) == 1
    assert "no table 'no_such_table'" in capsys.readouterr().err


def test_first_build_reports_no_changed_inputs(tiny, tmp_path):
    """A fresh clone has no recorded digests: nothing 'changed', nothing is touched."""
    nb = write_notebook(tmp_path / "reads.ipynb", "df = load_table('findings')")
    os.utime(nb, (0, 0))
    assert cache_inputs.refresh([nb], tmp_path / "cache", tiny.descriptor) == []
    assert nb.stat().st_mtime == 0
    assert (tmp_path / "cache" / cache_inputs.DIGESTS_FILE).exists()


def test_a_data_edit_makes_its_readers_stale(tiny, tmp_path, capsys):
    reads = write_notebook(tmp_path / "reads.ipynb", "df = load_table('findings')")
    other = write_notebook(tmp_path / "other.ipynb", "print('no data')")
    for nb_path in (reads, other):
        nb = nbformat.read(nb_path, as_version=4)
        nb.metadata["netbook"] = {"inputs_digest": cache_inputs.stored_digest(nb_path, nb, tiny.descriptor)}
        nbformat.write(nb, nb_path)
    assert cache_inputs.stale_notebooks([reads, other], tiny.descriptor) == []
    tiny.write_csv(tiny.csv_path.read_text(encoding="utf-8").replace("therapy start", "lab"))
    assert cache_inputs.stale_notebooks([reads, other], tiny.descriptor) == [reads]


def test_build_tools_are_inputs_only_of_a_chapter_that_runs_them():
    by_chapter = {
        nb.stem: {p.name for p in cache_inputs.input_files(nb)} for nb in cache_inputs.chapter_notebooks()
    }
    assert all("tables.py" in names for names in by_chapter.values())
    assert all("execute.py" not in names and "preview.py" not in names for names in by_chapter.values())
    assert {stem for stem, names in by_chapter.items() if "cache_inputs.py" in names} == {"source_texts"}


def test_nbval_failure_on_a_stale_notebook_says_so_and_names_the_command(tmp_path):
    from conftest import _with_stale_note, stale_note

    nb_path = write_notebook(tmp_path / "chapter.ipynb", "print(41)")

    class Item:  # the two attributes of an nbval item the wrapper uses
        path = nb_path

        def repr_failure(self, excinfo):
            return "Notebook cell execution failed ... '41' == '42'"

    item = Item()
    _with_stale_note(item)
    report = item.repr_failure(None)
    assert report.startswith("stale: chapter.ipynb's stored outputs predate") and "make execute" in report
    assert report.endswith("'41' == '42'")
    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata["netbook"] = {"inputs_digest": cache_inputs.stored_digest(nb_path, nb)}
    nbformat.write(nb, nb_path)
    assert stale_note(nb_path) is None
    assert item.repr_failure(None) == "Notebook cell execution failed ... '41' == '42'"


def test_the_command_line_computes_the_digests_the_package_does():
    """Run as ``python -m`` the module once missed that the reading view runs it (its name
    was then "__main__"), so make book re-executed a chapter make execute had just run."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "netbook.cache_inputs", "--stale"],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
    )
    assert done.returncode == 0, done.stderr
    expected = [
        cache_inputs._key(nb) for nb in cache_inputs.stale_notebooks(cache_inputs.chapter_notebooks())
    ]
    assert done.stdout.splitlines() == expected


def test_a_table_the_loader_checks_against_is_an_input_of_its_readers():
    """The loader reads a table's foreign-key tables and its row rules' lookups: a chapter
    that loads the table depends on them, though it never names them itself."""
    import json

    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    pairs = []
    for resource in descriptor["resources"]:
        schema = resource.get("schema")
        if isinstance(schema, str):
            lookups = json.loads((paths.DATA / schema).read_text(encoding="utf-8")).get("netbook:lookups", [])
            pairs += [(resource["name"], looked_up) for looked_up in lookups]
    assert pairs, "no schema declares netbook:lookups"
    cases = [
        (nb, looked_up)
        for table, looked_up in pairs
        for nb in cache_inputs.chapter_notebooks()
        if table in cache_inputs.tables_read(nb) and looked_up not in cache_inputs.tables_read(nb)
    ]
    assert cases, "no chapter loads a table with lookups without loading the looked-up table"
    for nb, looked_up in cases:
        resource = next(r for r in descriptor["resources"] if r["name"] == looked_up)
        assert paths.DATA / resource["path"] in cache_inputs.input_files(nb), (nb.name, looked_up)
        assert nb in cache_inputs.readers(looked_up), (nb.name, looked_up)
