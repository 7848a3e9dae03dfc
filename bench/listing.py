"""Listing and search cost per page against a live MiniStack, at 1,000 and at 100,000 items.

A MiniStack (not moto, whose Query walks its whole table) runs on a free port with its state
in a temporary folder. The first 1,000 items go in through the upload service
(`direct_upload_create`: a pending record and its postings, one item at a time); the rest,
for time, as batches of records with the very postings the services write for them
(`search.services.index_entries`). One item in 50 has "harbour" in its caption; every
item's name is "Item <n>". Pages are requested through the Django view, as a browser
would, signed in as the owner. For each page: the median latency of ROUNDS requests, the
postings read (ScannedCount of the search table's Queries), and the media items read
(ScannedCount of the media table's Queries plus the records BatchGetItem returned).

Run: .venv/bin/python bench/listing.py [--large N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import ministack  # noqa: E402

ROUNDS = 11
SMALL = 1_000
PAGES = {
    "list: first page": "/",
    "list: kind=video": "/?kind=video",
    "search: rare word 'harbour' (1 in 50)": "/?q=harbour",
    "search: common word 'item' (every item)": "/?q=item",
    "search: 'item' page 2": "NEXT:/?q=item",
    "search: two words 'item harbour'": "/?q=item+harbour",
    "search: two words of one length 'item harb'": "/?q=item+harb",
    "search: 'harbour' + kind=video": "/?q=harbour&kind=video",
}


class Counter:
    def __init__(self) -> None:
        self.postings = 0
        self.media = 0

    def on_media(self, parsed: dict[str, Any], **_kwargs: Any) -> None:
        self.media += parsed.get("ScannedCount", 0)
        self.media += sum(len(found) for found in parsed.get("Responses", {}).values())

    def on_postings(self, parsed: dict[str, Any], **_kwargs: Any) -> None:
        self.postings += parsed.get("ScannedCount", 0)


def setup(port: int) -> None:
    os.environ.update(ministack.client_env(port))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mediahub.settings",
        MEDIAHUB_TABLE_PREFIX="bench",
        MEDIAHUB_BUCKET="bench-media",
        # MiniStack's Query slows with the table's size (see bench/README.md): measure, do not time out.
        MEDIAHUB_AWS_READ_TIMEOUT="120",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("setup_aws", stdout=open(os.devnull, "w"))  # noqa: SIM115


def caption(n: int) -> str:
    return "harbour at dawn" if n % 50 == 0 else ""


def load_through_service(count: int) -> float:
    from uploads.services import direct_upload_create

    started = time.perf_counter()
    for n in range(count):
        direct_upload_create(
            owner="bench", name=f"Item {n}", caption=caption(n), filename="p.mp4", size=1000, declared_type=""
        )
    return time.perf_counter() - started


def load_in_batches(start: int, count: int) -> float:
    from search.models import Posting
    from search.services import index_entries
    from uploads.models import MediaItem, Status, feed_key

    began = datetime(2026, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    with MediaItem.batch_write() as records, Posting.batch_write() as postings:
        for n in range(start, start + count):
            when = began + timedelta(seconds=n)
            media_id = f"{n:026d}"
            item = MediaItem(
                id=media_id,
                owner="bench",
                feed=feed_key(media_id),
                name=f"Item {n}",
                caption=caption(n),
                original_filename="p.mp4",
                s3_key=f"media/{n}/p.mp4",
                file_url="https://example.invalid/p.mp4",
                content_type="video/mp4" if n % 2 else "image/jpeg",
                kind="video" if n % 2 else "image",
                size=1000,
                status=Status.READY,
                uploaded_at=when,
                updated_at=when,
                version=1,
            )
            records.save(item)
            for posting in index_entries(item).values():
                postings.save(posting)
    return time.perf_counter() - started


def measure(client: Any, path: str, counter: Counter) -> tuple[float, int, int]:
    if path.startswith("NEXT:"):
        first = client.get(path.removeprefix("NEXT:")).content.decode()
        cursor = first.split('rel="next" href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        path = f"/?{cursor}"
    timings = []
    for _ in range(ROUNDS):
        counter.postings = counter.media = 0
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings), counter.postings, counter.media


def pages(client: Any, counter: Counter) -> dict[str, tuple[float, int, int]]:
    return {name: measure(client, path, counter) for name, path in PAGES.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", type=int, default=100_000, help="items in the second run (default 100,000)")
    large = parser.parse_args().large
    port = ministack.free_port()
    with tempfile.TemporaryDirectory() as state:
        process = ministack.start(port=port, state_dir=Path(state))
        try:
            setup(port)
            run(large)
        finally:
            process.kill()  # its state is thrown away: no need to wait for it to be written


def run(large: int) -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.services import user_create
    from search.models import Posting
    from search.services import index_entries
    from uploads.models import MediaItem

    setup_test_environment()
    user_create(username="bench", password="Bench-listing-pass-9")
    counter = Counter()
    MediaItem._get_connection().connection.client.meta.events.register("after-call.dynamodb", counter.on_media)
    Posting._get_connection().connection.client.meta.events.register("after-call.dynamodb", counter.on_postings)
    client = Client()
    client.post("/accounts/login/", {"username": "bench", "password": "Bench-listing-pass-9"})

    seconds = load_through_service(SMALL)
    print(f"loaded {SMALL:,} items through direct_upload_create in {seconds:.1f} s ({SMALL / seconds:.0f} items/s)")
    small = pages(client, counter)
    seconds = load_in_batches(SMALL, large - SMALL)
    print(f"loaded {large - SMALL:,} more in batches in {seconds:.1f} s ({(large - SMALL) / seconds:.0f} items/s)")
    big = pages(client, counter)

    print(f"median of {ROUNDS} requests; 25 items a page; read = postings / media items")
    print(f"page | {SMALL:,} items: latency, read | {large:,} items: latency, read | media read ratio | latency ratio")
    for name in small:
        (t1, p1, m1), (t2, p2, m2) = small[name], big[name]
        ratio = f"{m2 / m1:.2f}" if m1 else "-"
        print(f"{name} | {t1 * 1000:.1f} ms, {p1} / {m1} | {t2 * 1000:.1f} ms, {p2} / {m2} | {ratio} | {t2 / t1:.2f}")

    typical = MediaItem(
        id="01" + "0" * 24,
        owner="bench",
        name="Harbour at dawn",
        caption="Fog over the harbour wall, early morning",
        original_filename="IMG_2041.jpg",
        kind="image",
        status="pending",
        uploaded_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    entries = len(index_entries(typical))
    print(
        f"one upload of {typical.name!r} / {typical.caption!r} / {typical.original_filename!r}: "
        f"{entries} postings when recorded, {entries} rewritten at its verdict"
    )


if __name__ == "__main__":
    main()
