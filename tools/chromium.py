"""Debian's Chromium as the browser tests and the benchmarks start it, and a quiet static
server for the built book: one place, so tests/conftest.py and bench/ share it (the
benchmarks never import the tests' conftest)."""

from __future__ import annotations

import http.server
import shutil

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without these, Chromium phones home at start-up and the closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    def log_message(self, *args):
        pass
