"""A live preview for authors: ``make preview`` serves the book on localhost and rebuilds
it on save, re-executing only the chapter whose code or data changed.

It serves with sphinx-autobuild's server, file watcher and reload script (Jupyter Book 1.x
is Sphinx underneath; requirements-preview.txt, installed on first use) and builds with a
``conf.py`` generated from ``_config.yml`` into ``_build/preview`` (the same settings
``jupyter-book build`` passes to Sphinx, with paths made absolute), into its own output
folder ``_build/preview/html``, sharing the build's jupyter-cache. One Sphinx application
stays in memory between saves (``WarmBuilder``); a change to an extension or the
configuration restarts the preview. Before each rebuild it runs this module's ``pre_build``:
the cache records of chapters whose data changed are dropped (``netbook.cache_inputs``)
and every chapter without a record is executed into the cache (``netbook.execute``), so
Sphinx only reads; a prose edit executes nothing. The page in the browser reloads itself.

    python -m netbook.preview [--port 8000] [--host 127.0.0.1]
    python -m netbook.preview --write-conf     # only write _build/preview/conf.py
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
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


# a change to one of these is a change to Sphinx's own set-up: the preview restarts itself
RESTART_ON = ("_ext", "_config.yml", "_toc.yml", "requirements.txt", "requirements-preview.txt")


def ignored_patterns(root: Path = paths.ROOT) -> list[str]:
    """Regular expressions for paths whose changes are not the book's (outputs, tools, tests)."""
    patterns = [rf"(^|/){re.escape(name)}(/|$)" for name in IGNORED]
    return patterns + [r"\.(pyc|swp|swx)$|~$|/\.#"]


def needs_restart(changed: list[Path], root: Path = paths.ROOT) -> bool:
    """Whether a change reaches Sphinx's set-up (an extension, the configuration), which a
    warm Sphinx application cannot take in: the preview then starts again."""
    for path in changed:
        try:
            first = path.resolve().relative_to(root).parts[0]
        except (ValueError, IndexError):
            continue
        if first in RESTART_ON:
            return True
    return False


class WarmBuilder:
    """Rebuilds in this process with one Sphinx application kept between saves.

    sphinx-autobuild runs ``python -m sphinx`` in a new process for every save; on a
    2-core machine starting Python, importing Sphinx, myst-nb and the book's extensions
    and setting the application up took some 3-4 s of a 10 s prose-edit rebuild. Here the
    application (and the ``pre_build`` step) stays in memory; Sphinx reads only the
    changed pages, as it would from the command line.
    """

    def __init__(self, url: str, argv: list[str]):
        self.url, self.argv, self.app = url, argv, None

    def _new_app(self):
        from sphinx.application import Sphinx

        app = Sphinx(
            str(paths.ROOT),
            str(PREVIEW),
            str(PREVIEW / "html"),
            str(PREVIEW / "doctrees"),
            "html",
            status=None,  # quiet (-q): warnings and errors only
            warning=sys.stderr,
            freshenv=False,
        )
        # a11y_pygments (imported by the theme) sets the root logger to INFO at import, so
        # every library's chatter (the file watcher's "1 change detected") reached the
        # terminal; Sphinx logs through its own handlers and is not affected
        logging.getLogger().setLevel(logging.WARNING)
        return app

    def __call__(self, *, changed_paths=()):
        from sphinx_autobuild.utils import show_message

        changed = list(changed_paths)
        if changed:
            shown = ", ".join(
                str(p.relative_to(paths.ROOT)) for p in changed[:5] if p.is_relative_to(paths.ROOT)
            )
            show_message(f"Detected changes ({shown})")
            if needs_restart(changed):
                show_message("an extension or the configuration changed: the preview starts again")
                os.execv(sys.executable, [sys.executable, "-m", "netbook.preview", *self.argv])
            show_message("Rebuilding...")
        start = time.perf_counter()
        # a Markdown page or the bibliography is no chapter's input: nothing can execute
        prose_only = changed and all(p.suffix in (".md", ".bib") for p in changed)
        if not prose_only and pre_build() != 0:
            return
        built = time.perf_counter()
        try:
            if self.app is None:
                self.app = self._new_app()
            self.app.build(force_all=False)
            now = time.perf_counter()
            show_message(
                f"rebuilt in {now - start:.1f} s (chapters {built - start:.1f} s, Sphinx {now - built:.1f} s)"
            )
        except Exception:  # noqa: BLE001 - shown, and the next save starts a new application
            import traceback

            traceback.print_exc()
            self.app = None
            show_message("the build failed (above); the pages served are the last good ones")
        show_message(f"Serving on {self.url}")


def serve(port: int, host: str, argv: list[str]) -> None:
    """sphinx-autobuild's server (its file watcher, static files and reload script) with
    the warm builder, called in a thread of this process instead of a new process."""
    import asyncio

    import uvicorn
    import watchfiles
    from sphinx_autobuild.filter import IgnoreFilter
    from sphinx_autobuild.middleware import JavascriptInjectorMiddleware
    from sphinx_autobuild.server import RebuildServer
    from sphinx_autobuild.utils import show_message
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount, WebSocketRoute
    from starlette.staticfiles import StaticFiles

    class InProcessRebuildServer(RebuildServer):
        async def watch(self) -> None:
            async for changes in watchfiles.awatch(*self.paths, watch_filter=lambda _, p: not self.ignore(p)):
                changed = sorted({Path(p).resolve() for _, p in changes})
                await asyncio.to_thread(self.change_callback, changed_paths=changed)
                self.flag.set()

    # the file watcher logs each change at INFO, shown once a11y_pygments (imported by
    # the theme) has set the root logger to INFO
    logging.getLogger("watchfiles").setLevel(logging.WARNING)
    out = PREVIEW / "html"
    out.mkdir(parents=True, exist_ok=True)
    url_host = f"{host}:{port}"
    builder = WarmBuilder(f"http://{url_host}", argv)
    ignore = IgnoreFilter([out, PREVIEW / "doctrees"], ignored_patterns())
    watcher = InProcessRebuildServer([paths.ROOT], ignore, change_callback=builder)
    app = Starlette(
        routes=[
            WebSocketRoute("/websocket-reload", watcher, name="reload"),
            Mount("/", app=StaticFiles(directory=out, html=True), name="static"),
        ],
        middleware=[Middleware(JavascriptInjectorMiddleware, ws_url=url_host)],
        lifespan=watcher.lifespan,
    )
    show_message("Starting initial build")
    builder()
    show_message("Waiting to detect changes...")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    except KeyboardInterrupt:
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
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
    print(
        f"preview: serving http://{args.host}:{args.port}/ (first build reads every page: about 1 min; "
        "then a saved edit reaches the page in seconds). Ctrl-C stops it.",
        flush=True,
    )
    serve(args.port, args.host, argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
