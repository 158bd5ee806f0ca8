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


def test_bad_arguments_are_a_usage_error(capsys):
    for argv in (["--unknown"], ["--fill-cache", "extra.ipynb"], ["--all", "--fill-cache"]):
        with pytest.raises(SystemExit) as exc:
            execute.main(argv)
        assert exc.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_help_prints_help_and_executes_nothing(capsys, monkeypatch):
    monkeypatch.setattr(execute, "run_parallel", lambda *a, **k: pytest.fail("--help executed something"))
    with pytest.raises(SystemExit) as exc:
        execute.main(["--help"])
    assert exc.value.code == 0
    assert "--fill-cache" in capsys.readouterr().out


def test_one_run_serves_the_stored_notebook_and_the_cache(tmp_path, capsys):
    """make execute: each notebook runs once; its outputs are stored in place with the
    digest of its inputs, and cached, so a build finds a record and executes nothing."""
    cache = tmp_path / "cache"
    notebooks = [_notebook(tmp_path / f"{n}.ipynb", f"print({n!r})") for n in ("one", "two")]
    from netbook import cache_inputs

    assert cache_inputs.stale_notebooks(notebooks) == notebooks  # never executed by us
    assert execute.execute_and_cache(notebooks, cache) == []
    out = capsys.readouterr().out
    assert "executed in place and into the cache: one.ipynb, two.ipynb; failed: 0" in out
    assert cache_inputs.stale_notebooks(notebooks) == []
    stored = json.loads(notebooks[0].read_text())
    assert "".join(stored["cells"][0]["outputs"][0]["text"]) == "one\n"
    assert stored["metadata"]["netbook"]["inputs_digest"] == cache_inputs.stored_digest(notebooks[0])
    assert execute.fill_cache(cache, notebooks) == []
    assert "executed in parallel into the cache: none;" in capsys.readouterr().out
    # a code edit makes exactly that notebook stale again
    nb = nbformat.read(notebooks[1], as_version=4)
    nb.cells[0].source = "print('two, edited')"
    nbformat.write(nb, notebooks[1])
    assert cache_inputs.stale_notebooks(notebooks) == [notebooks[1]]


def test_make_execute_takes_a_builds_outputs_instead_of_running_again(tmp_path, capsys):
    """A build that already executed a notebook's current code and inputs into the cache
    (make book before make execute) serves make execute too: no second run."""
    from netbook import cache_inputs

    cache = tmp_path / "cache"
    nb = _notebook(tmp_path / "a.ipynb", "print(6 * 7)")
    cache_inputs.refresh([nb], cache)  # what make book records before filling the cache
    assert execute.fill_cache(cache, [nb]) == []
    capsys.readouterr()
    assert cache_inputs.is_stale(nb)
    assert execute.execute_and_cache([nb], cache) == []
    out = capsys.readouterr().out
    assert "stored from the build's cache (already executed with these inputs): a.ipynb" in out
    assert "executing" not in out
    assert not cache_inputs.is_stale(nb)
    cell = json.loads(nb.read_text())["cells"][0]
    assert "".join(cell["outputs"][0]["text"]) == "42\n" and "execution" not in cell["metadata"]


def test_kernels_use_ipc_not_tcp():
    with execute.ipc_kernel_manager() as km:
        assert km.transport == "ipc" and km.ip.startswith("/")


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


def test_a_run_shuts_its_kernel_down_before_returning(tmp_path):
    """nbclient leaves running a kernel whose manager it is given: each chapter's kernel
    lived until the executing process exited, then logged "Parent appears to have exited"."""
    import subprocess
    import sys

    script = (
        "import nbformat, pathlib, psutil\n"
        "from netbook import execute\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1')])\n"
        "nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}\n"
        "execute.run(nb, pathlib.Path('.'))\n"
        "print(len(psutil.Process().children(recursive=True)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"  # no kernel process left behind
    assert "Parent appears to have exited" not in done.stderr
