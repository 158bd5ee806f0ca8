"""Execute chapter notebooks once per change: the run both stores the notebook's outputs
(what nbval compares) and fills the book's jupyter-cache (what the pages show).

``python -m netbook.execute`` (``make execute``) re-executes, in parallel, the chapters
whose stored outputs are stale: their code, a data file they load (``load_table`` with a
literal name), a netbook module they import or requirements.txt changed since their outputs were
stored (``netbook.cache_inputs.stored_digest``, kept in the notebook's metadata). Each
result is written in place and cached, so the next ``make book`` executes nothing.
``--all`` runs every chapter; ``NOTEBOOK...`` runs those given.

``python -m netbook.execute --fill-cache`` (``make book``, after ``netbook.cache_inputs``)
executes, in parallel, every chapter the build's jupyter-cache has no record for, caching
the outputs only (the stored notebooks are left as they are). myst-nb's ``cache`` mode,
which executes one notebook at a time while Sphinx reads, then finds a record for every
chapter.

Unlike ``jupyter execute``, no per-cell timing metadata is recorded, so a re-run that
changes no output changes no byte of the notebook. Kernels talk to this process over IPC
(Unix sockets in a private temporary folder), not TCP: no port to race for when several
start at once, and no "Kernel is running over TCP without encryption" warning.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import nbformat

DIGEST_KEY = "inputs_digest"  # nb.metadata["netbook"][DIGEST_KEY]


@contextmanager
def ipc_kernel_manager(kernel_name: str = "python3"):
    """A kernel manager whose kernel listens on Unix sockets in a private folder."""
    from jupyter_client.manager import KernelManager

    folder = tempfile.mkdtemp(prefix="netbook-kernel-")
    km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(folder, "k"))
    try:
        yield km
    finally:
        # nbclient leaves running a kernel whose manager it was given; left alone, the kernel
        # lives on until this process exits and then logs "Parent appears to have exited"
        if km.has_kernel:
            km.shutdown_kernel()
        shutil.rmtree(folder, ignore_errors=True)


def run(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """Execute ``nb`` (in place in memory) with ``cwd`` as its folder; return it."""
    from nbclient import NotebookClient

    for cell in nb.cells:  # timestamps left by other runners
        cell.metadata.pop("execution", None)
    with ipc_kernel_manager() as km:
        NotebookClient(
            nb,
            km=km,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": str(cwd)}},
        ).execute()
    return nb


def mark_fresh(nb: nbformat.NotebookNode, path: Path) -> None:
    """Record in the notebook which inputs its outputs were computed from."""
    from netbook import cache_inputs

    nb.metadata.setdefault("netbook", {})[DIGEST_KEY] = cache_inputs.stored_digest(path, nb)


def execute(path: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` in place (outputs and input digest stored)."""
    nb = run(nbformat.read(path, as_version=4), path.parent, timeout)
    mark_fresh(nb, path)
    nbformat.write(nb, path)
    return nb


def _run_file(path: str, timeout: int) -> str:
    """Pool worker: the executed notebook at ``path``, as JSON (the file is not written)."""
    nb = run(nbformat.read(path, as_version=4), Path(path).parent, timeout)
    return nbformat.writes(nb)


def run_parallel(paths: list[Path], timeout: int = 300) -> tuple[dict[Path, nbformat.NotebookNode], dict]:
    """Execute ``paths`` side by side (one process per core); a failure is run again,
    alone, before it counts (a busy machine can fail a kernel start). Return the executed
    notebooks and, for each failure, its message."""
    done, failed = {}, {}
    if not paths:
        return done, failed
    if len(paths) == 1:
        # one chapter (a save in make preview): in this process, without a pool's start-up
        try:
            done[paths[0]] = nbformat.reads(_run_file(str(paths[0]), timeout), as_version=4)
        except Exception as exc:  # noqa: BLE001 - reported with the notebook's name
            failed[paths[0]] = exc
    else:
        workers = max(1, min(len(paths), os.cpu_count() or 1))
        # spawn, not fork: a forked copy of a process that holds threads and ZeroMQ sockets
        # (pytest, a kernel client) can hang
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {p: pool.submit(_run_file, str(p), timeout) for p in paths}
            for p, future in futures.items():
                try:
                    done[p] = nbformat.reads(future.result(), as_version=4)
                except Exception as exc:  # noqa: BLE001 - reported with the notebook's name
                    failed[p] = exc
    if failed:
        print(f"run again, one at a time: {', '.join(sorted(p.name for p in failed))}", flush=True)
        for p in sorted(failed):
            try:
                done[p] = nbformat.reads(_run_file(str(p), timeout), as_version=4)
                del failed[p]
            except Exception as exc:  # noqa: BLE001
                failed[p] = exc
    return done, {p: f"{p}:\n{exc}" for p, exc in sorted(failed.items())}


def _cache(cache_dir: Path):
    from jupyter_cache import get_cache

    return get_cache(str(cache_dir))


def store_in_cache(cache, path: Path, nb: nbformat.NotebookNode) -> None:
    from jupyter_cache.base import CacheBundleIn

    cache.cache_notebook_bundle(CacheBundleIn(nb, str(path)), check_validity=False, overwrite=True)


def fill_cache(cache_dir: Path, notebooks: list[Path], timeout: int = 300, quiet: bool = False) -> list[str]:
    """Execute in parallel the ``notebooks`` that the jupyter-cache at ``cache_dir`` has
    no record for, caching their outputs; return one message per failed notebook (its
    error), so the caller can stop the build."""
    cache = _cache(cache_dir)
    missing = []
    for path in notebooks:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            missing.append(path)
    if missing:
        print(
            f"executing {len(missing)} chapter(s) into the build's cache, {min(len(missing), os.cpu_count() or 1)}"
            " at a time (about 10-60 s each): " + ", ".join(p.name for p in missing),
            flush=True,
        )
    done, failed = run_parallel(missing, timeout)
    for path, nb in done.items():
        store_in_cache(cache, path, nb)
    executed = ", ".join(sorted(p.name for p in done)) or "none"
    if missing or not quiet:
        print(f"executed in parallel into the cache: {executed}; failed: {len(failed)}")
    return list(failed.values())


def execute_and_cache(
    notebooks: list[Path], cache_dir: Path, timeout: int = 300, reuse_cache: bool = True
) -> list[str]:
    """Execute ``notebooks`` in parallel; store each result in place (with its input
    digest) and in the build's jupyter-cache; return one message per failure. With
    ``reuse_cache``, a notebook whose current code and inputs the build's cache already
    holds outputs for (``make book`` ran first) takes those outputs instead of running."""
    from netbook import cache_inputs

    if not notebooks:
        print("every chapter's stored outputs are up to date with its inputs: nothing to execute")
        return []
    cache = _cache(cache_dir)
    if reuse_cache:
        # a build already executed these inputs into the cache: store its outputs, do not run again
        reused = []
        for path in notebooks:
            if not cache_inputs.cache_is_current(path, cache_dir):
                continue
            try:
                _, nb = cache.merge_match_into_file(str(path))
            except KeyError:
                continue
            for cell in nb.cells:
                cell.metadata.pop("execution", None)
            mark_fresh(nb, path)
            nbformat.write(nb, path)
            reused.append(path)
        if reused:
            print(
                "stored from the build's cache (already executed with these inputs): "
                + ", ".join(p.name for p in reused)
            )
        notebooks = [p for p in notebooks if p not in reused]
        if not notebooks:
            return []
    print(
        f"executing {len(notebooks)} chapter(s), {min(len(notebooks), os.cpu_count() or 1)} at a time "
        "(about 10-60 s each): " + ", ".join(p.name for p in notebooks),
        flush=True,
    )
    start = time.monotonic()
    done, failed = run_parallel(notebooks, timeout)
    for path, nb in sorted(done.items()):
        mark_fresh(nb, path)
        nbformat.write(nb, path)
        store_in_cache(cache, path, nb)
    cache_inputs.record_digests(sorted(done), cache_dir)
    names = ", ".join(sorted(p.name for p in done)) or "none"
    print(
        f"executed in place and into the cache: {names}; failed: {len(failed)} ({time.monotonic() - start:.0f} s)"
    )
    return list(failed.values())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m netbook.execute",
        description="Re-execute chapter notebooks in parallel: in place (stored outputs, for nbval) "
        "and into the book's jupyter-cache, so that make book does not execute them again.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("notebooks", nargs="*", default=[], type=Path, help="notebooks to execute")
    group.add_argument("--all", action="store_true", help="execute every chapter")
    group.add_argument(
        "--fill-cache",
        action="store_true",
        help="execute into the build's cache only the chapters it has no record for (make book)",
    )
    args = parser.parse_args(argv)
    from netbook import cache_inputs, paths

    if args.fill_cache:
        failed = fill_cache(paths.JUPYTER_CACHE, cache_inputs.chapter_notebooks())
    else:
        if args.notebooks:
            notebooks = [p.resolve() for p in args.notebooks]
        elif args.all:
            notebooks = cache_inputs.chapter_notebooks()
        else:
            notebooks = cache_inputs.stale_notebooks(cache_inputs.chapter_notebooks())
        failed = execute_and_cache(
            notebooks, paths.JUPYTER_CACHE, reuse_cache=not (args.all or args.notebooks)
        )
    for message in failed:
        print(message, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
