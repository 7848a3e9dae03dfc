"""Albums and tags against the live portal (runserver, threaded) on MiniStack, with
requests really in parallel: an album's count always equals its memberships, and an
item's tags always have their postings, however the requests interleave."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests import media
from tests.helpers import add_figure
from tests.services import aws_client, manage, signed_in

pytestmark = pytest.mark.live

PASSWORD = "Album-pass-42"  # noqa: S105
ITEMS = 8


@pytest.fixture(scope="module")
def keeper(emulator) -> str:
    create = f"from accounts.services import user_create; user_create(username='albumkeeper', password={PASSWORD!r})"
    assert manage(emulator, "shell", "-c", create).returncode == 0
    return "albumkeeper"


def upload(browser: requests.Session, base: str, n: int) -> str:
    photo = media.jpeg(40 + n, 30)
    done = browser.post(f"{base}/upload/", data={"name": f"P{n}"}, files={"file": (f"p{n}.jpg", photo)}, timeout=60)
    return re.search(r"/media/([0-9A-Z]{26})/", done.url).group(1)


def all_at_once(count: int, run):
    start = threading.Barrier(count)

    def released(n: int):
        start.wait()
        return run(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(released, range(count)))


def query(emulator, table: str, key: str, value: str) -> list[dict]:
    dynamodb = aws_client(emulator, "dynamodb")
    found = dynamodb.query(
        TableName=f"mediahub-live-{table}",
        KeyConditionExpression="#k = :v",
        ExpressionAttributeNames={"#k": key},
        ExpressionAttributeValues={":v": {"S": value}},
        ConsistentRead=True,
    )
    return found["Items"]


def test_parallel_adds_to_one_album_count_each_item_once(emulator, portal, keeper):
    browser = signed_in(portal, keeper, PASSWORD)
    ids = [upload(browser, portal, n) for n in range(ITEMS)]
    made = browser.post(f"{portal}/api/v1/albums", json={"name": "Race"}, timeout=30)
    album_id = made.json()["id"]

    # Every item added twice, all sixteen requests released together, each its own session.
    def add(n: int) -> int:
        with requests.Session() as other:
            other.cookies.update(browser.cookies)
            other.headers["X-CSRFToken"] = browser.headers["X-CSRFToken"]
            url = f"{portal}/media/{ids[n % ITEMS]}/albums/add/"
            return other.post(url, data={"album": album_id}, allow_redirects=False, timeout=120).status_code

    statuses = all_at_once(2 * ITEMS, add)

    album = browser.get(f"{portal}/api/v1/albums/{album_id}", timeout=30).json()
    memberships = query(emulator, "album-items", "album_id", album_id)
    add_figure("parallel album adds (16 for 8 items): memberships", len(memberships))
    assert statuses == [302] * (2 * ITEMS)
    assert sorted(m["media_id"]["S"] for m in memberships) == sorted(ids)
    assert album["item_count"] == ITEMS


def test_parallel_tag_edits_leave_every_tag_of_the_record_indexed(emulator, portal, keeper):
    browser = signed_in(portal, keeper, PASSWORD)
    media_id = upload(browser, portal, 99)
    url = f"{portal}/api/v1/media/{media_id}"

    # Eight editors at once, each adding its own tag and taking "hot" off or putting it
    # back, retrying on 412 (someone saved first) with the version it reads again.
    def edit(n: int) -> int:
        conflicts = 0
        with requests.Session() as editor:
            editor.cookies.update(browser.cookies)
            editor.headers["X-CSRFToken"] = browser.headers["X-CSRFToken"]
            for _ in range(30):
                current = editor.get(url, timeout=60)
                tags = set(current.json()["tags"]) | {f"editor {n}"}
                tags = tags - {"hot"} if n % 2 else tags | {"hot"}
                saved = editor.patch(
                    url, json={"tags": sorted(tags)}, headers={"If-Match": current.headers["ETag"]}, timeout=60
                )
                if saved.status_code == 200:
                    return conflicts
                assert saved.status_code == 412, saved.text
                conflicts += 1
        raise AssertionError("never saved")

    conflicts = all_at_once(8, edit)

    record = browser.get(url, timeout=30).json()
    add_figure("parallel tag edits: 412s answered", sum(conflicts))
    assert {f"editor {n}" for n in range(8)} <= set(record["tags"])
    for tag in record["tags"]:
        assert [p["sort"]["S"] for p in query(emulator, "tags", "key", f"t#albumkeeper#{tag}")] == [media_id], tag
        assert [p["sort"]["S"] for p in query(emulator, "tags", "key", f"all#{tag}")] == [media_id], tag
        listed = browser.get(f"{portal}/api/v1/media", params={"tag": tag}, timeout=30).json()["items"]
        assert [item["id"] for item in listed] == [media_id], tag
