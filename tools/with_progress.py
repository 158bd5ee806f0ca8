#!/usr/bin/env python3
"""with_progress.py LABEL COMMAND...: run COMMAND, pass its output (stdout and stderr,
merged) through as it comes, and whenever it has printed nothing for QUIET seconds print
"  LABEL: still running (N s)", so no step of make book or make test is silent for more
than about ten seconds (pip installing, chapters executing, Sphinx writing a big page, a
long test). Exits with COMMAND's status. Standard library only: it runs before .venv exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

# seconds without output before a progress line (the tests shorten it)
QUIET = float(os.environ.get("WITH_PROGRESS_QUIET", "8"))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    label, command = argv[0], argv[1:]
    out = sys.stdout.buffer
    start = last = time.monotonic()
    at_line_start = True
    lock = threading.Lock()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def tick() -> None:
        nonlocal last, at_line_start
        while proc.poll() is None:
            time.sleep(0.5)
            with lock:
                now = time.monotonic()
                if now - last >= QUIET and proc.poll() is None:
                    prefix = b"" if at_line_start else b"\n"
                    out.write(prefix + f"  {label}: still running ({now - start:.0f} s)\n".encode())
                    out.flush()
                    last, at_line_start = now, True

    threading.Thread(target=tick, daemon=True).start()
    while chunk := os.read(proc.stdout.fileno(), 65536):
        with lock:
            out.write(chunk)
            out.flush()
            last, at_line_start = time.monotonic(), chunk.endswith(b"\n")
    return proc.wait()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
