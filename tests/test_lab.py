"""`make lab` starts JupyterLab on the chapters with the book's kernel.

The test runs `make lab` itself, headless, on 127.0.0.1 (a free port, a random token),
asks its REST API for the chapters and the kernels, runs `import netbook` in the
default kernel over the kernel's websocket, and stops the server.

JupyterLab (requirements-lab.txt) is installed into .venv by `make lab` on first use,
not by `make book`. Under CI=true this test installs it when missing; elsewhere it
skips with a message until `make lab` has been run once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from netbook import paths

JUPYTER_LAB = Path(sys.prefix) / "bin" / "jupyter-lab"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The base URL and token of a JupyterLab started with `make lab`."""
    if os.environ.get("CI"):
        with open(Path(sys.prefix) / ".lab.lock", "w") as lock:  # one pip at a time (xdist)
            fcntl.flock(lock, fcntl.LOCK_EX)
            subprocess.run(
                ["make", "--no-print-directory", ".venv/.lab-installed"], cwd=paths.ROOT, check=True
            )
    elif not JUPYTER_LAB.exists():
        pytest.skip(
            "JupyterLab is not installed in .venv: `make lab` installs it from "
            "requirements-lab.txt on first use; skipping the JupyterLab test"
        )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = secrets.token_hex(16)
    home = tmp_path_factory.mktemp("lab")
    env = {
        **os.environ,
        # runtime files, settings and workspaces of this run stay out of the home folder
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    args = (
        f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
        f"--ServerApp.port_retries=0 --IdentityProvider.token={token}"
    )
    # (as root, as in CI containers, make lab adds --allow-root itself: not added here)
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
        cwd=paths.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"make lab exited with {server.returncode}:\n{(home / 'lab.log').read_text()[-3000:]}"
                )
            try:
                _get(base, token, "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab did not answer within 120 s:\n{(home / 'lab.log').read_text()[-3000:]}"
                    )
                time.sleep(0.5)
        yield base, token
    finally:
        if server.poll() is None:  # stop make and the server it started (its own group)
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


def _request(base: str, token: str, path: str, method: str = "GET", body: dict | None = None):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


def _get(base: str, token: str, path: str):
    return _request(base, token, path)


def test_make_lab_allows_root_only_as_root():
    """JupyterLab refuses to run as root without --allow-root: make lab adds it for uid 0."""
    out = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", ".venv/.lab-installed", "lab"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    command = next(line for line in out.splitlines() if "jupyter-lab" in line)
    assert ("--allow-root" in command) == (os.geteuid() == 0), command


def test_lab_serves_the_chapters(lab):
    base, token = lab
    listing = _get(base, token, "/api/contents/chapters")
    assert listing["type"] == "directory"
    served = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
    assert served == {nb.name for nb in paths.CHAPTERS.glob("*.ipynb")}
    # the book's notebooks name the kernel `python3`; the server must offer it, as default
    specs = _get(base, token, "/api/kernelspecs")
    assert specs["default"] == "python3" and "python3" in specs["kernelspecs"]
    needed = {
        json.loads(nb.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"]
        for nb in paths.CHAPTERS.glob("*.ipynb")
    }
    assert needed <= set(specs["kernelspecs"])


def test_the_kernel_imports_netbook_from_this_checkout(lab):
    base, token = lab
    kernel = _request(base, token, "/api/kernels", "POST", {"name": "python3"})
    try:
        # a thread of its own: the session's browser fixtures may keep an event loop running here
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            out = pool.submit(
                asyncio.run,
                _execute(
                    base,
                    token,
                    kernel["id"],
                    "import sys, netbook; print(netbook.__file__); print(sys.prefix)",
                ),
            ).result()
    finally:
        _request(base, token, f"/api/kernels/{kernel['id']}", "DELETE")
    module, prefix = out.split()
    assert Path(module) == paths.ROOT / "src" / "netbook" / "__init__.py"
    assert Path(prefix) == Path(sys.prefix)  # the .venv's Python, with the book's pins


async def _execute(base: str, token: str, kernel_id: str, code: str) -> str:
    """Runs `code` through the kernel's websocket (Jupyter messaging, JSON) and returns
    what it printed."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    socket_ = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
    msg_id = uuid.uuid4().hex
    socket_.write_message(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": "test",
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": False,
                    "user_expressions": {},
                    "allow_stdin": False,
                },
            }
        )
    )
    printed, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline:
        raw = await asyncio.wait_for(socket_.read_message(), timeout=60)
        assert raw is not None, "the kernel's websocket closed"
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "stream":
            printed.append(message["content"]["text"])
        elif kind == "error":
            raise AssertionError("\n".join(message["content"]["traceback"]))
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            break
    socket_.close()
    return "".join(printed)
