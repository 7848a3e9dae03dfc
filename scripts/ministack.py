"""Start and stop MiniStack, the local AWS emulator, for `make run` and the live tests.

MiniStack runs from its own virtualenv (.venv-ministack) because it pins its
own botocore. It binds to 127.0.0.1 only, keeps its state under the given
folder, and saves that state when stopped with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / ".venv-ministack" / "bin" / "ministack"


def is_listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(*, port: int, state_dir: Path, auth: bool = False, log_path: Path | None = None) -> subprocess.Popen:
    """Start MiniStack on 127.0.0.1:`port` with persistence under `state_dir`, and wait until it answers."""
    state_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BIND_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "PERSIST_STATE": "1",
        "S3_PERSIST": "1",
        "STATE_DIR": str(state_dir / "state"),
        "S3_DATA_DIR": str(state_dir / "s3"),
        "AUTH": "true" if auth else "false",
        "LOG_LEVEL": "WARNING",
    }
    log = open(log_path or state_dir / "ministack.log", "ab")  # noqa: SIM115 - handed to the child
    # A session of its own: Ctrl-C in the terminal must not reach MiniStack before
    # we stop it with SIGTERM, the signal on which it saves its state.
    process = subprocess.Popen([str(BINARY)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(port, process=process)
    except Exception:
        stop(process)
        raise
    return process


def wait_ready(port: int, *, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_ministack/health"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"MiniStack exited with code {process.returncode}; see its log.")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"MiniStack did not answer on port {port} within {timeout:.0f} s.")


def stop(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """SIGTERM, so MiniStack writes its state, then wait for it to exit."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
