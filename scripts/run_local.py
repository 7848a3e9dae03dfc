"""`make run`: MiniStack, bucket and tables, a first admin, then runserver.

Ctrl-C, SIGTERM (a process manager, `kill`) and SIGHUP (the terminal closed) all stop
the portal and then MiniStack, with SIGTERM so it saves its state under var/ministack
(MINISTACK_STATE_DIR elsewhere) and the next `make run` shows the same media.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import ministack  # noqa: E402

ROOT = ministack.ROOT
PYTHON = str(ROOT / ".venv" / "bin" / "python")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def stop_like_ctrl_c(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def say(message: str) -> None:
    """Print, if anyone is still listening: after SIGHUP the terminal may be gone."""
    with contextlib.suppress(OSError):
        print(message, flush=True)


def stop_portal(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to runserver, whose autoreloader then ends the process serving requests too."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> int:
    port = int(os.environ.get("MINISTACK_PORT", "4566"))
    address = os.environ.get("RUNSERVER_ADDRESS", "127.0.0.1:8000")
    state_dir = Path(os.environ.get("MINISTACK_STATE_DIR") or ROOT / "var" / "ministack")
    signal.signal(signal.SIGTERM, stop_like_ctrl_c)
    signal.signal(signal.SIGHUP, stop_like_ctrl_c)
    emulator = server = None
    try:
        if ministack.is_listening(port):
            print(f"Using the MiniStack already running on port {port}.")
        else:
            print(f"Starting MiniStack on 127.0.0.1:{port} (state in {state_dir}) ...")
            emulator = ministack.start(port=port, state_dir=state_dir)
        manage("setup_aws")
        manage("ensure_admin")
        print(f"\nMedia Hub: http://{address}/  (Ctrl-C stops the portal and MiniStack)\n", flush=True)
        server = subprocess.Popen([PYTHON, "manage.py", "runserver", address], cwd=ROOT)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        # A second signal must not cut the shutdown short before MiniStack has saved.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        if server is not None:
            stop_portal(server)
        if emulator is not None:
            say("Stopping MiniStack and saving its state ...")
            ministack.stop(emulator)
    return 0


if __name__ == "__main__":
    sys.exit(main())
