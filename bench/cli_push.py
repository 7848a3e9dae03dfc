"""`mediahub push` against boto3 uploading the same files straight to the bucket, with the
same concurrency, in one run: 500 small files (100 KB) and 2 large ones (500 MB).

The CLI (`python -m mediahub_client push DIR --jobs N`, a real process) goes through the
portal, served by N gunicorn worker processes (sync: one request each at a time). On AWS
each concurrent request runs in its own Lambda instance; one runserver process would
serialise the portal's CPU on its GIL, which no deployment does (`--portal-workers 0`
measures that anyway). boto3 has no portal, so this removes an artificial serialisation and
adds nothing to the CLI's side. Before the timed pushes the CLI pushes 10 small files per
job, untimed, so that each worker (and runserver) is warm, as Lambda instances serving a
steady stream are: a cold worker spends a second or two of CPU importing and making its AWS
clients, which on this bench's 2 cores is time taken from everyone. Every file's SHA-256
computed locally and looked up 100 at a time; small files (up to 16 MiB) declared in
batches, each one's bytes on its own signed POST, then the batch finished at once, where the
portal checks each file; large files declared alone and sent in signed 8 MiB parts, then
`complete`. Each item is `ready` (or rejected with its reason) when the CLI exits. The
baseline is boto3's `upload_file` of the same files to the same MiniStack, N files at a time
in a ThreadPoolExecutor, each with `max_concurrency=N` and the same threshold and part size
(the CLI also sends a file's parts N at a time), and nothing else: no checksum, no record,
no check. Small and large files are timed apart, then added up; the ratio is boto3's time
over the CLI's (≥ 0.8 is the goal).

Run: .venv/bin/python bench/cli_push.py [--small 500] [--small-kb 100] [--large 2] [--large-mb 500] [--jobs 4]
     [--portal-workers N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import ministack  # noqa: E402
from tests.media import mp4_file  # noqa: E402

MiB = 1024 * 1024
PART = 8 * MiB
THRESHOLD = 100 * MiB
BUCKET = "mediahub-bench-cli"
MAKE_TOKEN = """
from datetime import timedelta
from django.utils import timezone
from accounts.services import token_create, user_create
user = user_create(username="bench", password="Bench-cli-pass-1")
print(token_create(user=user, name="bench", scope="read-write", expires_at=timezone.now() + timedelta(days=1))[1])
"""


def make_files(folder: Path, count: int, size: int, prefix: str) -> list[Path]:
    """Valid MP4s of exactly `size` bytes, each made distinct by random bytes in its media
    data (the CLI would skip a second copy of the same content)."""
    folder.mkdir(parents=True)
    paths = []
    for n in range(count):
        path = mp4_file(folder / f"{prefix}-{n:04}.mp4", size=size)
        with path.open("r+b") as out:
            out.seek(size // 2)
            out.write(os.urandom(64))
        paths.append(path)
    return paths


def portal_command(python: str, port: int, *, workers: int) -> list[str]:
    """The portal as `workers` gunicorn processes (one request each at a time, as a Lambda
    instance takes one), or as one runserver process if `workers` is 0."""
    if not workers:
        return [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    gunicorn = str(Path(python).with_name("gunicorn"))
    # A large file's `complete` waits for MiniStack to assemble its parts: no 30 s timeout.
    return [
        *(gunicorn, "--workers", str(workers), "--preload", "--timeout", "600"),
        *("--bind", f"127.0.0.1:{port}", "mediahub.wsgi"),
    ]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process `pid` (all its threads, ended ones too) and of
    its live descendants so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        total += sum(cpu_seconds(int(child)) for child in (task / "children").read_text().split())
    return total


def cli_push(folder: Path, env: dict[str, str], jobs: int) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mediahub_client", "push", str(folder), "--jobs", str(jobs)],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"mediahub push failed ({done.returncode}): {done.stdout}{done.stderr[-2000:]}")
    print(f"    mediahub: {done.stdout.strip()}")
    return seconds


def boto3_push(files: list[Path], s3: Any, jobs: int) -> float:
    config = TransferConfig(multipart_threshold=THRESHOLD, multipart_chunksize=PART, max_concurrency=jobs)

    def send(path: Path) -> None:
        s3.upload_file(str(path), BUCKET, f"baseline/{path.parent.name}/{path.name}", Config=config)

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(send, files))
    seconds = time.perf_counter() - started
    for path in files:
        s3.delete_object(Bucket=BUCKET, Key=f"baseline/{path.parent.name}/{path.name}")
    return seconds


def sha256_seconds(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        with path.open("rb") as source:
            hashlib.file_digest(source, "sha256")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--small-kb", type=int, default=100)
    parser.add_argument("--large", type=int, default=2)
    parser.add_argument("--large-mb", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument(
        "--portal-workers", type=int, help="gunicorn worker processes (default: --jobs; 0: one runserver process)"
    )
    args = parser.parse_args()
    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # Pushed first, untimed: every portal worker has imported what a request needs and
        # made its AWS clients, as a warm Lambda instance has.
        warmup = make_files(folder / "warmup", 10 * args.jobs, args.small_kb * 1000, "warmup")
        sets = {
            "small": make_files(folder / "small", args.small, args.small_kb * 1000, "small"),
            "large": make_files(folder / "large", args.large, args.large_mb * 1000 * 1000, "large"),
        }
        port, portal_port = ministack.free_port(), ministack.free_port()
        emulator = ministack.start(port=port, state_dir=folder / "ministack", persist_objects=False)
        env = {
            **ministack.client_env(port),
            "MEDIAHUB_BUCKET": BUCKET,
            "MEDIAHUB_TABLE_PREFIX": BUCKET,
            "MEDIAHUB_MULTIPART_THRESHOLD_BYTES": str(THRESHOLD),
        }
        server = None
        try:
            subprocess.run([python, "manage.py", "setup_aws"], cwd=ROOT, env=env, check=True, capture_output=True)
            made = subprocess.run(
                [python, "manage.py", "shell", "-c", MAKE_TOKEN], cwd=ROOT, env=env, check=True, capture_output=True
            )
            token = made.stdout.decode().strip().splitlines()[-1]
            server = subprocess.Popen(
                portal_command(
                    python, portal_port, workers=args.jobs if args.portal_workers is None else args.portal_workers
                ),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{portal_port}"
            ministack.wait_until_answering(f"{base}/accounts/login/", process=server)
            s3 = boto3.client(
                "s3",
                endpoint_url=env["AWS_ENDPOINT_URL"],
                region_name="us-east-1",
                aws_access_key_id=ministack.ACCESS_KEY_ID,
                aws_secret_access_key=ministack.SECRET_ACCESS_KEY,
            )
            client_env = {
                **os.environ,
                "PYTHONPATH": str(ROOT / "client" / "src"),
                "MEDIAHUB_URL": base,
                "MEDIAHUB_TOKEN": token,
                "XDG_CONFIG_HOME": str(folder / "config"),
            }
            cli_push(warmup[0].parent, client_env, args.jobs)
            results: dict[str, dict[str, float]] = {}
            for name, files in sets.items():
                total = sum(path.stat().st_size for path in files)
                print(f"{name}: {len(files)} files, {total / 1e6:.0f} MB, {args.jobs} at a time")
                baseline = boto3_push(files, s3, args.jobs)
                before = {"portal": cpu_seconds(server.pid), "ministack": cpu_seconds(emulator.pid)}
                cli = cli_push(folder / name, client_env, args.jobs)
                used = {
                    who: cpu_seconds(p) - before[who]
                    for who, p in (("portal", server.pid), ("ministack", emulator.pid))
                }
                hashing = sha256_seconds(files)
                results[name] = {"bytes": total, "files": len(files), "boto3": baseline, "cli": cli, "sha256": hashing}
                print(
                    f"    boto3 {baseline:.1f} s ({total / MiB / baseline:.0f} MiB/s), "
                    f"CLI {cli:.1f} s ({total / MiB / cli:.0f} MiB/s), ratio {baseline / cli:.2f}; "
                    f"SHA-256 of these files alone {hashing:.2f} s"
                )
                print(
                    f"    CPU during the CLI's push: portal {used['portal']:.1f} s, MiniStack {used['ministack']:.1f} s"
                )
            all_boto3 = sum(r["boto3"] for r in results.values())
            all_cli = sum(r["cli"] for r in results.values())
            all_bytes = sum(r["bytes"] for r in results.values())
            print(
                f"all: boto3 {all_boto3:.1f} s ({all_bytes / MiB / all_boto3:.0f} MiB/s), "
                f"CLI {all_cli:.1f} s ({all_bytes / MiB / all_cli:.0f} MiB/s), "
                f"throughput ratio CLI / boto3 {all_boto3 / all_cli:.2f}"
            )
            print(json.dumps(results))
        finally:
            if server is not None:
                server.terminate()
                server.wait()
            ministack.stop(emulator)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
