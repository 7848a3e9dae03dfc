"""Fault injection against a live MiniStack: the store stalls or dies under the portal, or
two requests race, and afterwards S3 and DynamoDB agree, no valid file is lost, and the
person got a clear answer. Every check of the stores goes straight to MiniStack, around
the proxy."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests import media
from tests.faults.proxy import FaultProxy
from tests.helpers import add_figure
from tests.services import Emulator, aws_client, manage

pytestmark = pytest.mark.live

BUCKET, TABLE = "mediahub-live", "mediahub-live-media"
JPEG = media.jpeg(1600, 1200)
BIG = media.wav(seconds=2_500)  # 40 MB: its checksum pass reads long enough to stall in the middle


def create(person: requests.Session, portal: str, data: bytes, *, filename: str, content_type: str) -> dict[str, Any]:
    declared = {"name": filename, "caption": "", "filename": filename, "size": len(data), "type": content_type}
    response = person.post(f"{portal}/api/v1/uploads", json=declared, timeout=30)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    fields = {**created["post"]["fields"], "Content-Type": content_type}
    posted = requests.post(created["post"]["url"], data=fields, files={"file": (filename, data)}, timeout=60)
    assert posted.status_code == 204, posted.text
    return created


def finish(person: requests.Session, portal: str, media_id: str) -> requests.Response:
    response = person.post(f"{portal}/api/v1/uploads/{media_id}/finish", timeout=60)
    _count(response)
    return response


def _count(response: requests.Response) -> None:
    if response.status_code >= 500 and response.status_code != 503:
        add_figure("5xx seen", 1)


def record(emulator: Emulator, media_id: str) -> dict[str, Any] | None:
    item = aws_client(emulator, "dynamodb").get_item(TableName=TABLE, Key={"id": {"S": media_id}}, ConsistentRead=True)
    return item.get("Item")


def object_bytes(emulator: Emulator, key: str) -> bytes | None:
    s3 = aws_client(emulator, "s3")
    try:
        return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


def assert_stores_agree(emulator: Emulator, media_id: str) -> None:
    """A ready record has its file (and an image its thumbnail); a missing or rejected
    record leaves no bytes behind."""
    item = record(emulator, media_id)
    listed = aws_client(emulator, "s3").list_objects_v2(Bucket=BUCKET, Prefix=f"media/{media_id}/")
    objects = [obj["Key"] for obj in listed.get("Contents", [])]
    thumbnail = object_bytes(emulator, f"thumbnails/{media_id}.webp")
    status = item["status"]["S"] if item else None
    if status == "ready":
        if objects != [item["s3_key"]["S"]]:
            add_figure("ready without object", 1)
        assert objects == [item["s3_key"]["S"]]
        assert (thumbnail is not None) == (item["kind"]["S"] == "image")
    elif status in (None, "rejected"):
        assert (objects, thumbnail) == ([], None)


def checksum_landed(emulator: Emulator, media_id: str, *, timeout: float = 90) -> dict[str, Any]:
    """The record once the checksum pass (a thread of the portal) has written its SHA-256."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = record(emulator, media_id)
        if item is None or "sha256" in item or item["status"]["S"] != "ready":
            return item or {}
        time.sleep(0.25)
    raise AssertionError(f"the checksum of {media_id} did not land within {timeout} s")


def test_a_stall_in_the_middle_of_the_checksum_pass_keeps_the_item_ready_and_it_lands_later(
    person, faulty_portal, proxy: FaultProxy, emulator
):
    created = create(person, faulty_portal, BIG, filename="long.wav", content_type="audio/x-wav")
    media_id = created["item"]["id"]
    # The store stops answering when the pass, off the request, has read a quarter of the
    # file (verification reads well under a megabyte of it).
    proxy.when_downloaded(len(BIG) // 4, proxy.pause)
    add_figure("faults injected", 1)

    started = time.monotonic()
    ready = finish(person, faulty_portal, media_id)
    waited = time.monotonic() - started
    time.sleep(4)
    stalled = record(emulator, media_id)
    proxy.resume()

    assert ready.status_code == 200, ready.text
    assert ready.json()["sha256"] is None  # checksum pending
    assert waited < 5, "verification reads a few blocks, not the file"
    assert (stalled["status"]["S"], "sha256" in stalled) == ("ready", False)
    if object_bytes(emulator, created["key"]) != BIG:
        add_figure("valid files lost", 1)
    assert object_bytes(emulator, created["key"]) == BIG
    assert checksum_landed(emulator, media_id)["sha256"]["S"] == hashlib.sha256(BIG).hexdigest()
    assert_stores_agree(emulator, media_id)


def test_a_connection_cut_in_the_middle_of_the_checksum_pass_is_resumed(
    person, faulty_portal, proxy: FaultProxy, emulator
):
    created = create(person, faulty_portal, BIG, filename="cut.wav", content_type="audio/x-wav")
    proxy.when_downloaded(len(BIG) // 3, proxy.drop)
    add_figure("faults injected", 1)
    response = finish(person, faulty_portal, created["item"]["id"])

    assert response.status_code == 200, response.text
    assert checksum_landed(emulator, created["item"]["id"])["sha256"]["S"] == hashlib.sha256(BIG).hexdigest()
    assert_stores_agree(emulator, created["item"]["id"])


def test_a_stalled_store_fails_a_page_within_seconds_with_a_clear_503(person, faulty_portal, proxy: FaultProxy):
    add_figure("faults injected", 1)
    with proxy.paused():
        started = time.monotonic()
        response = person.get(f"{faulty_portal}/", timeout=60)
        waited = time.monotonic() - started

    assert response.status_code == 503
    assert "Storage is not answering right now; nothing was changed." in response.text
    assert waited < 10
    assert person.get(f"{faulty_portal}/", timeout=30).status_code == 200


def race(*sides: Callable[[], requests.Response]) -> list[requests.Response]:
    """Run the sides at the same instant, each in its own thread, and return their answers."""
    start = threading.Barrier(len(sides))
    answers: list[requests.Response | None] = [None] * len(sides)

    def run(index: int, side: Callable[[], requests.Response]) -> None:
        start.wait()
        answers[index] = side()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(sides)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(answer is not None for answer in answers)
    for answer in answers:
        _count(answer)
    return answers  # type: ignore[return-value]


@pytest.mark.parametrize("round_", range(6))
def test_cancel_racing_finish_has_one_winner_and_the_stores_agree(person, faulty_portal, emulator, round_):
    created = create(person, faulty_portal, JPEG, filename=f"race-{round_}.jpg", content_type="image/jpeg")
    media_id = created["item"]["id"]
    url = f"{faulty_portal}/api/v1/uploads/{media_id}"

    finished, cancelled = race(lambda: person.post(f"{url}/finish", timeout=60), lambda: person.delete(url, timeout=60))

    # The check wins (the cancel is refused), or the cancel wins: during the check (which then
    # says it was cancelled) or before it began (the upload is simply gone).
    outcomes = {(200, 409), (409, 204), (404, 204)}
    assert (finished.status_code, cancelled.status_code) in outcomes, (finished.text, cancelled.text)
    if cancelled.status_code == 204:
        assert record(emulator, media_id) is None
        assert "cancelled" in finished.json()["detail"] or "nothing here" in finished.json()["detail"]
    else:
        assert record(emulator, media_id)["status"]["S"] == "ready"
        assert "finished" in cancelled.json()["detail"]
    assert_stores_agree(emulator, media_id)


@pytest.mark.parametrize("round_", range(4))
def test_an_edit_racing_a_check_never_loses_the_check(person, faulty_portal, emulator, round_):
    created = create(person, faulty_portal, JPEG, filename=f"edit-{round_}.jpg", content_type="image/jpeg")
    media_id = created["item"]["id"]
    edit_page = person.get(f"{faulty_portal}/media/{media_id}/edit/", timeout=30)
    version = edit_page.text.split('name="version" value="', 1)[1].split('"', 1)[0]
    form = {"name": "Renamed", "caption": "", "version": version, "csrfmiddlewaretoken": person.cookies["csrftoken"]}

    finished, edited = race(
        lambda: person.post(f"{faulty_portal}/api/v1/uploads/{media_id}/finish", timeout=60),
        lambda: person.post(f"{faulty_portal}/media/{media_id}/edit/", data=form, allow_redirects=False, timeout=60),
    )

    assert finished.status_code == 200, finished.text
    assert edited.status_code == 409  # the edit was read while pending: refused, with a reason
    assert "still being checked" in edited.text or "Someone else saved" in edited.text
    item = record(emulator, media_id)
    assert (item["status"]["S"], item["name"]["S"]) == ("ready", f"edit-{round_}.jpg")
    assert checksum_landed(emulator, media_id)["sha256"]["S"] == hashlib.sha256(JPEG).hexdigest()
    assert_stores_agree(emulator, media_id)


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2, 0.5])
def test_the_store_dying_during_a_form_upload_leaves_a_clear_answer_and_no_broken_item(
    person, faulty_portal, proxy: FaultProxy, emulator, delay
):
    name = f"dying-{delay}"
    before = _my_ids(emulator)
    form = {"name": name, "caption": "", "csrfmiddlewaretoken": person.cookies["csrftoken"]}
    files = {"file": ("photo.jpg", JPEG, "image/jpeg")}
    timer = threading.Timer(delay, proxy.drop)
    add_figure("faults injected", 1)
    timer.start()
    response = person.post(f"{faulty_portal}/upload/", data=form, files=files, allow_redirects=False, timeout=60)
    timer.join()
    _count(response)

    assert response.status_code in (302, 503), response.text
    if response.status_code == 503:
        assert "Nothing was saved" in response.text or "nothing was deleted" in response.text
    for media_id in _my_ids(emulator) - before:
        item = record(emulator, media_id)
        assert item["status"]["S"] in ("ready", "pending")
        if item["status"]["S"] == "pending":
            assert "expires_at" in item  # cannot stay pending forever
            assert object_bytes(emulator, item["s3_key"]["S"]) == JPEG
        assert_stores_agree(emulator, media_id)


def share_a_photo(person: requests.Session, portal: str, name: str) -> tuple[str, str]:
    """Upload a photo by the form and share it; the link's path and the share's hash."""
    uploaded = person.post(f"{portal}/upload/", data={"name": name}, files={"file": (f"{name}.jpg", JPEG)}, timeout=60)
    media_id = uploaded.url.rstrip("/").rsplit("/", 1)[1]
    made = person.post(f"{portal}/media/{media_id}/shares/new/", data={"lasts": "1d"}, timeout=60)
    assert made.status_code == 201, made.text
    path = "/s/" + made.text.split('readonly value="', 1)[1].split('"', 1)[0].rsplit("/s/", 1)[1]
    return path, hashlib.sha256(path.split("/")[2].encode()).hexdigest()


def share_exists(emulator: Emulator, token_hash: str) -> bool:
    found = aws_client(emulator, "dynamodb").get_item(
        TableName="mediahub-live-shares", Key={"token_hash": {"S": token_hash}}, ConsistentRead=True
    )
    return "Item" in found


def test_a_share_link_opened_while_the_store_stalls_answers_503_then_works(person, faulty_portal, proxy: FaultProxy):
    path, _ = share_a_photo(person, faulty_portal, "stall-share")
    add_figure("faults injected", 1)
    with proxy.paused():
        started = time.monotonic()
        stalled = requests.get(faulty_portal + path, timeout=60)
        waited = time.monotonic() - started

    _count(stalled)
    assert stalled.status_code == 503 and stalled.headers["Retry-After"]
    assert "Storage is not answering right now" in stalled.text
    assert stalled.headers["Referrer-Policy"] == "no-referrer"
    assert waited < 10
    assert requests.get(faulty_portal + path, timeout=30).status_code == 200


def test_a_withdrawal_the_store_stalled_leaves_the_link_as_its_record_says(
    person, faulty_portal, proxy: FaultProxy, emulator
):
    path, token_hash = share_a_photo(person, faulty_portal, "stall-withdraw")
    add_figure("faults injected", 1)
    with proxy.paused():
        stalled = person.post(f"{faulty_portal}/shares/{token_hash}/withdraw/", timeout=60, allow_redirects=False)

    _count(stalled)
    assert stalled.status_code == 503
    assert "Your change may not have been saved" in stalled.text
    # Whether or not the delete reached DynamoDB, the link does what its record says.
    opened = requests.get(faulty_portal + path, timeout=30).status_code
    assert opened == (200 if share_exists(emulator, token_hash) else 404)


def _my_ids(emulator: Emulator) -> set[str]:
    return {item["id"]["S"] for item in _scan(emulator) if item["owner"]["S"] == "faulty"}


def test_after_reconcile_every_object_has_its_record_and_every_ready_record_its_object(emulator, faulty_portal):
    # Runs last: whatever the faults above left behind, reconcile repairs. A window of 0 s
    # treats every leftover as old enough to settle, as the daily run would a day later.
    repaired = manage(emulator, "reconcile", "--fix", MEDIAHUB_PENDING_UPLOAD_SECONDS="0")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr

    records = {item["id"]["S"]: item for item in _scan(emulator)}
    pages = aws_client(emulator, "s3").get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
    keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
    orphans = [key for key in keys if key.split("/")[1].removesuffix(".webp") not in records]
    add_figure("orphans after reconcile", len(orphans))
    ready = [item for item in records.values() if item["status"]["S"] == "ready"]
    missing = [item["id"]["S"] for item in ready if item["s3_key"]["S"] not in keys]
    add_figure("ready without object", len(missing))

    assert (orphans, missing) == ([], [])
    assert all(item["status"]["S"] != "pending" for item in records.values())


def _scan(emulator: Emulator) -> list[dict[str, Any]]:
    pages = aws_client(emulator, "dynamodb").get_paginator("scan").paginate(TableName=TABLE)
    return [item for page in pages for item in page["Items"]]
