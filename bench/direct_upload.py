"""Direct upload of a large file: throughput against boto3's own upload_file to the same
MiniStack, and the memory of the portal's Django process while the bytes go by.

The client speaks the uploader's protocol (create, sign each part, PUT the part to S3,
complete): the portal only signs and verifies. boto3's time covers its parts and S3's
assembly; the direct path's is reported for the parts alone and until the portal has
verified the result (assembly, then processing, which reads every byte for the checksum).
The portal's resident memory is sampled every 20 ms during the upload and compared with
its size just before.

Run: .venv/bin/python bench/direct_upload.py [--size-mib 1024] [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
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
        "MEDIAHUB_BUCKET": "mediahub-bench",
        "MEDIAHUB_TABLE_PREFIX": "mediahub-bench",
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


def direct_upload(session: requests.Session, base: str, path: Path, workers: int) -> float:
    """Upload as the browser would; returns when the last part is in S3 (seconds from start),
    and raises unless the portal then verifies the item as ready."""
    size = path.stat().st_size
    declared: dict[str, Any] = {
        "name": "bench",
        "caption": "",
        "filename": path.name,
        "size": size,
        "type": "video/mp4",
    }
    created = session.post(f"{base}/api/uploads/", json=declared, timeout=30).json()
    media_id = created["item"]["id"]

    def send(number: int) -> dict[str, Any]:
        url = session.post(f"{base}/api/uploads/{media_id}/parts/", json={"part_numbers": [number]}, timeout=30)
        with path.open("rb") as source:
            source.seek((number - 1) * PART)
            data = source.read(PART)
        response = requests.put(url.json()["urls"][str(number)], data=data, timeout=300)
        response.raise_for_status()
        return {"PartNumber": number, "ETag": response.headers["ETag"]}

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(send, range(1, -(-size // PART) + 1)))
    transferred = time.perf_counter() - started
    done = session.post(f"{base}/api/uploads/{media_id}/complete/", json={"parts": parts}, timeout=300)
    if done.json()["item"]["status"] != "ready":
        raise RuntimeError(done.text)
    return transferred


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    size = args.size_mib * MiB
    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port, portal_port = ministack.free_port(), ministack.free_port()
        emulator = ministack.start(port=port, state_dir=folder / "ministack")
        env = portal_env(port, portal_port)
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
            server = subprocess.Popen(
                [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{portal_port}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{portal_port}"
            ministack.wait_until_answering(f"{base}/accounts/login/", process=server)
            source = folder / "big.mp4"
            mp4_file(source, size=size)
            session = signed_in(base)

            s3 = boto3.client(
                "s3",
                endpoint_url=env["AWS_ENDPOINT_URL"],
                region_name="us-east-1",
                aws_access_key_id=ministack.ACCESS_KEY_ID,
                aws_secret_access_key=ministack.SECRET_ACCESS_KEY,
            )
            config = TransferConfig(multipart_chunksize=PART, max_concurrency=args.workers)
            started = time.perf_counter()
            s3.upload_file(str(source), "mediahub-bench", "baseline/big.mp4", Config=config)
            baseline = time.perf_counter() - started

            sampler = RssSampler(server.pid)
            before = sampler.peak
            sampler.start()
            started = time.perf_counter()
            transfer = direct_upload(session, base, source, args.workers)
            direct = time.perf_counter() - started
            sampler.running = False
            sampler.join()
        finally:
            if server is not None:
                server.terminate()
                server.wait()
            ministack.stop(emulator)

    mib = size / MiB
    print(f"file: {mib:.0f} MiB, {args.workers} parts in flight, {PART // MiB} MiB parts, MiniStack on loopback")
    print(f"boto3 upload_file: {baseline:.1f} s, {mib / baseline:.0f} MiB/s")
    print(f"direct upload, parts to S3: {transfer:.1f} s ({mib / transfer:.0f} MiB/s)")
    print(f"  then complete (S3 assembles; the portal sniffs, reads metadata, checksums): {direct - transfer:.1f} s")
    print(f"  in all, until verified: {direct:.1f} s ({mib / direct:.0f} MiB/s)")
    print(
        f"throughput ratio direct / boto3, parts only: {baseline / transfer:.2f}; "
        f"until verified: {baseline / direct:.2f}"
    )
    print(
        f"portal process memory: {before / 1024:.0f} MiB before, {sampler.peak / 1024:.0f} MiB peak during the upload"
    )
    print(f"peak growth: {(sampler.peak - before) / 1024:.1f} MiB for {mib:.0f} MiB of file")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
