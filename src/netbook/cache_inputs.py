"""Keep jupyter-cache from serving outputs computed from old data or old pins.

jupyter-cache keys a notebook on its code cells (and kernelspec) only: change a CSV a
chapter loads, or a pin in requirements.txt, and the cached outputs would still be
served. Before each build (``python -m netbook.cache_inputs``) this module hashes what
each chapter reads besides its code, compares with the digest recorded at the previous
build, and for every chapter whose inputs changed drops its cache record and touches
the notebook (Sphinx re-reads only documents whose file is newer than its last read,
so without the touch myst-nb would not even look at the cache). jupyter-book then
re-executes exactly those chapters.

What a chapter reads is found statically, and this is the one rule for what re-executes:
a chapter runs again when its code, a data file it loads, a netbook module it imports, or a
pin changes, and for nothing else.

- Every ``load_table("<name>")`` call in its code cells names a table, whose CSV and
  schema are inputs; every table also depends on the sources table, the source texts and
  datapackage.json. Table names must be string literals so this stays exact; anything
  else is an error.
- The netbook modules it runs: those its code cells import, and those they import in
  turn (``modules_run``; the loader's modules too when it loads a table). Editing a
  module no chapter imports re-executes nothing.
- requirements.txt (the pins) for every chapter.
- A chapter that runs this module (the reading view lists which chapters read each
  table) reads the other chapters' titles and ``load_table`` calls: ``chapter_index``.

The same digest, with the notebook's code, is stored in the notebook when it is executed
in place (``netbook.execute``): a stored notebook whose digest no longer matches is
*stale* (its outputs predate a change to its code or inputs). ``make book`` names stale
notebooks; ``make execute`` re-runs exactly those; nbval's failures on them say so.

    python -m netbook.cache_inputs               # before a build (make book runs it)
    python -m netbook.cache_inputs --readers trial_outcomes   # which chapters read a table
    python -m netbook.cache_inputs --stale       # which stored notebooks are stale
"""

from __future__ import annotations

import argparse
import ast
import functools
import hashlib
import json
import os
import sys
from pathlib import Path

import nbformat

from netbook import paths
from netbook.toc import chapter_of_page

DIGESTS_FILE = "netbook-input-digests.json"
ALL_TABLES = "*"  # a notebook calling load_all_tables() reads every table
STALE_HINT = "run `make execute` (re-executes the stale chapters in place), then commit the notebooks"


class InputsError(ValueError):
    pass


def _stamp(path: Path) -> tuple[str, int, int]:
    """A file's identity for the caches below: they re-read a file only when it changed."""
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=256)
def _cells(stamp: tuple[str, int, int]) -> tuple[tuple[str, str], ...]:
    """(cell type, source) of every cell. Plain JSON, not nbformat: this runs for every
    chapter before every build and preview rebuild, and validating a notebook of stored
    outputs costs far more than reading it."""
    nb = json.loads(Path(stamp[0]).read_text(encoding="utf-8"))
    return tuple(
        (c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
        for c in nb["cells"]
    )


def _code_cells(nb_path: Path) -> list[str]:
    # IPython magics are not Python; they never load tables, so blank them out.
    return [
        "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        for kind, source in _cells(_stamp(nb_path))
        if kind == "code"
    ]


LOADERS = {"load_table", "load_all_tables"}


def loader_calls(source: str, filename: str = "<code>"):
    """(function name, call node) for every call of a table loader in Python source."""
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called in LOADERS:
                yield called, node


def tables_read(nb_path: Path) -> list[str]:
    """Names of the tables a notebook loads, from its ``load_table`` calls."""
    names = set()
    calls = (
        (cell, called, node)
        for cell, source in enumerate(_code_cells(nb_path), start=1)
        for called, node in loader_calls(source, str(nb_path))
    )
    for cell, called, node in calls:
        if called == "load_table":
            arg = node.args[0] if node.args else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise InputsError(
                    f"{nb_path.name}, code cell {cell}, line {node.lineno}: load_table needs a literal "
                    "table name so the build knows which data the chapter reads"
                )
            names.add(arg.value)
        elif called == "load_all_tables":
            names.add(ALL_TABLES)
    return sorted(names)


def _imported_names(tree: ast.AST) -> set[str]:
    """Module names an import statement may load: ``from a import b`` may load ``a.b``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    # importing a.b.c runs a/__init__ and a/b/__init__ first
    return {".".join(n.split(".")[: i + 1]) for n in names for i in range(n.count(".") + 1)}


def _module_file(name: str) -> Path | None:
    """The file of a netbook module, or None for any other name (or a name that is not a module)."""
    parts = name.split(".")
    if parts[0] != "netbook":
        return None
    base = paths.ROOT.joinpath("src", *parts)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=256)
def _imports_of_file(stamp: tuple[str, int, int]) -> frozenset[str]:
    return frozenset(
        _imported_names(ast.parse(Path(stamp[0]).read_text(encoding="utf-8"), filename=stamp[0]))
    )


def modules_run(sources: list[str], filename: str = "<code>") -> list[Path]:
    """The netbook module files that code importing as ``sources`` do runs: those imported,
    and those they import in turn (statically: every import statement, at any depth)."""
    queue = sorted(set().union(*(_imported_names(ast.parse(s, filename=filename)) for s in sources)))
    found: set[Path] = set()
    while queue:
        module = _module_file(queue.pop())
        if module is None or module in found:
            continue
        found.add(module)
        queue += sorted(_imports_of_file(_stamp(module)))
    return sorted(found)


def chapter_index(notebooks: list[Path] | None = None) -> dict[str, dict]:
    """Per chapter page (notebook stem): its title (first level-1 heading), the tables it
    loads and the chapter it sits under in _toc.yml (itself, for a chapter's own page).
    The reading view lists these; a chapter that runs this module depends on them."""
    parents = chapter_of_page() if (paths.ROOT / "_toc.yml").exists() else {}
    index = {}
    for nb_path in chapter_notebooks() if notebooks is None else notebooks:
        headings = (
            source.lstrip()[2:].splitlines()[0].strip()
            for kind, source in _cells(_stamp(nb_path))
            if kind == "markdown" and source.lstrip().startswith("# ")
        )
        index[nb_path.stem] = {
            "title": next(headings, nb_path.stem),
            "tables": tables_read(nb_path),
            "chapter": parents.get(nb_path.stem, nb_path.stem),
        }
    return index


def _runs_this_module(nb_path: Path) -> bool:
    # the module's own name, also when it runs as ``python -m`` (then __name__ is "__main__")
    return _module_file(__spec__.name) in modules_run(_code_cells(nb_path), str(nb_path))


def input_files(nb_path: Path, package: Path = paths.DATAPACKAGE) -> list[Path]:
    """Every file besides its code whose change must re-execute the notebook."""
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    files = {package, paths.ROOT / "requirements.txt"}
    wanted = tables_read(nb_path)
    # a chapter that loads a table runs the loader, however it reached load_table
    imports = ["import netbook.tables"] if wanted else []
    files |= set(modules_run(_code_cells(nb_path) + imports, str(nb_path)))
    if ALL_TABLES in wanted:
        wanted = sorted(resources)
    if wanted:
        wanted.append("sources")  # every table is validated against the sources
        files |= set((package.parent / resources["sources"]["path"]).parent.glob("*.txt"))
    for name in wanted:
        if name not in resources:
            raise InputsError(f"{nb_path.name} loads unknown table {name!r}")
    for name in _tables_checked_with(wanted, resources, package.parent):
        resource = resources[name]
        files.add(package.parent / resource["path"])
        if isinstance(resource.get("schema"), str):
            files.add(package.parent / resource["schema"])
    return sorted(files)


def _tables_checked_with(wanted: list[str], resources: dict[str, dict], root: Path) -> list[str]:
    """The tables loading ``wanted`` reads: each of them, and every table the loader checks
    them against (a foreign key's table, a row rule's ``"netbook:lookups"``), at any depth."""
    found: set[str] = set()
    queue = list(wanted)
    while queue:
        name = queue.pop()
        if name in found or name not in resources:
            continue
        found.add(name)
        schema = resources[name].get("schema")
        if isinstance(schema, str):
            schema = json.loads((root / schema).read_text(encoding="utf-8"))
        schema = schema or {}
        queue += schema.get("netbook:lookups", [])
        queue += [
            fk["reference"]["resource"] for fk in schema.get("foreignKeys", []) if fk["reference"]["resource"]
        ]
    return sorted(found)


def _key(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else str(path)


def digest(nb_path: Path, package: Path = paths.DATAPACKAGE) -> str:
    h = hashlib.sha256()
    for f in input_files(nb_path, package):
        h.update(_key(f).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    if _runs_this_module(nb_path):
        h.update(json.dumps(chapter_index(), sort_keys=True).encode())
    return h.hexdigest()


def refresh(
    notebooks: list[Path], cache_dir: Path = paths.JUPYTER_CACHE, package: Path = paths.DATAPACKAGE
) -> list[Path]:
    """Drop cache records of notebooks whose inputs changed; return those notebooks. On the
    first build (no digests recorded yet) there is nothing to compare and nothing to drop:
    it returns []."""
    from jupyter_cache import get_cache

    record_file = cache_dir / DIGESTS_FILE
    first = not record_file.exists()
    old = {} if first else json.loads(record_file.read_text())
    new, stale = {}, []
    cache = get_cache(cache_dir) if cache_dir.exists() and not first else None
    for nb_path in notebooks:
        key = _key(nb_path)
        new[key] = digest(nb_path, package)
        if first or old.get(key) == new[key]:
            continue
        stale.append(nb_path)
        os.utime(nb_path)
        if cache is None:
            continue
        try:
            record = cache.match_cache_notebook(nbformat.read(nb_path, as_version=4))
        except KeyError:
            continue  # never cached, or its code changed: it re-executes anyway
        cache.remove_cache(record.pk)
    cache_dir.mkdir(parents=True, exist_ok=True)
    record_file.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    return stale


def record_digests(
    notebooks: list[Path], cache_dir: Path = paths.JUPYTER_CACHE, package: Path = paths.DATAPACKAGE
) -> None:
    """Record the current input digests of ``notebooks``, just cached from a fresh run, so
    that the next ``refresh`` keeps their records."""
    record_file = cache_dir / DIGESTS_FILE
    if not record_file.exists():
        return  # no build yet: the first one records every digest
    recorded = json.loads(record_file.read_text())
    recorded.update({_key(nb): digest(nb, package) for nb in notebooks})
    record_file.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")


def cache_is_current(
    nb_path: Path, cache_dir: Path = paths.JUPYTER_CACHE, package: Path = paths.DATAPACKAGE
) -> bool:
    """Whether the build's cache holds outputs computed from the notebook's current inputs
    (its digest as recorded by the last build or ``make execute``)."""
    record_file = cache_dir / DIGESTS_FILE
    if not record_file.exists():
        return False
    return json.loads(record_file.read_text()).get(_key(nb_path)) == digest(nb_path, package)


def stored_digest(nb_path: Path, nb=None, package: Path = paths.DATAPACKAGE) -> str:
    """What a notebook's stored outputs were computed from: its input files (``digest``),
    its code cells and its kernel."""
    nb = nbformat.read(nb_path, as_version=4) if nb is None else nb
    h = hashlib.sha256(digest(nb_path, package).encode())
    h.update(str(nb.metadata.get("kernelspec", {}).get("name", "")).encode())
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(b"\0" + cell.source.encode())
    return h.hexdigest()


def is_stale(nb_path: Path, package: Path = paths.DATAPACKAGE) -> bool:
    """Whether the notebook's stored outputs predate its code or inputs (or were stored
    without a digest, by another tool than ``netbook.execute``)."""
    nb = nbformat.read(nb_path, as_version=4)
    recorded = nb.metadata.get("netbook", {}).get("inputs_digest")
    return recorded != stored_digest(nb_path, nb, package)


def stale_notebooks(notebooks: list[Path], package: Path = paths.DATAPACKAGE) -> list[Path]:
    return [nb for nb in notebooks if is_stale(nb, package)]


def readers(table: str, notebooks: list[Path] | None = None, package: Path = paths.DATAPACKAGE) -> list[Path]:
    """The chapters that read ``table`` (through a literal ``load_table`` call, or
    ``load_all_tables``), or load a table the loader checks against it (a foreign key, a
    row rule's lookup): the chapters its change re-executes."""
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    if table not in resources:
        raise InputsError(f"no table {table!r} in {_key(package)} (tables: {', '.join(sorted(resources))})")
    notebooks = chapter_notebooks() if notebooks is None else notebooks
    found = []
    for nb in notebooks:
        read = tables_read(nb)
        checked = _tables_checked_with([t for t in read if t != ALL_TABLES], resources, package.parent)
        if table in checked or ALL_TABLES in read or (table == "sources" and read):
            found.append(nb)
    return found


def chapter_notebooks() -> list[Path]:
    return sorted(p for p in paths.CHAPTERS.glob("*.ipynb"))


def warn_stale(notebooks: list[Path], out=sys.stderr) -> list[Path]:
    stale = stale_notebooks(notebooks)
    for nb_path in stale:
        print(
            f"warning: stale stored outputs: {_key(nb_path)} (its code or inputs changed since its "
            f"outputs were stored; make test's nbval will fail on it): {STALE_HINT}",
            file=out,
        )
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m netbook.cache_inputs",
        description="Without options (make book runs this before every build): drop the build cache's "
        "records of chapters whose data, imported netbook modules or pins changed since the last build, and "
        "name every chapter whose stored outputs are stale.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--readers", metavar="TABLE", help="list the chapters that read TABLE, and do nothing else"
    )
    group.add_argument(
        "--stale",
        action="store_true",
        help="list the chapters whose stored outputs are stale, and do nothing else",
    )
    args = parser.parse_args(argv)
    try:
        if args.readers:
            for nb_path in readers(args.readers):
                print(_key(nb_path))
            return 0
        if args.stale:
            for nb_path in stale_notebooks(chapter_notebooks()):
                print(_key(nb_path))
            return 0
        changed = refresh(chapter_notebooks())
        for nb_path in changed:
            print(f"inputs changed since the last build, will execute: {_key(nb_path)}")
        warn_stale(chapter_notebooks())
    except InputsError as exc:
        print(f"netbook.cache_inputs: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
