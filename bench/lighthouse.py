"""Lighthouse on the built book, served as a static host serves it: `make bench` runs this.

The server (127.0.0.1, a free port) gzips text files when the browser accepts it, as
GitHub Pages does, and sends everything else as is. Lighthouse is the exact version pinned
in bench/package.json / package-lock.json (`npm ci --prefix bench` installs it into
bench/node_modules on first use) and drives Debian's Chromium with its mobile defaults
(simulated slow 4G, a mid-range phone). Scores move between runs, more so when other
work shares the machine, so each page is audited RUNS times and the run with the median
performance score is reported (as Lighthouse's own docs advise); that noise is why they
are benchmark figures and the byte budget is the test.

Run alone: `.venv/bin/python bench/lighthouse.py` prints the table for the current build.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 0.95, "accessibility": 1.00, "best-practices": 0.95, "seo": 0.95}
RUNS = 3
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text gzipped (level 6, as common hosts do) when the client accepts it."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and accepts and ctype.startswith(TEXT_TYPES)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


@contextmanager
def serve(directory: Path):
    handler = functools.partial(GzipHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


def install() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund"], check=True)


def version() -> str:
    lock = json.loads((BENCH / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/lighthouse"]["version"]


def audit(url: str, chromium: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            ],
            check=True,
            env={**os.environ, "CHROME_PATH": chromium},
            capture_output=True,
        )
        data = json.loads(report.read_text(encoding="utf-8"))
    requests = data["audits"]["network-requests"]["details"]["items"]
    return {
        "scores": {c: data["categories"][c]["score"] for c in CATEGORIES},
        "sent": sum(r.get("transferSize", 0) for r in requests),
        "uncompressed": sum(r.get("resourceSize", 0) for r in requests),
        "failed": sorted(
            a
            for a, v in data["audits"].items()
            if v.get("score") is not None
            and v["score"] < 1
            and v.get("scoreDisplayMode") in {"binary", "numeric", "metricSavings"}
        ),
        "metrics": {
            k: data["audits"][k]["numericValue"]
            for k in (
                "first-contentful-paint",
                "largest-contentful-paint",
                "total-blocking-time",
                "cumulative-layout-shift",
                "speed-index",
            )
        },
    }


def run(pages: list[str]) -> list[tuple[str, dict]]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Lighthouse needs Debian's chromium (apt-get install chromium)")
    install()
    rows = []
    with serve(ROOT / "_build" / "html") as base:
        for page in pages:
            runs = sorted(
                (audit(f"{base}{page}.html", chromium) for _ in range(RUNS)),
                key=lambda r: r["scores"]["performance"],
            )
            median = runs[len(runs) // 2]
            median["performance_runs"] = [r["scores"]["performance"] for r in runs]
            rows.append((page, median))
    return rows


def table(rows: list[tuple[str, dict]]) -> list[str]:
    def mark(category, score):
        return f"{score:.2f}" + ("" if score >= TARGETS[category] else " (below target)")

    lines = [
        "| page | performance | accessibility | best practices | SEO | sent | uncompressed "
        "| performance of the runs |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page, r in rows:
        s = r["scores"]
        lines.append(
            f"| {page} | "
            + " | ".join(mark(c, s[c]) for c in CATEGORIES)
            + f" | {r['sent'] / 1024:,.0f} KiB | {r['uncompressed'] / 1024:,.0f} KiB | "
            + ", ".join(f"{p:.2f}" for p in r.get("performance_runs", []))
            + " |"
        )
    return lines


def pages() -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from netbook.toc import toc_files

    return [e for e in toc_files() if e == "intro" or e.startswith("chapters/")]


if __name__ == "__main__":
    rows = run(pages())
    print("\n".join(table(rows)))
    for page, r in rows:
        print(
            page,
            "not full marks:",
            ", ".join(r["failed"]) or "none",
            {k: round(v) for k, v in r["metrics"].items()},
        )
