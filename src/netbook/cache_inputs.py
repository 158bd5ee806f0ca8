"""Keep jupyter-cache from serving outputs computed from old data or old pins.

jupyter-cache keys a notebook on its code cells (and kernelspec) only: change a CSV a
chapter loads, or a pin in requirements.txt, and the cached outputs would still be
served. Before each build (``python -m netbook.cache_inputs``) this module hashes what
each chapter reads besides its code, compares with the digest recorded at the previous
build, and for every chapter whose inputs changed drops its cache record and touches
the notebook (Sphinx re-reads only documents whose file is newer than its last read,
so without the touch myst-nb would not even look at the cache). jupyter-book then
re-executes exactly those chapters.

What a chapter reads is found statically: every ``load_table("<name>")`` call in its
code cells names a table, whose CSV and schema are inputs. Every table also depends on
the sources table, the source texts and datapackage.json. All chapters depend on
requirements.txt and the netbook package itself (its subpackages included: a chapter's
companion module in ``netbook.chapters`` is code the chapter runs).
Table names must be string literals so this stays exact; anything else is an error.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
from pathlib import Path

import nbformat

from netbook import paths

DIGESTS_FILE = "netbook-input-digests.json"
ALL_TABLES = "*"  # a notebook calling load_all_tables() reads every table


class InputsError(ValueError):
    pass


def _code_cells(nb_path: Path) -> list[str]:
    nb = nbformat.read(nb_path, as_version=4)
    # IPython magics are not Python; they never load tables, so blank them out.
    return [
        "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in c.source.splitlines())
        for c in nb.cells
        if c.cell_type == "code"
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


def input_files(nb_path: Path, package: Path = paths.DATAPACKAGE) -> list[Path]:
    """Every file besides its code whose change must re-execute the notebook."""
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    files = {package, paths.ROOT / "requirements.txt"}
    files |= set((paths.ROOT / "src" / "netbook").rglob("*.py"))
    wanted = tables_read(nb_path)
    if ALL_TABLES in wanted:
        wanted = sorted(resources)
    if wanted:
        wanted.append("sources")  # every table is validated against the sources
        files |= set((package.parent / resources["sources"]["path"]).parent.glob("*.txt"))
    for name in wanted:
        if name not in resources:
            raise InputsError(f"{nb_path.name} loads unknown table {name!r}")
        resource = resources[name]
        files.add(package.parent / resource["path"])
        if isinstance(resource.get("schema"), str):
            files.add(package.parent / resource["schema"])
    return sorted(files)


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
    return h.hexdigest()


def refresh(
    notebooks: list[Path], cache_dir: Path = paths.JUPYTER_CACHE, package: Path = paths.DATAPACKAGE
) -> list[Path]:
    """Drop cache records of notebooks whose inputs changed; return those notebooks."""
    from jupyter_cache import get_cache

    record_file = cache_dir / DIGESTS_FILE
    old = json.loads(record_file.read_text()) if record_file.exists() else {}
    new, stale = {}, []
    cache = get_cache(cache_dir) if cache_dir.exists() else None
    for nb_path in notebooks:
        key = _key(nb_path)
        new[key] = digest(nb_path, package)
        if old.get(key) == new[key]:
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


def chapter_notebooks() -> list[Path]:
    return sorted(p for p in paths.CHAPTERS.glob("*.ipynb"))


def main() -> int:
    try:
        stale = refresh(chapter_notebooks())
    except InputsError as exc:
        print(f"netbook.cache_inputs: {exc}", file=sys.stderr)
        return 1
    for nb_path in stale:
        print(f"inputs changed, will execute: {_key(nb_path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
