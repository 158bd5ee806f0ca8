"""netbook.execute: in-place execution without timing, and the parallel cache fill."""

from __future__ import annotations

import json

import nbformat
import pytest

from netbook import execute


def _notebook(path, *sources: str):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_in_place_execution_stores_outputs_and_no_timing(tmp_path):
    path = _notebook(tmp_path / "a.ipynb", "print(6 * 7)")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].metadata["execution"] = {"iopub.status.idle": "2020-01-01T00:00:00Z"}  # another runner's
    nbformat.write(nb, path)
    execute.execute(path)
    cell = json.loads(path.read_text())["cells"][0]
    assert "".join(cell["outputs"][0]["text"]) == "42\n"
    assert "execution" not in cell["metadata"]


def test_fill_cache_executes_what_has_no_record_then_nothing(tmp_path, capsys):
    cache = tmp_path / "cache"
    notebooks = [_notebook(tmp_path / f"{n}.ipynb", f"x = {n!r}") for n in ("one", "two")]
    assert execute.fill_cache(cache, notebooks) == []
    assert "executed in parallel into the cache: one.ipynb, two.ipynb;" in capsys.readouterr().out
    assert execute.fill_cache(cache, notebooks) == []
    assert "executed in parallel into the cache: none;" in capsys.readouterr().out


def test_fill_cache_reports_a_failing_notebook_with_its_traceback(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "x = 1")
    bad = _notebook(tmp_path / "bad.ipynb", "raise ValueError('broken chapter')")
    failed = execute.fill_cache(tmp_path / "cache", [good, bad])
    assert len(failed) == 1
    assert "bad.ipynb" in failed[0] and "broken chapter" in failed[0]


def test_usage_error_without_arguments(capsys):
    assert execute.main([]) == 2
    assert execute.main(["--unknown"]) == 2
    assert "usage" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--fill-cache", "extra"]])
def test_fill_cache_takes_no_other_argument(argv):
    assert execute.main(argv) == 2


def test_fill_cache_runs_a_failure_again_alone_before_giving_up(tmp_path, capsys):
    """A notebook that fails once for a passing reason (here: only on its first run) is run
    again on its own, so a busy machine does not stop the build."""
    marker = tmp_path / "ran-once"
    flaky = _notebook(
        tmp_path / "flaky.ipynb",
        f"from pathlib import Path\nm = Path({str(marker)!r})\nfirst = not m.exists()\nm.touch()\n"
        "if first:\n    raise RuntimeError('first run fails')",
    )
    assert execute.fill_cache(tmp_path / "cache", [flaky]) == []
    out = capsys.readouterr().out
    assert "run again, one at a time: flaky.ipynb" in out
    assert "executed in parallel into the cache: flaky.ipynb;" in out
