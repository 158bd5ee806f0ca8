"""A live preview for authors: ``make preview`` serves the book on localhost and rebuilds
it on save, re-executing only the chapter whose code or data changed.

It runs sphinx-autobuild (Jupyter Book 1.x is Sphinx underneath; requirements-preview.txt,
installed on first use) with a ``conf.py`` generated from ``_config.yml`` into
``_build/preview`` (the same settings ``jupyter-book build`` passes to Sphinx, with paths
made absolute), into its own output folder ``_build/preview/html``, sharing the build's
jupyter-cache. Before each rebuild (``--pre-build``) it runs this module's ``pre_build``:
the cache records of chapters whose data changed are dropped (``netbook.cache_inputs``)
and every chapter without a record is executed into the cache (``netbook.execute``), so
Sphinx only reads; a prose edit executes nothing. The page in the browser reloads itself.

    python -m netbook.preview [--port 8000] [--host 127.0.0.1]
    python -m netbook.preview --write-conf     # only write _build/preview/conf.py
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from netbook import paths

PREVIEW = paths.ROOT / "_build" / "preview"
# settings holding paths that Sphinx reads relative to the folder of conf.py
_PATH_LISTS = ("html_extra_path", "html_static_path", "latex_additional_files", "bibtex_bibfiles")
_PATHS = ("html_favicon", "external_toc_path", "nb_execution_cache_path")
# folders whose changes are not the book's (outputs, tools, tests)
IGNORED = ("_build", ".venv", ".git", "tests", "bench", "test-artifacts", ".ipynb_checkpoints", "__pycache__")


def sphinx_config(root: Path = paths.ROOT) -> dict:
    """What ``jupyter-book build`` passes to Sphinx for this book, paths made absolute."""
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(
        user_yaml=root / "_config.yml", sourcedir=root, cli_config={"latex_individualpages": False}
    )
    for key in _PATH_LISTS:
        if key in config:
            config[key] = [str(root / p) for p in config[key]]
    for key in _PATHS:
        if config.get(key):
            config[key] = str(root / config[key])
    return config


def write_conf(folder: Path = PREVIEW, root: Path = paths.ROOT) -> Path:
    config = sphinx_config(root)
    lines = [
        "# Written by python -m netbook.preview from _config.yml (make preview): do not edit.",
        "import sys",
        f"sys.path.insert(0, {str(root / '_ext')!r})",
        *(f"{key} = {config[key]!r}" for key in sorted(config)),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "conf.py"
    text = "\n".join(lines) + "\n"
    if not conf.exists() or conf.read_text(encoding="utf-8") != text:
        conf.write_text(text, encoding="utf-8")
    return conf


def pre_build() -> int:
    """Before each rebuild: drop stale cache records, execute what has none (in parallel,
    into the cache), and name stale stored notebooks."""
    from netbook import cache_inputs, execute

    try:
        changed = cache_inputs.refresh(cache_inputs.chapter_notebooks())
    except cache_inputs.InputsError as exc:
        print(f"netbook.cache_inputs: {exc}", file=sys.stderr)
        return 1
    for nb in changed:
        print(f"preview: data or pins of {nb.name} changed: it executes again")
    failed = execute.fill_cache(paths.JUPYTER_CACHE, cache_inputs.chapter_notebooks(), quiet=True)
    for message in failed:
        print(message, file=sys.stderr)
    cache_inputs.warn_stale(cache_inputs.chapter_notebooks())
    return 1 if failed else 0


def autobuild_args(port: int, host: str, root: Path = paths.ROOT) -> list[str]:
    args = [str(root), str(PREVIEW / "html"), "-c", str(PREVIEW), "-d", str(PREVIEW / "doctrees")]
    args += ["--port", str(port), "--host", host, "--watch", str(root / "src")]
    args += ["--pre-build", f"{sys.executable} -m netbook.preview --pre-build"]
    for name in IGNORED:
        args += ["--re-ignore", rf"(^|/){re.escape(name)}(/|$)"]
    args += ["--re-ignore", r"\.(pyc|swp|swx)$|~$|/\.#"]
    return args + ["-q"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m netbook.preview", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PREVIEW_PORT", "8000")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--write-conf", action="store_true", help="write _build/preview/conf.py and stop")
    parser.add_argument("--pre-build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pre_build:
        return pre_build()
    conf = write_conf()
    if args.write_conf:
        print(conf)
        return 0
    from sphinx_autobuild.__main__ import main as autobuild

    print(
        f"preview: serving http://{args.host}:{args.port}/ (first build reads every page: about 1 min; "
        "then a saved edit reaches the page in seconds). Ctrl-C stops it.",
        flush=True,
    )
    autobuild(autobuild_args(args.port, args.host))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
