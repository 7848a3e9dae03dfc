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

With --organise it measures albums and tags instead, at 100 and at 10,000 items: an album
holding every item, a tag every item carries and one every 50th item carries. For each page:
the memberships or postings read (ScannedCount of the album-items and tags tables' Queries)
and the media items read (BatchGetItem), which must be at most a page and one more.

Run: .venv/bin/python bench/listing.py [--large N] [--organise]
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
    parser.add_argument("--organise", action="store_true", help="measure album pages and tag filters instead")
    args = parser.parse_args()
    port = ministack.free_port()
    with tempfile.TemporaryDirectory() as state:
        process = ministack.start(port=port, state_dir=Path(state))
        try:
            setup(port)
            if args.organise:
                run_organise()
            else:
                run(args.large)
        finally:
            process.kill()  # its state is thrown away: no need to wait for it to be written


PAGE_SIZE = 25
ORGANISE_SIZES = (100, 10_000)


class TableCounter:
    """Items DynamoDB read, per table: a Query's ScannedCount, a BatchGetItem's records."""

    def __init__(self) -> None:
        self.read: dict[str, int] = {}

    def before(self, params: dict[str, Any], context: dict[str, Any], **_kwargs: Any) -> None:
        context["bench_table"] = params.get("TableName") or next(iter(params.get("RequestItems", {})), "")

    def after(self, parsed: dict[str, Any], context: dict[str, Any], **_kwargs: Any) -> None:
        table = str(context.get("bench_table", "")).removeprefix("bench-")
        found = parsed.get("ScannedCount", 0) + sum(len(items) for items in parsed.get("Responses", {}).values())
        self.read[table] = self.read.get(table, 0) + found


def load_organised(start: int, count: int, album_id: str) -> None:
    """Items start..start+count-1: every one in the album and tagged "common", every 50th
    also "rare"; records, memberships and postings written as the services write them."""
    from albums.models import Membership, TagEntry, everyone_posting_key, posting_key
    from uploads.models import MediaItem, Status, feed_key

    began = datetime(2026, 1, 1, tzinfo=UTC)
    with MediaItem.batch_write() as records, Membership.batch_write() as members, TagEntry.batch_write() as tags:
        for n in range(start, start + count):
            when = began + timedelta(seconds=n)
            media_id = f"{n:026d}"
            labels = {"common", "rare"} if n % 50 == 0 else {"common"}
            records.save(
                MediaItem(
                    id=media_id, owner="bench", feed=feed_key(media_id), name=f"Item {n}", caption="",
                    original_filename="p.jpg", s3_key=f"media/{n}/p.jpg", file_url="https://example.invalid/p.jpg",
                    content_type="image/jpeg", kind="image", size=1000, status=Status.READY,
                    uploaded_at=when, updated_at=when, version=1, tags=labels,
                )
            )  # fmt: skip
            members.save(Membership(album_id, media_id, owner="bench", added_at=when))
            for label in labels:
                for key in (posting_key("bench", label), everyone_posting_key(label)):
                    tags.save(TagEntry(key, media_id, media_id=media_id, version=1))


def run_organise() -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.services import user_create
    from albums.models import Album, Membership, TagEntry
    from albums.services import album_create
    from uploads.models import MediaItem

    setup_test_environment()
    user_create(username="bench", password="Bench-listing-pass-9")
    counter = TableCounter()
    for model in (Album, Membership, TagEntry, MediaItem):  # each PynamoDB model has a client of its own
        events = model._get_connection().connection.client.meta.events
        events.register("before-parameter-build.dynamodb", counter.before)
        events.register("after-call.dynamodb", counter.after)
    client = Client()
    client.post("/accounts/login/", {"username": "bench", "password": "Bench-listing-pass-9"})
    album = album_create(owner="bench", name="Everything")
    pages = {
        "album page 1": f"/albums/{album.id}/?size={PAGE_SIZE}",
        "album page 2": f"NEXT:/albums/{album.id}/?size={PAGE_SIZE}",
        "tag 'common' (every item), page 1": f"/?tag=common&size={PAGE_SIZE}",
        "tag 'common', page 2": f"NEXT:/?tag=common&size={PAGE_SIZE}",
        "tag 'rare' (1 in 50), page 1": f"/?tag=rare&size={PAGE_SIZE}",
        "list filtered by the album": f"/?album={album.id}&size={PAGE_SIZE}",
    }
    loaded = 0
    print(f"median of {ROUNDS} requests; {PAGE_SIZE} items a page; read = memberships or postings / media items")
    for size in ORGANISE_SIZES:
        load_organised(loaded, size - loaded, album.id)
        loaded = size
        for name, path in pages.items():
            latency, read = measure_organised(client, path, counter)
            index = read.get("album-items", 0) + read.get("tags", 0)
            media_read = read.get("media", 0)
            verdict = "ok" if media_read <= PAGE_SIZE + 1 else "OVER"
            print(f"{size:,} items | {name} | {latency * 1000:.1f} ms | {index} / {media_read} | {verdict}")


def measure_organised(client: Any, path: str, counter: TableCounter) -> tuple[float, dict[str, int]]:
    if path.startswith("NEXT:"):
        first = client.get(path.removeprefix("NEXT:")).content.decode()
        cursor = first.split('rel="next" href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        path = f"{path.removeprefix('NEXT:').split('?')[0]}?{cursor}"
    timings = []
    read: dict[str, int] = {}
    for _ in range(ROUNDS):
        counter.read = {}
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
        read = dict(counter.read)
    return statistics.median(timings), read


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
