"""Benchmark the build, the cache and the tests on this machine: `make bench`.

Measures, in order, with wall-clock time (time.perf_counter) around `make book`:
  1. cold build: `_build/` removed first, so every chapter executes;
  2. unchanged rebuild: nothing should execute;
  3. touch one chapter (mtime only): Sphinx re-reads it, jupyter-cache hits, 0 executions;
  4. edit one chapter's code (a comment appended to its last code cell): exactly one executes;
  5. change one data file (a newline added to the schema read by the fewest chapters):
     exactly the chapters reading it;
  6. change requirements.txt (a comment line): every chapter executes;
  7. the test suite (`pytest tests --nbval chapters`, the part of `make test` after the build);
  8. each chapter page in headless Chromium: bytes transferred on first load, load time.
Every file it edits is restored byte-for-byte, and a final build leaves the cache warm.
Results go to bench/results.md (the numbers of the last run, overwritten each time).
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.md"
BIN = ROOT / ".venv" / "bin"
EXECUTED = re.compile(r"^(\S+\.ipynb): Executing notebook", re.M)


def run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout + proc.stderr


def build() -> tuple[float, list[str]]:
    elapsed, out = run(["make", "book"])
    return elapsed, sorted(Path(p).name for p in EXECUTED.findall(out))


@contextmanager
def edited(path: Path, change):
    original = path.read_bytes()
    try:
        path.write_bytes(change(original))
        yield
    finally:
        path.write_bytes(original)


def append_comment_to_last_code_cell(raw: bytes) -> bytes:
    nb = json.loads(raw)
    cell = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
    source = "".join(cell["source"]) + "\n# benchmark edit"
    cell["source"] = source.splitlines(keepends=True)
    return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode()


def page_weights() -> list[tuple[str, int, float]]:
    """(page, bytes transferred, load ms) for every chapter page, first load, no cache."""
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright.sync_api import sync_playwright
    from conftest import CHROMIUM, CHROMIUM_ARGS, QuietHandler as _QuietHandler
    from test_chapters import toc_files

    if CHROMIUM is None:
        return []
    handler = functools.partial(_QuietHandler, directory=str(ROOT / "_build" / "html"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for entry in toc_files():
            context = browser.new_context()
            page = context.new_page()
            sizes: list[int] = []
            page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
            page.goto(f"{base}{entry}.html", wait_until="networkidle")
            load_ms = page.evaluate(
                "() => performance.getEntriesByType('navigation')[0].loadEventEnd")
            rows.append((entry, sum(sizes), load_ms))
            context.close()
        browser.close()
    httpd.shutdown()
    return rows


def main() -> None:
    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))
    one = ROOT / "chapters" / "sources.ipynb"
    sys.path.insert(0, str(ROOT / "src"))
    from netbook import cache_inputs

    readers = {nb.name for nb in chapters}
    def readers_of(path: Path) -> list[str]:
        return sorted(nb.name for nb in chapters if path in cache_inputs.input_files(nb))

    # the table schema read by the fewest chapters shows that only its readers re-execute
    data_file = min((p for p in sorted((ROOT / "data" / "tables").glob("*.schema.json")) if readers_of(p)),
                    key=lambda p: len(readers_of(p)))
    readers_of_data = readers_of(data_file)

    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    cold, cold_ex = build()
    warm, warm_ex = build()
    os.utime(one)
    touched, touched_ex = build()
    with edited(one, append_comment_to_last_code_cell):
        edit, edit_ex = build()
    build()  # the restored code matches the old cache record again
    with edited(data_file, lambda b: b + b"\n"):  # same schema, different bytes
        data, data_ex = build()
    build()
    with edited(ROOT / "requirements.txt", lambda b: b + b"# benchmark edit\n"):
        pins, pins_ex = build()
    build()
    tests, test_out = run([str(BIN / "python"), "-m", "pytest", "tests", "--nbval", "chapters", "-q"])
    summary = test_out.strip().splitlines()[-1]
    weights = page_weights()

    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run_bench.py; its docstring says how each figure is",
        "measured). Wall-clock seconds on this machine:",
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}.",
        "",
        "| step | seconds | notebooks executed | expected |",
        "|---|---:|---|---|",
        f"| cold build (no `_build/`) | {cold:.1f} | {len(cold_ex)} of {len(chapters)} | all |",
        f"| unchanged rebuild | {warm:.1f} | {len(warm_ex)} | none; at most 10% of cold: "
        f"{'met' if warm <= 0.1 * cold else 'NOT met'} ({100 * warm / cold:.0f}%) |",
        f"| touch one chapter (mtime) | {touched:.1f} | {len(touched_ex)} {touched_ex} | none (cache hit) |",
        f"| edit one chapter's code | {edit:.1f} | {len(edit_ex)} {edit_ex} | exactly {one.name}: "
        f"{'met' if edit_ex == [one.name] else 'NOT met'} |",
        f"| change `{data_file.relative_to(ROOT)}` | {data:.1f} | {len(data_ex)} {data_ex} | "
        f"its readers {readers_of_data}: {'met' if data_ex == readers_of_data else 'NOT met'} |",
        f"| change `requirements.txt` | {pins:.1f} | {len(pins_ex)} | all {len(readers)}: "
        f"{'met' if set(pins_ex) == readers else 'NOT met'} |",
        f"| test suite after the build | {tests:.1f} | | `{summary}` |",
        "",
    ]
    if weights:
        lines += [
            "## Chapter pages in headless Chromium",
            "",
            "First load in a fresh browser context from a local server: bytes of every",
            "response body (HTML, CSS, JS, images, fonts) and `loadEventEnd` in ms.",
            "",
            "| page | bytes transferred | load (ms) |",
            "|---|---:|---:|",
            *[f"| {entry} | {size:,} | {ms:.0f} |" for entry, size, ms in weights],
            "",
        ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
