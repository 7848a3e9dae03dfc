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
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / ".venv-ministack" / "bin" / "ministack"
# MiniStack takes the credentials in its own environment as the account's root
# key, and checks presigned URLs against them even with AUTH off.
ACCESS_KEY_ID = "local"
SECRET_ACCESS_KEY = "local"  # noqa: S105 - the emulator's well-known local key


def is_listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env() -> dict[str, str]:
    """This process's environment without temporary or profile credentials, which
    would make the emulator (or a client of it) expect a session token."""
    dropped = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")
    return {k: v for k, v in os.environ.items() if k not in dropped}


def client_env(port: int) -> dict[str, str]:
    """An environment in which the portal, boto3 and Zappa talk to the MiniStack on `port`
    as its root account, and a local portal runs in debug mode."""
    return {
        **clean_env(),
        "DJANGO_DEBUG": "1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def start(
    *, port: int, state_dir: Path, log_path: Path | None = None, persist_objects: bool = True
) -> subprocess.Popen[bytes]:
    """Start MiniStack on 127.0.0.1:`port` with persistence under `state_dir`, and wait until it answers.

    AUTH is on: like AWS, it checks every signature, POST policies and CORS rules,
    so an unsigned request for a private object is refused here too. With
    `persist_objects` off, S3 objects live in memory only: a persisted object is read
    whole from disk for every GET, even of a few bytes, which AWS does not do.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **clean_env(),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "BIND_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "PERSIST_STATE": "1",
        "S3_PERSIST": "1" if persist_objects else "0",
        "STATE_DIR": str(state_dir / "state"),
        "S3_DATA_DIR": str(state_dir / "s3"),
        "AUTH": "true",
        "LOG_LEVEL": "WARNING",
    }
    log = open(log_path or state_dir / "ministack.log", "ab")  # noqa: SIM115 - handed to the child
    # A session of its own: Ctrl-C in the terminal must not reach MiniStack before
    # we stop it with SIGTERM, the signal on which it saves its state.
    process = subprocess.Popen([str(BINARY)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/_ministack/health", process=process)
    except BaseException:  # a failed start, or Ctrl-C (or make run's SIGTERM/SIGHUP) during it
        stop(process)
        raise
    (state_dir / "ministack.pid").write_text(str(process.pid))
    return process


def wait_until_answering(url: str, *, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll a loopback `url` until it answers, failing early if `process` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with code {process.returncode}.")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s.")


def stop(process: subprocess.Popen[bytes], *, timeout: float = 30) -> None:
    """SIGTERM, so MiniStack writes its state, then wait for it to exit."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_detached(state_dir: Path, *, timeout: float = 30) -> bool:
    """Stop the MiniStack whose pid `start` recorded under `state_dir` (one left running by
    `make deploy-local`). Returns whether one was running."""
    pid_file = state_dir / "ministack.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    raise TimeoutError(f"MiniStack (pid {pid}) did not stop within {timeout:.0f} s; killed it, unsaved.")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: ministack.py stop")
    stopped = stop_detached(ROOT / "var" / "ministack")
    print("MiniStack stopped; its state is saved." if stopped else "No MiniStack started by make was running.")
