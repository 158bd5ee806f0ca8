"""tools/with_progress.py: no long step of make book or make test is silent."""

from __future__ import annotations

import os
import subprocess
import sys

from netbook import paths

TOOL = paths.ROOT / "tools" / "with_progress.py"


def run(script: str, quiet: str = "0.6"):
    env = {**os.environ, "WITH_PROGRESS_QUIET": quiet}
    return subprocess.run(
        [sys.executable, str(TOOL), "step", "bash", "-c", script], capture_output=True, text=True, env=env
    )


def test_a_quiet_stretch_gets_a_progress_line_and_output_passes_through_in_order():
    done = run("echo first; sleep 1.6; printf 'dots'; sleep 1.6; echo >&2 last")
    lines = done.stdout.splitlines()
    assert lines[0] == "first" and lines[-1] == "last"  # stderr merged, in order
    progress = [line for line in lines if line.startswith("  step: still running (")]
    assert len(progress) >= 2
    # a progress line never joins a line the command left open
    assert "dots" in lines and all(line.startswith(("first", "dots", "last", "  step:")) for line in lines)


def test_a_chatty_command_gets_no_progress_line_and_its_status_is_kept():
    done = run("for i in 1 2 3; do echo $i; done; exit 3", quiet="5")
    assert done.returncode == 3
    assert done.stdout.splitlines() == ["1", "2", "3"]


def test_every_long_step_of_the_makefile_runs_under_it():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    for step in ("set-up", "execution", "book", "tests", "pdf", "execute"):
        assert f"$(PROGRESS) {step} " in makefile, step
