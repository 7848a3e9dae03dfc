"""Resuming an unfinished upload from any device: the upload page lists the member's
unfinished uploads from the server (with what S3 holds of each), resuming checks the file
is the one the upload started with, cancelling aborts it, and a member may have only so
many large uploads unfinished at once."""

from __future__ import annotations

import hashlib
import html
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from mediahub import aws
from tests.fault_injection import unreachable
from uploads import services
from uploads.models import MediaItem

MiB = 1024 * 1024
SIZE = 20 * MiB
FINGERPRINT = hashlib.sha256(b"first and last MiB").hexdigest()


@pytest.fixture(autouse=True)
def multipart_above_a_mib(settings):
    settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES = MiB


def start(client, *, filename: str = "holiday.mp4", size: int = SIZE, fingerprint: str = FINGERPRINT) -> dict:
    declared = {"name": "Holiday", "caption": "", "filename": filename, "size": size, "type": "video/mp4"}
    response = client.post("/api/v1/uploads", json.dumps({**declared, "fingerprint": fingerprint}), "application/json")
    assert response.status_code == 201, response.content
    return response.json()


def resume(client, media_id: str, **identity) -> object:
    body = {"filename": "holiday.mp4", "size": SIZE, "fingerprint": FINGERPRINT, **identity}
    return client.post(f"/api/v1/uploads/{media_id}/resume", json.dumps(body), "application/json")


def send_part(item: MediaItem, number: int, size: int) -> None:
    from django.conf import settings

    aws.s3().upload_part(
        Bucket=settings.MEDIAHUB_BUCKET,
        Key=item.s3_key,
        UploadId=item.upload_id,
        PartNumber=number,
        Body=bytes(size),
    )


def upload_page(client) -> str:
    response = client.get("/upload/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_upload_page_lists_unfinished_uploads_with_what_has_arrived(member_client, other_member):
    created = start(member_client)
    item = MediaItem.get(created["item"]["id"])
    send_part(item, 1, 5 * MiB)
    send_part(item, 2, 5 * MiB)
    theirs = services.direct_upload_create(
        owner="bob", name="Theirs", caption="", filename="b.mp4", size=SIZE, declared_type="video/mp4"
    )

    page = upload_page(member_client)

    assert "Unfinished uploads" in page
    assert f'data-media-id="{item.id}"' in page and "holiday.mp4, 20.0\xa0MB" in page
    assert "10.0\xa0MB arrived" in page
    assert f'datetime="{item.expires_at.isoformat(timespec="seconds")}' in page
    assert 'class="resume"' in page and 'class="cancel"' in page
    assert theirs.item.id not in page
    assert item.fingerprint == FINGERPRINT


def test_finished_and_expired_uploads_are_not_listed(member_client, time_machine):
    assert "Unfinished uploads" not in upload_page(member_client)
    start(member_client)

    time_machine.move_to(timezone.now() + timedelta(days=1, minutes=1))

    assert "Unfinished uploads" not in upload_page(member_client)


def test_resuming_with_the_same_file_hands_back_the_upload_to_fill(member_client):
    created = start(member_client)

    response = resume(member_client, created["item"]["id"])

    assert response.status_code == 200
    assert response.json()["upload_id"] == created["multipart"]["upload_id"]
    assert response.json()["key"] == created["key"]


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        ({"filename": "other.mp4"}, "This upload was started with another file: “other.mp4”. Pick “holiday.mp4”"),
        ({"size": SIZE + 1}, "This file is 20,971,521 bytes; the upload was started with 20,971,520."),
        ({"fingerprint": "f" * 64}, "same name and size, but not the same content"),
    ],
    ids=["name", "size", "content"],
)
def test_resuming_with_another_file_is_refused_and_says_which_file_to_pick(member_client, identity, message):
    created = start(member_client)

    response = resume(member_client, created["item"]["id"], **identity)

    assert response.status_code == 409
    assert message in response.json()["detail"]
    assert MediaItem.get(created["item"]["id"]).status == "pending"


def test_someone_elses_upload_cannot_be_resumed(member_client, other_member):
    theirs = services.direct_upload_create(
        owner="bob",
        name="Theirs",
        caption="",
        filename="holiday.mp4",
        size=SIZE,
        declared_type="video/mp4",
        fingerprint=FINGERPRINT,
    )

    assert resume(member_client, theirs.item.id).status_code == 404


def test_a_member_may_have_ten_large_uploads_unfinished_and_hears_so_at_the_eleventh(member_client, settings):
    for _ in range(settings.MEDIAHUB_MAX_PENDING_UPLOADS):
        start(member_client)
    small = {"name": "Photo", "caption": "", "filename": "p.png", "size": 100, "type": "image/png"}

    refused = member_client.post(
        "/api/v1/uploads",
        json.dumps({"name": "One more", "caption": "", "filename": "x.mp4", "size": SIZE, "type": "video/mp4"}),
        "application/json",
    )
    still_fine = member_client.post("/api/v1/uploads", json.dumps(small), "application/json")

    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("You have 10 unfinished large uploads, the most one member may have")
    assert "Resume or cancel some under “Unfinished uploads” on the upload page" in refused.json()["detail"]
    assert still_fine.status_code == 201  # one POST holds no parts
    assert len(list(MediaItem.scan())) == 11


def test_cancelling_one_makes_room_again(member_client, settings):
    settings.MEDIAHUB_MAX_PENDING_UPLOADS = 1
    first = start(member_client)
    assert (
        member_client.post(
            "/api/v1/uploads",
            json.dumps({"name": "x", "caption": "", "filename": "x.mp4", "size": SIZE, "type": "video/mp4"}),
            "application/json",
        ).status_code
        == 409
    )

    assert member_client.delete(f"/api/v1/uploads/{first['item']['id']}").status_code == 204

    start(member_client)


def test_the_list_still_shows_when_s3_does_not_answer_listparts(member_client, faults):
    created = start(member_client)
    faults.fail("ListParts", error=unreachable)

    page = upload_page(member_client)

    assert f'data-media-id="{created["item"]["id"]}"' in page
    assert 'class="arrived"' not in page


def test_the_upload_page_works_without_the_list_when_dynamodb_does_not_answer(member_client, faults):
    faults.fail("Query", error=unreachable)

    response = member_client.get("/upload/")

    assert response.status_code == 200
    assert "Your unfinished uploads could not be listed just now" in response.content.decode()
    assert 'id="uppy-dashboard"' in response.content.decode()


def test_a_storage_fault_while_checking_room_leaves_nothing_behind(member_client, faults, bucket_keys, s3, settings):
    faults.fail("Query", error=unreachable)

    response = member_client.post(
        "/api/v1/uploads",
        json.dumps({"name": "x", "caption": "", "filename": "x.mp4", "size": SIZE, "type": "video/mp4"}),
        "application/json",
    )

    assert response.status_code == 503
    assert list(MediaItem.scan()) == []
    assert s3.list_multipart_uploads(Bucket=settings.MEDIAHUB_BUCKET).get("Uploads", []) == []
