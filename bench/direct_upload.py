"""Direct upload of large files: until `ready` against boto3's own upload_file to the same
MiniStack, the `complete` call's own time at several sizes, the time until the off-request
checksum lands, and the memory of the portal's Django process while the bytes go by.

The client speaks the uploader's protocol (create, sign each part, PUT the part to S3,
complete): the portal only signs and verifies. boto3's time covers its parts and S3's
assembly; the direct path's is reported for the parts alone, for the `complete` call
(S3 assembles, the portal verifies with a few ranged reads: the item is then ready), and
until the checksum pass (a thread of the portal, reading every byte) has written the
SHA-256. boto3 runs once, for the size given by --baseline-mib. Each file is removed from
the emulator after its run (MiniStack holds objects in memory). The portal's resident
memory is sampled every 20 ms during each upload and compared with its size just before.

Run: .venv/bin/python bench/direct_upload.py [--sizes-mib 256,1024,4096] [--baseline-mib 1024] [--workers 4]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests
from boto3.s3.transfer import TransferConfig

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import ministack  # noqa: E402
from tests.media import mp4_file  # noqa: E402

MiB = 1024 * 1024
PART = 8 * MiB
PASSWORD = "Bench-upload-pass-1"  # noqa: S105
BUCKET = "mediahub-bench"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, rss_kib(pid), True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)


def portal_env(port: int, portal_port: int) -> dict[str, str]:
    return {
        **ministack.client_env(port),
        "MEDIAHUB_BUCKET": BUCKET,
        "MEDIAHUB_TABLE_PREFIX": BUCKET,
        # MiniStack assembles a 4 GiB upload in memory, slower than S3's 25 s allowance.
        "MEDIAHUB_AWS_ASSEMBLY_TIMEOUT": "300",
        "MEDIAHUB_CORS_ORIGINS": f"http://127.0.0.1:{portal_port}",
        "MEDIAHUB_DIRECT_UPLOAD_MAX_BYTES": str(64 * 1024 * MiB),
        # The multipart path whatever --size-mib says, as the uploader takes for large files.
        "MEDIAHUB_MULTIPART_THRESHOLD_BYTES": str(PART),
    }


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    credentials = {"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    session.post(f"{base}/accounts/login/", data=credentials, timeout=10).raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies.get("csrftoken") or ""
    return session


@dataclass
class Timing:
    """One direct upload: seconds for its parts, its complete call, and until its checksum."""

    parts: float
    complete: float
    checked: float  # the portal's own share of complete: its check, as it logs it
    checksum: float
    peak_kib: int
    before_kib: int

    @property
    def ready(self) -> float:
        return self.parts + self.complete


def direct_upload(session: requests.Session, base: str, path: Path, workers: int, server: Server) -> Timing:
    """Upload as the browser would, then wait for the checksum pass (polled in DynamoDB)."""
    size = path.stat().st_size
    declared: dict[str, Any] = {
        "name": "bench",
        "caption": "",
        "filename": path.name,
        "size": size,
        "type": "video/mp4",
    }
    created = session.post(f"{base}/api/v1/uploads", json=declared, timeout=30).json()
    media_id = created["item"]["id"]

    def send(number: int) -> dict[str, Any]:
        url = session.post(f"{base}/api/v1/uploads/{media_id}/parts", json={"part_numbers": [number]}, timeout=30)
        with path.open("rb") as source:
            source.seek((number - 1) * PART)
            data = source.read(PART)
        response = requests.put(url.json()["urls"][str(number)], data=data, timeout=300)
        response.raise_for_status()
        return {"part_number": number, "etag": response.headers["ETag"]}

    sampler = RssSampler(server.pid)
    before = sampler.peak
    sampler.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(send, range(1, -(-size // PART) + 1)))
    transferred = time.perf_counter()
    done = session.post(f"{base}/api/v1/uploads/{media_id}/complete", json={"parts": parts}, timeout=300)
    completed = time.perf_counter()
    if done.json()["status"] != "ready":
        raise RuntimeError(done.text)
    sha256 = wait_for_checksum(media_id)
    landed = time.perf_counter()
    sampler.running = False
    sampler.join()
    with path.open("rb") as source:
        if sha256 != hashlib.file_digest(source, "sha256").hexdigest():
            raise RuntimeError(f"the checksum of {media_id} is wrong")
    aws_s3().delete_object(Bucket=BUCKET, Key=created["key"])
    checked = float(re.findall(rf"Checked media {media_id} \(\d+ bytes\) in ([\d.]+) s", server.log.read_text())[0])
    return Timing(transferred - started, completed - transferred, checked, landed - completed, sampler.peak, before)


@dataclass
class Server:
    """The portal on runserver, its log (where it says how long each check took) in a file."""

    pid: int
    log: Path


def wait_for_checksum(media_id: str, timeout: float = 600) -> str:
    table = aws_client("dynamodb")
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        item = table.get_item(TableName=f"{BUCKET}-media", Key={"id": {"S": media_id}}, ConsistentRead=True)["Item"]
        if "sha256" in item:
            return str(item["sha256"]["S"])
        time.sleep(0.1)
    raise RuntimeError(f"no checksum for {media_id} after {timeout} s")


ENDPOINT: dict[str, str] = {}


def aws_client(service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=ENDPOINT["url"],
        region_name="us-east-1",
        aws_access_key_id=ministack.ACCESS_KEY_ID,
        aws_secret_access_key=ministack.SECRET_ACCESS_KEY,
    )


def aws_s3() -> Any:
    return aws_client("s3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-mib", default="256,1024,4096")
    parser.add_argument("--baseline-mib", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes_mib.split(",")]
    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port, portal_port = ministack.free_port(), ministack.free_port()
        # In memory: MiniStack reads a persisted object whole for every ranged GET, AWS does not.
        emulator = ministack.start(port=port, state_dir=folder / "ministack", persist_objects=False)
        env = portal_env(port, portal_port)
        ENDPOINT["url"] = env["AWS_ENDPOINT_URL"]
        server = None
        try:
            subprocess.run([python, "manage.py", "setup_aws"], cwd=ROOT, env=env, check=True, capture_output=True)
            subprocess.run(
                [python, "manage.py", "createsuperuser", "--noinput", "--username", "bench"],
                cwd=ROOT,
                env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
                check=True,
                capture_output=True,
            )
            log = folder / "portal.log"
            server = subprocess.Popen(
                [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{portal_port}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log.open("w"),
            )
            base = f"http://127.0.0.1:{portal_port}"
            ministack.wait_until_answering(f"{base}/accounts/login/", process=server)
            session = signed_in(base)
            baseline = None
            for mib in sizes:
                source = mp4_file(folder / f"big-{mib}.mp4", size=mib * MiB)
                if mib == args.baseline_mib:
                    baseline = boto3_upload(source, args.workers)
                timing = direct_upload(session, base, source, args.workers, Server(server.pid, log))
                source.unlink()
                report(mib, timing, baseline if mib == args.baseline_mib else None, args.workers)
        finally:
            if server is not None:
                server.terminate()
                server.wait()
            ministack.stop(emulator)


def boto3_upload(source: Path, workers: int) -> float:
    config = TransferConfig(multipart_chunksize=PART, max_concurrency=workers)
    started = time.perf_counter()
    aws_s3().upload_file(str(source), BUCKET, "baseline/big.mp4", Config=config)
    seconds = time.perf_counter() - started
    aws_s3().delete_object(Bucket=BUCKET, Key="baseline/big.mp4")
    return seconds


def report(mib: int, timing: Timing, baseline: float | None, workers: int) -> None:
    print(f"file: {mib} MiB, {workers} parts in flight, {PART // MiB} MiB parts, MiniStack on loopback")
    if baseline is not None:
        print(f"  boto3 upload_file: {baseline:.1f} s, {mib / baseline:.0f} MiB/s")
    print(f"  direct upload, parts to S3: {timing.parts:.1f} s ({mib / timing.parts:.0f} MiB/s)")
    print(f"  complete call (S3 assembles; the portal verifies with ranged reads): {timing.complete:.2f} s")
    print(f"    of which the portal's check (its log): {timing.checked:.3f} s")
    print(f"  until ready: {timing.ready:.1f} s ({mib / timing.ready:.0f} MiB/s)")
    print(f"  then until the checksum lands: {timing.checksum:.1f} s ({mib / timing.checksum:.0f} MiB/s)")
    if baseline is not None:
        landed = timing.ready + timing.checksum
        print(
            f"  ratio direct / boto3, parts only: {baseline / timing.parts:.2f}; until ready: "
            f"{baseline / timing.ready:.2f}; until the checksum lands: {baseline / landed:.2f}"
        )
    print(
        f"  portal process memory: {timing.before_kib / 1024:.0f} MiB before, "
        f"{timing.peak_kib / 1024:.0f} MiB peak (+{(timing.peak_kib - timing.before_kib) / 1024:.1f})"
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
