"""Benchmark the build, the cache and the tests on this machine: `make bench`.

Measures, in order, with wall-clock time (time.perf_counter) around `make book`:
  1. cold build: `_build/` removed first, so every chapter executes (in parallel, first);
  2. unchanged rebuild: nothing should execute;
  3. touch one chapter (mtime only): Sphinx re-reads it, jupyter-cache hits, 0 executions;
  4. edit one chapter's code (a comment appended to its last code cell): exactly one executes;
  5. change one data file (a newline added to the schema read by the fewest chapters):
     exactly the chapters reading it;
  6. change requirements.txt (a comment line): every chapter executes;
  7. the test suite (`pytest tests --nbval chapters -n 2 --dist loadfile --no-loadscope-reorder`, the part of
     `make test` after the build), with the summed durations of its groups of tests;
  8. each chapter page in headless Chromium: bytes transferred on first load, load time;
  9. Lighthouse (bench/lighthouse.py) on the intro and every chapter page, served gzipped;
 10. a cold build without the parallel step (myst-nb executing one chapter at a time),
     split into notebook execution (the seconds myst-nb logs) and the rest (Sphinx),
     against the cold `make book`, which executes the chapters in parallel first.
Every file it edits is restored byte-for-byte, and a final build leaves the cache warm.
Results go to bench/results.md (the numbers of the last run, overwritten each time).

The contributor's loop (`make bench` measures it last; `make bench BENCH=loop` measures
only this and rewrites only its section of bench/results.md):
 11. the "change a row" recipe: a data file read by the fewest chapters edited, then
     `make execute` and `make book`: executions counted (each reader exactly once, all in
     `make execute`; none in `make book`);
 12. `make preview` (netbook.preview, sphinx-autobuild): a one-word prose edit of intro.md
     and a comment appended to a code cell of hepatic_metastases, each timed from the save
     to the preview's HTML holding the change, beside the physical limit: one page read
     and written (the preview's Sphinx command alone, one page changed) and one chapter
     executed (netbook.execute.run on that chapter alone).
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
EXECUTED = re.compile(r"^(\S+\.ipynb): Executing notebook", re.M)  # by myst-nb, one at a time
FILLED = re.compile(r"^executed in parallel into the cache: (.*); failed", re.M)  # netbook.execute
IN_PLACE = re.compile(r"^executed in place and into the cache: (.*); failed", re.M)  # make execute
LOOP_HEADING = "## The contributor's loop"
EXECUTION_SECONDS = re.compile(r"^\S+\.ipynb: Executed notebook in ([\d.]+) seconds", re.M)
TEST_COMMAND = [
    *("-m", "pytest", "tests", "--nbval", "chapters"),
    *("-n", "2", "--dist", "loadfile", "--no-loadscope-reorder", "-q"),
]
# Groups of the suite for the per-group times (a test file belongs to the first that matches).
GROUPS = [
    ("nbval (chapters re-executed, outputs compared)", lambda f: f.startswith("chapters")),
    (
        "browser (Chromium: pages, axe audit, byte budget, screenshots)",
        lambda f: (
            f
            in {
                "tests.test_browser",
                "tests.test_reader_pages",
                "tests.test_accessibility",
                "tests.test_page_budget",
                "tests.test_screenshots",
            }
        ),
    ),
    ("built book (HTML, search index, build log)", lambda f: f == "tests.test_built_book"),
    (
        "data (tables, schemas, quotes, extracted values)",
        lambda f: (
            f
            in {
                "tests.test_data",
                "tests.test_hepatic_tables",
                "tests.test_chapters",
            }
        ),
    ),
    ("unit (package and extensions)", lambda f: True),
]


def run(cmd: list[str], check: bool = True) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if check and proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout + proc.stderr


def executed_in(out: str) -> list[str]:
    """The chapters a build executed: in parallel into the cache, or by myst-nb."""
    filled = [n for line in FILLED.findall(out) if line != "none" for n in line.split(", ")]
    return sorted(filled + [Path(p).name for p in EXECUTED.findall(out)])


def build() -> tuple[float, list[str]]:
    elapsed, out = run(["make", "book"])
    return elapsed, executed_in(out)


def cold_builds() -> dict[str, float]:
    """Cold build without the parallel step (myst-nb executing one chapter at a time while
    Sphinx reads, as `make book` did before), split into execution and the rest; then the
    cold build `make book` does: chapters executed in parallel into the cache first, by
    jupyter-cache's local-parallel executor (netbook.execute --fill-cache)."""
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    start = time.perf_counter()
    run([str(BIN / "python"), "-m", "netbook.cache_inputs"])
    _, out = run([str(BIN / "jupyter-book"), "build", ".", "--warningiserror", "--keep-going"])
    serial = time.perf_counter() - start
    executed = sum(float(x) for x in EXECUTION_SECONDS.findall(out))
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    parallel, out = run(["make", "book"])
    if EXECUTED.findall(out):
        sys.exit(f"after the parallel execution myst-nb still executed {EXECUTED.findall(out)}")
    return {
        "serial": serial,
        "executing": executed,
        "sphinx": serial - executed,
        "parallel": parallel,
        "parallel_executed": executed_in(out),
    }


def parallel_verdict(colds: dict[str, float]) -> list[str]:
    saved = 1 - colds["parallel"] / colds["serial"]
    verdict = (
        "the chapters are independent, and the pool overlaps one chapter's kernel start and imports"
        " with another's work."
        if saved > 0
        else "no gain on this run: on two cores shared with other work, two chapters at once take"
        " about as long as one after the other."
    )
    return [
        f"`make book` executing the chapters in parallel first saved {100 * saved:.0f}% of a cold build: {verdict}",
        "(myst-nb's `cache` mode has no parallel option of its own; jupyter-cache's executor is",
        "the supported way, and myst-nb then reads every chapter from the cache.)",
    ]


def group_times(junit: Path) -> list[tuple[str, int, float]]:
    import xml.etree.ElementTree as ET

    totals = {name: [0, 0.0] for name, _ in GROUPS}
    for case in ET.parse(junit).iter("testcase"):
        name = next(n for n, match in GROUPS if match(case.get("classname", "")))
        totals[name][0] += 1
        totals[name][1] += float(case.get("time", 0))
    return [(name, n, seconds) for name, (n, seconds) in totals.items()]


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
    sys.path.insert(0, str(ROOT / "tools"))
    from chromium import CHROMIUM, CHROMIUM_ARGS
    from chromium import QuietHandler as _QuietHandler
    from playwright.sync_api import sync_playwright

    from netbook.toc import toc_files

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
            page.on("response", lambda r, sizes=sizes: sizes.append(len(r.body())) if r.ok else None)
            page.goto(f"{base}{entry}.html", wait_until="networkidle")
            load_ms = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
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
    data_file = min(
        (p for p in sorted((ROOT / "data" / "tables").glob("*.schema.json")) if readers_of(p)),
        key=lambda p: len(readers_of(p)),
    )
    readers_of_data = readers_of(data_file)

    colds = cold_builds()  # leaves the cache warm and the book built, as a cold build does
    cold, cold_ex = colds["parallel"], colds["parallel_executed"]
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
    if shutil.which("xelatex"):  # as make test does: the intro links the PDF, a test follows the link
        run(["make", "pdf"])
    junit = ROOT / "_build" / "bench-junit.xml"
    load_before = os.getloadavg()[0]
    # a failing test is reported in the table (its summary line), not a reason to lose the rest
    tests, test_out = run([str(BIN / "python"), *TEST_COMMAND, f"--junit-xml={junit}"], check=False)
    load_after = os.getloadavg()[0]
    summary = test_out.strip().splitlines()[-1]
    groups = group_times(junit)
    weights = page_weights()
    sys.path.insert(0, str(ROOT / "bench"))
    import lighthouse

    lighthouse_rows = lighthouse.run(lighthouse.pages())

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
        f"| test suite after the build | {tests:.1f} | | `{summary}`; at most 180 s: "
        f"{'met' if tests <= 180 else 'NOT met'} |",
        "",
        "## The cold build, explained",
        "",
        "Without help, myst-nb (`cache` mode) executes the chapters one after another while",
        "Sphinx reads them. `make book` first executes every chapter the cache has no record",
        "for in parallel (`netbook.execute --fill-cache`: jupyter-cache's `local-parallel`",
        "executor, a process pool over the cores), and Sphinx then finds every chapter in the",
        "cache. Both cold (no `_build/`):",
        "",
        "| cold build | seconds |",
        "|---|---:|",
        f"| serial (myst-nb executing): total | {colds['serial']:.1f} |",
        f"| serial: notebook execution (sum of the times myst-nb logs) | {colds['executing']:.1f} |",
        f"| serial: the rest (Sphinx reading and writing, the input check) | {colds['sphinx']:.1f} |",
        f"| `make book` (parallel execution first): total | {colds['parallel']:.1f} "
        f"({100 * (1 - colds['parallel'] / colds['serial']):+.0f}% time saved) |",
        "",
        *parallel_verdict(colds),
        "",
        "## The test suite by group",
        "",
        f"`python {' '.join(TEST_COMMAND)}`: {tests:.1f} s wall clock on {os.cpu_count()} cores",
        f"(load average {load_before:.1f} before, {load_after:.1f} after: other work shares the",
        "machine). Per group, the summed durations of its tests (setup included) over both",
        "workers, so the groups add up to about twice the wall clock:",
        "",
        "| group | tests | seconds |",
        "|---|---:|---:|",
        *[f"| {name} | {n} | {seconds:.1f} |" for name, n, seconds in groups],
        "",
        f"## Lighthouse {lighthouse.version()} (mobile defaults), pages served gzipped",
        "",
        f"bench/lighthouse.py: {lighthouse.RUNS} runs per page, the run with the median performance",
        "score shown (scores move between runs, more when the machine is shared);",
        "sent = bytes over the network (gzip), uncompressed = the resources' own sizes.",
        "Targets: performance >= 0.95, accessibility 1.00, best practices >= 0.95, SEO >= 0.95.",
        "",
        *lighthouse.table(lighthouse_rows),
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


def names_in(pattern: re.Pattern, out: str) -> list[str]:
    return sorted(n for line in pattern.findall(out) if line != "none" for n in line.split(", "))


def recipe_bench(data_file: Path, readers: list[str]) -> list[str]:
    """Edit a data file, then the CONTRIBUTING recipe: make execute, make book. Every file
    the run rewrites (the data file, the readers' notebooks, the cache's digest record) is
    put back, so the cache stays warm for what follows."""
    digests = ROOT / "_build" / ".jupyter_cache" / "netbook-input-digests.json"
    keep = [data_file, digests, *(ROOT / "chapters" / name for name in readers)]
    saved = {p: p.read_bytes() for p in keep if p.exists()}
    try:
        data_file.write_bytes(saved[data_file] + b"\n")
        ex_time, ex_out = run(["make", "execute"])
        book_time, book_out = run(["make", "book"])
    finally:
        for path, raw in saved.items():
            path.write_bytes(raw)
    in_execute, in_book = names_in(IN_PLACE, ex_out), executed_in(book_out)
    met = in_execute == sorted(readers) and not in_book
    return [
        "### Change a row: `make execute`, then `make book`",
        "",
        f"`{data_file.relative_to(ROOT)}` edited (a newline), read by {len(readers)} chapters: {', '.join(readers)}.",
        "",
        "| step | seconds | chapters executed |",
        "|---|---:|---|",
        f"| `make execute` | {ex_time:.1f} | {len(in_execute)}: {', '.join(in_execute) or 'none'} |",
        f"| `make book` afterwards | {book_time:.1f} | {len(in_book)}: {', '.join(in_book) or 'none'} |",
        "",
        f"Each affected chapter executed exactly once, all by `make execute`: {'met' if met else 'NOT met'}.",
        "",
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(path: Path, marker: str, present: bool, start: float, limit: float = 600) -> float:
    while time.perf_counter() - start < limit:
        if path.exists() and (marker in path.read_text(encoding="utf-8", errors="replace")) == present:
            return time.perf_counter() - start
        time.sleep(0.05)
    sys.exit(f"preview: {path} did not {'show' if present else 'drop'} {marker!r} within {limit:.0f} s")


def _prose_edit(marker: str):
    return lambda raw: raw.replace(b"Four publications", f"Four {marker} publications".encode(), 1)


def _code_edit(marker: str):
    def change(raw: bytes) -> bytes:
        return append_comment_to_last_code_cell(raw).replace(b"# benchmark edit", f"# {marker}".encode())

    return change


def preview_bench(runs: int = 3) -> list[str]:
    import signal
    import statistics

    intro, chapter = ROOT / "intro.md", ROOT / "chapters" / "hepatic_metastases.ipynb"
    html = ROOT / "_build" / "preview" / "html"
    intro_page, chapter_page = html / "intro.html", html / "chapters" / "hepatic_metastases.html"
    log_path = ROOT / "_build" / "bench-preview.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(BIN / "python"), "-m", "netbook.preview", "--port", str(_free_port())],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    prose, code, executed = [], [], []
    try:
        start = time.perf_counter()
        while "Waiting to detect changes" not in log_path.read_text(errors="replace"):
            if server.poll() is not None or time.perf_counter() - start > 900:
                sys.exit(f"preview did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        first = time.perf_counter() - start
        # an untimed edit first: the watcher may still be setting up its watches when the
        # server says it is waiting (an edit then goes unseen); saved again until it is seen
        warm = "benchwarmup"
        with edited(intro, _prose_edit(warm)):
            seen = time.perf_counter()
            while not (intro_page.exists() and warm in intro_page.read_text(errors="replace")):
                if time.perf_counter() - seen > 20:
                    intro.write_bytes(intro.read_bytes())
                    seen = time.perf_counter()
                time.sleep(0.2)
        _wait_for(intro_page, warm, False, time.perf_counter())
        time.sleep(1)
        for i in range(runs):
            marker = f"benchprose{i}"
            with edited(intro, _prose_edit(marker)):
                prose.append(_wait_for(intro_page, marker, True, time.perf_counter()))
            _wait_for(intro_page, marker, False, time.perf_counter())
            time.sleep(1)
        for i in range(runs):
            # a marker no earlier run used: jupyter-cache keeps the records of earlier
            # runs' edits, and a repeated marker is a cache hit, not an execution
            marker = f"benchcode{i}x{time.time_ns()}"
            before = log_path.read_text(errors="replace")
            with edited(chapter, _code_edit(marker)):
                code.append(_wait_for(chapter_page, marker, True, time.perf_counter()))
            executed.append(names_in(FILLED, log_path.read_text(errors="replace")[len(before) :]))
            _wait_for(chapter_page, marker, False, time.perf_counter())
            time.sleep(1)
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C, as an author stops it
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    # the physical limits, measured alone (the preview stopped): first an untimed build
    # settles what the edits left (the restored chapter is newer than its last read), then
    # one page is touched and the preview's own Sphinx command timed
    conf = ROOT / "_build" / "preview"
    sphinx = [str(BIN / "python"), "-m", "sphinx", "build", str(ROOT), str(html), "-c", str(conf)]
    sphinx += ["-d", str(conf / "doctrees"), "-q"]
    run(sphinx)
    os.utime(intro)
    one_page, _ = run(sphinx)
    chapter_run, _ = run(
        [
            str(BIN / "python"),
            "-c",
            "import nbformat, pathlib, time; from netbook import execute; "
            f"p = pathlib.Path({str(chapter)!r}); nb = nbformat.read(p, as_version=4); "
            "t = time.perf_counter(); execute.run(nb, p.parent); print(time.perf_counter() - t)",
        ]
    )
    p_med, c_med = statistics.median(prose), statistics.median(code)
    once = all(e == [chapter.name] for e in executed)
    return [
        "### `make preview`: from a save to the page",
        "",
        f"First build of the preview (every page read; chapters from the cache): {first:.1f} s.",
        f"Median of {runs} edits each; load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| edit | seconds (median) | all runs | physical limit | target | |",
        "|---|---:|---|---:|---|---|",
        f"| one word of prose (intro.md) | {p_med:.1f} | {', '.join(f'{x:.1f}' for x in prose)} | "
        f"{one_page:.1f} (one page read and written: the preview's Sphinx command alone) | within 5 s | "
        f"{'met' if p_med <= 5 else 'NOT met'} |",
        f"| a comment in a code cell (hepatic_metastases) | {c_med:.1f} | {', '.join(f'{x:.1f}' for x in code)} | "
        f"{chapter_run:.1f} + {one_page:.1f} (the chapter executed alone + one page) | "
        f"within the chapter's run time + 5 s ({chapter_run + 5:.1f} s) | "
        f"{'met' if c_med <= chapter_run + 5 else 'NOT met'} |",
        "",
        f"Chapters the preview executed per code edit: {executed} "
        f"(only the edited chapter, once: {'met' if once else 'NOT met'}).",
        "",
    ]


def loop_section(data_file: Path, readers: list[str]) -> list[str]:
    return [
        LOOP_HEADING,
        "",
        "Measured by `make bench BENCH=loop` (or at the end of `make bench`).",
        "",
        *recipe_bench(data_file, readers),
        *preview_bench(),
    ]


def write_loop_section(lines: list[str]) -> None:
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    head = old.split(LOOP_HEADING, 1)[0].rstrip("\n")
    RESULTS.write_text(head + "\n\n" + "\n".join(lines), encoding="utf-8")


def loop_main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from netbook import cache_inputs

    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))

    def readers_of(path: Path) -> list[str]:
        return sorted(nb.name for nb in chapters if path in cache_inputs.input_files(nb))

    data_file = min(
        (p for p in sorted((ROOT / "data" / "tables").glob("*.schema.json")) if readers_of(p)),
        key=lambda p: len(readers_of(p)),
    )
    run(["make", "book"])  # a warm cache to start from
    lines = loop_section(data_file, readers_of(data_file))
    write_loop_section(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    if os.environ.get("BENCH") == "loop" or sys.argv[1:] == ["loop"]:
        loop_main()
    else:
        main()
        loop_main()
