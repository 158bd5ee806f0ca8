"""Execute chapter notebooks: in place for nbval, or in parallel into the build's cache.

``python -m netbook.execute chapters/x.ipynb ...`` (``make execute`` runs every
chapter) re-executes notebooks in place. Unlike ``jupyter execute``, it records no
per-cell timing metadata, so a re-run that changes no output changes no byte of the
notebook.

``python -m netbook.execute --fill-cache`` (``make book`` runs it after
``netbook.cache_inputs``) executes, with jupyter-cache's own ``local-parallel``
executor (a process pool over the cores), every chapter the build's jupyter-cache has
no valid record for. myst-nb's ``cache`` mode, which executes one notebook at a time
while Sphinx reads, then finds a record for every chapter. The chapters are
independent, so a cold build runs them side by side (``make bench`` reports the gain).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 300) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # timestamps left by other runners
        cell.metadata.pop("execution", None)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(nb, path)


def fill_cache(cache_dir: Path, notebooks: list[Path], timeout: int = 300) -> list[str]:
    """Execute in parallel the ``notebooks`` that the jupyter-cache at ``cache_dir`` has
    no valid record for, caching their outputs; return one message per failed notebook
    (its traceback), so the caller can stop the build."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(cache_dir))
    for nb in notebooks:
        cache.add_nb_to_project(str(nb))
    result = load_executor("local-parallel", cache=cache).run_and_cache(timeout=timeout, allow_errors=False)
    # A notebook can fail in the pool for the pool's sake (two kernels starting at once, the
    # cache's database busy under load): each failure is run again, alone, and only a
    # failure that repeats stops the build, with its traceback.
    again = sorted(result.excepted + result.errored)
    if again:
        print(f"run again, one at a time: {', '.join(Path(uri).name for uri in again)}")
        serial = load_executor("local-serial", cache=cache).run_and_cache(
            filter_uris=again, timeout=timeout, allow_errors=False
        )
        result.succeeded.extend(serial.succeeded)
        result.excepted[:], result.errored[:] = serial.excepted, serial.errored
    failed = []
    for uri in sorted(result.excepted + result.errored):
        record = cache.get_project_record(uri)
        failed.append(f"{uri}:\n{record.traceback or 'no traceback recorded'}")
    executed = ", ".join(sorted(Path(uri).name for uri in result.succeeded)) or "none"
    print(f"executed in parallel into the cache: {executed}; failed: {len(failed)}")
    return failed


def main(argv: list[str]) -> int:
    if argv == ["--fill-cache"]:
        from netbook import paths

        failed = fill_cache(paths.JUPYTER_CACHE, sorted(paths.CHAPTERS.glob("*.ipynb")))
        for message in failed:
            print(message, file=sys.stderr)
        return 1 if failed else 0
    if not argv or argv[0].startswith("-"):
        print("usage: python -m netbook.execute NOTEBOOK... | --fill-cache", file=sys.stderr)
        return 2
    for name in argv:
        print(f"executing {name}")
        execute(Path(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
