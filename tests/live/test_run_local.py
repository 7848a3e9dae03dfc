"""`make run` (scripts/run_local.py) stopped by Ctrl-C, SIGTERM or SIGHUP: the portal stops,
then MiniStack stops cleanly and saves its state. Each case runs the real script with its
own ports and state folder, and checks afterwards that none of its processes is left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import ministack

pytestmark = pytest.mark.live


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def restore_ctrl_c() -> None:
    # A shell that starts a job in the background makes it ignore SIGINT; a terminal's
    # `make run` does not, so the script gets Python's usual KeyboardInterrupt here too.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [
        (signal.SIGTERM, False),  # a process manager, or kill
        (signal.SIGHUP, False),
        (signal.SIGINT, False),
        (signal.SIGINT, True),  # Ctrl-C in the terminal: the whole foreground group
        (signal.SIGHUP, True),  # the terminal closed: the shell hangs up the whole job
    ],
    ids=["TERM", "HUP", "INT", "Ctrl-C", "terminal-closed"],
)
def test_a_stop_signal_stops_the_portal_then_ministack_which_saves_its_state(tmp_path, signum, to_group):
    port, web = ministack.free_port(), ministack.free_port()
    state_dir = tmp_path / "ministack"
    env = {
        **ministack.client_env(port),
        "MINISTACK_PORT": str(port),
        "RUNSERVER_ADDRESS": f"127.0.0.1:{web}",
        "MINISTACK_STATE_DIR": str(state_dir),
    }
    with open(tmp_path / "run.log", "wb") as log:
        run = subprocess.Popen(
            [sys.executable, "scripts/run_local.py"],
            cwd=ministack.ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=restore_ctrl_c,
            start_new_session=True,  # a process group of its own, as a terminal's job has
        )
    started: set[int] = set()
    try:
        ministack.wait_until_answering(f"http://127.0.0.1:{web}/accounts/login/", process=run, timeout=180)
        started = descendants(run.pid)
        emulator = int((state_dir / "ministack.pid").read_text())
        assert emulator in started and len(started) >= 2  # MiniStack and runserver

        if to_group:
            os.killpg(run.pid, signum)
        else:
            run.send_signal(signum)
        run.wait(timeout=90)

        assert run.returncode == 0, (tmp_path / "run.log").read_text()
        assert [pid for pid in started if running(pid)] == [], "processes left running"
        assert not ministack.is_listening(web) and not ministack.is_listening(port)
        saved = json.loads((state_dir / "state" / "dynamodb.json").read_text())
        assert "mediahub-local-users" in json.dumps(saved)
    finally:
        for pid in {run.pid, *started}:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
