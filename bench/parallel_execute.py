"""Execute the chapters that jupyter-cache has no record for, in parallel, before a build.

Uses jupyter-cache's own `local-parallel` executor (a process pool, one notebook per
process, cwd = the notebook's folder as myst-nb's `execution_in_temp: false`) on the cache
jupyter-book reads (`_build/.jupyter_cache`). myst-nb's `cache` mode then finds a record
for every chapter and executes none. Run after `python -m netbook.cache_inputs` (which
drops records whose data or pins changed), before `jupyter-book build`:

    .venv/bin/python -m netbook.cache_inputs && .venv/bin/python bench/parallel_execute.py

bench/run_bench.py times a cold build this way against the plain one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
TIMEOUT = 300  # as _config.yml execute.timeout


def main() -> int:
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(CACHE))
    notebooks = sorted((ROOT / "chapters").glob("*.ipynb"))
    for nb in notebooks:
        cache.add_nb_to_project(str(nb))
    start = time.perf_counter()
    result = load_executor("local-parallel", cache=cache).run_and_cache(timeout=TIMEOUT, allow_errors=False)
    elapsed = time.perf_counter() - start
    failed = sorted(result.excepted + result.errored)
    print(f"executed {len(result.succeeded)} notebook(s) in parallel in {elapsed:.1f} s; failed: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
