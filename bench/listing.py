"""Listing cost per page: latency and DynamoDB items read for the first page, a later
page and a filtered page, with 100 and with 10,000 items in the table, in one run.

In-process, with moto standing in for DynamoDB and S3. Items read is DynamoDB's own
ScannedCount summed over the page's Query calls: what a page costs on AWS. Latency is
the Django view end to end; moto answers a Query by walking its whole in-memory table,
so its growth belongs to the emulator, not to DynamoDB, where a Query touches only the
items it returns.

Run: .venv/bin/python bench/listing.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediahub.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" * 5)
os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from moto import mock_aws  # noqa: E402

from accounts.services import user_create  # noqa: E402
from uploads.models import MediaItem  # noqa: E402

ROUNDS = 15


def seed(count: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with MediaItem.batch_write() as batch:
        for n in range(count):
            when = start + timedelta(minutes=n)
            batch.save(
                MediaItem(
                    id=f"{n:026d}",
                    owner="bench",
                    name=f"Item {n}",
                    caption="harbour" if n % 50 == 0 else "",
                    search_text=(f"item {n}\n" + ("harbour" if n % 50 == 0 else "")),
                    original_filename="p.jpg",
                    s3_key=f"media/{n}/p.jpg",
                    file_url="https://example.invalid/p.jpg",
                    content_type="image/jpeg",
                    kind="image" if n % 2 else "video",
                    size=1000,
                    status="ready",
                    uploaded_at=when,
                    updated_at=when,
                )
            )


def measure(client: Client, path: str, scanned: list[int]) -> tuple[float, int]:
    timings, reads = [], 0
    for _ in range(ROUNDS):
        scanned.clear()
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        reads = sum(scanned)
    return statistics.median(timings), reads


def run(count: int) -> dict[str, tuple[float, int]]:
    with mock_aws():
        MediaItem._connection = None  # a fresh connection inside this moto world
        call_command("setup_aws", stdout=open(os.devnull, "w"))  # noqa: SIM115
        user_create(username="bench", password="Bench-listing-pass-9")
        seed(count)
        scanned: list[int] = []

        def count_reads(parsed: dict[str, Any], **_kwargs: Any) -> None:
            scanned.append(parsed.get("ScannedCount", 0))

        MediaItem._get_connection().connection.client.meta.events.register("after-call.dynamodb.Query", count_reads)
        client = Client()
        client.post("/accounts/login/", {"username": "bench", "password": "Bench-listing-pass-9"})
        first = client.get("/")
        cursor = first.content.decode().split('rel="next" href="?cursor=', 1)[1].split('"', 1)[0]
        results = {
            "first page": measure(client, "/", scanned),
            "next page": measure(client, f"/?cursor={cursor}", scanned),
            "kind=video": measure(client, "/?kind=video", scanned),
            "search 'harbour'": measure(client, "/?q=harbour", scanned),
        }
        MediaItem._connection = None
        return results


def main() -> None:
    setup_test_environment()
    small, large = run(100), run(10_000)
    print(f"median of {ROUNDS} requests; 25 items a page; items read = DynamoDB ScannedCount")
    print("page | 100 items: latency, read | 10,000 items: latency, read | read ratio | latency ratio")
    for name in small:
        (t1, r1), (t2, r2) = small[name], large[name]
        print(f"{name} | {t1 * 1000:.1f} ms, {r1} | {t2 * 1000:.1f} ms, {r2} | {r2 / r1:.2f} | {t2 / t1:.2f}")


if __name__ == "__main__":
    main()
