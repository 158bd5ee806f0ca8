"""Re-execute chapter notebooks in place, storing outputs nbval can compare.

``python -m netbook.execute chapters/x.ipynb ...`` (``make execute`` runs every
chapter). Unlike ``jupyter execute``, it records no per-cell timing metadata, so a
re-run that changes no output changes no byte of the notebook.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 300) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # timestamps left by other runners
        cell.metadata.pop("execution", None)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m netbook.execute NOTEBOOK...", file=sys.stderr)
        return 2
    for name in argv:
        print(f"executing {name}")
        execute(Path(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
