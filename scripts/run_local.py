"""`make run`: MiniStack, bucket and tables, a first admin, then runserver.

Ctrl-C stops the portal and then MiniStack (with SIGTERM, so it saves its
state under var/ and the next `make run` shows the same media).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import ministack  # noqa: E402

ROOT = ministack.ROOT
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    port = int(os.environ.get("MINISTACK_PORT", "4566"))
    address = os.environ.get("RUNSERVER_ADDRESS", "127.0.0.1:8000")
    emulator = None
    if ministack.is_listening(port):
        print(f"Using the MiniStack already running on port {port}.")
    else:
        print(f"Starting MiniStack on 127.0.0.1:{port} (state in var/ministack) ...")
        emulator = ministack.start(port=port, state_dir=ROOT / "var" / "ministack")
    try:
        manage("setup_aws")
        manage("ensure_admin")
        print(f"\nMedia Hub: http://{address}/  (Ctrl-C stops the portal and MiniStack)\n", flush=True)
        subprocess.run([PYTHON, "manage.py", "runserver", address], cwd=ROOT, check=False)
    except KeyboardInterrupt:
        pass
    finally:
        if emulator is not None:
            print("Stopping MiniStack and saving its state ...")
            ministack.stop(emulator)
    return 0


if __name__ == "__main__":
    sys.exit(main())
