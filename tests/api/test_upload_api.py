"""The upload protocol of API v1 (moto): what the command-line client does, file by file:
declare, send the bytes straight to S3 (one POST, or signed part PUTs), finish or
complete; find a file already uploaded by its SHA-256; list, resume and cancel."""

from __future__ import annotations

import hashlib

import pytest
import requests
from django.test import Client

from tests import media
from tests.api.helpers import bearer, make_token
from tests.helpers import sign_in
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")

PNG = media.png()
MiB = 1024 * 1024


@pytest.fixture
def api(member_client) -> Client:
    return Client(**bearer(make_token(member_client)))


def declare(api: Client, data: bytes, **fields):
    body = {"name": "Photo", "filename": "photo.png", "size": len(data), "type": "image/png", **fields}
    return api.post("/api/v1/uploads", body, content_type="application/json")


def test_a_small_file_is_posted_to_s3_then_finished_and_found_by_its_checksum(api):
    created = declare(api, PNG)
    post = created.json()["post"]

    sent = requests.post(
        post["url"], data={**post["fields"], "Content-Type": "image/png"}, files={"file": PNG}, timeout=10
    )
    finished = api.post(f"/api/v1/uploads/{created.json()['item']['id']}/finish")
    found = api.get(f"/api/v1/media/sha256/{hashlib.sha256(PNG).hexdigest()}").json()

    assert created.status_code == 201 and created.json()["multipart"] is None
    assert sent.status_code == 204
    assert finished.status_code == 200 and finished.json()["status"] == "ready"
    assert [item["id"] for item in found] == [created.json()["item"]["id"]]


def test_a_large_file_goes_in_signed_parts_and_resumes_with_only_the_missing_ones(api, settings):
    settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES = 5 * MiB
    data = media.mp4(320, 240, 2.0, media_bytes=11 * MiB)
    fingerprint = hashlib.sha256(data[:MiB] + data[-MiB:]).hexdigest()
    created = declare(api, data, filename="clip.mp4", type="video/mp4", fingerprint=fingerprint).json()
    media_id = created["item"]["id"]
    chunks = [data[at : at + 5 * MiB] for at in range(0, len(data), 5 * MiB)]

    first = api.post(f"/api/v1/uploads/{media_id}/parts", {"part_numbers": [1]}, content_type="application/json")
    requests.put(first.json()["urls"]["1"], data=chunks[0], timeout=10).raise_for_status()
    unfinished = api.get("/api/v1/uploads").json()
    resumed = api.post(
        f"/api/v1/uploads/{media_id}/resume",
        {"filename": "clip.mp4", "size": len(data), "fingerprint": fingerprint},
        content_type="application/json",
    )
    held = api.get(f"/api/v1/uploads/{media_id}/parts").json()
    rest = api.post(f"/api/v1/uploads/{media_id}/parts", {"part_numbers": [2, 3]}, content_type="application/json")
    for number in (2, 3):
        requests.put(rest.json()["urls"][str(number)], data=chunks[number - 1], timeout=10).raise_for_status()
    parts = api.get(f"/api/v1/uploads/{media_id}/parts").json()
    completed = api.post(
        f"/api/v1/uploads/{media_id}/complete",
        {"parts": [{"part_number": part["part_number"], "etag": part["etag"]} for part in parts]},
        content_type="application/json",
    )

    assert [(u["item"]["id"], u["arrived"], u["resumable"]) for u in unfinished] == [(media_id, 5 * MiB, True)]
    assert resumed.status_code == 200 and resumed.json()["upload_id"] == created["multipart"]["upload_id"]
    assert [part["part_number"] for part in held] == [1]
    assert completed.status_code == 200 and completed.json()["status"] == "ready"
    assert completed.json()["size"] == len(data) and api.get("/api/v1/uploads").json() == []


def test_resuming_with_another_file_is_refused_with_the_reason(api, settings):
    settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES = 5 * MiB
    created = declare(api, bytes(6 * MiB), filename="a.mp4", type="video/mp4", fingerprint="a" * 64).json()

    resumed = api.post(
        f"/api/v1/uploads/{created['item']['id']}/resume",
        {"filename": "a.mp4", "size": 6 * MiB, "fingerprint": "b" * 64},
        content_type="application/json",
    )

    assert resumed.status_code == 409
    assert resumed["Content-Type"] == "application/problem+json"


def test_a_file_its_content_refuses_is_a_422_with_the_reason(api):
    html = b"<!doctype html><script>alert(1)</script>" * 4
    created = declare(api, html).json()
    post = created["post"]
    requests.post(post["url"], data={**post["fields"], "Content-Type": "image/png"}, files={"file": html}, timeout=10)

    finished = api.post(f"/api/v1/uploads/{created['item']['id']}/finish")

    assert finished.status_code == 422
    assert "not an image, video, audio file or document we recognise" in finished.json()["detail"]
    assert MediaItem.get(created["item"]["id"]).status == "rejected"


def test_cancel_removes_the_upload_and_another_member_cannot_touch_it(api, other_member):
    created = declare(api, PNG).json()
    bobs_api = Client(**bearer(make_token(sign_in(Client(), "bob"))))

    theirs = bobs_api.delete(f"/api/v1/uploads/{created['item']['id']}")
    cancelled = api.delete(f"/api/v1/uploads/{created['item']['id']}")

    assert theirs.status_code == 404
    assert cancelled.status_code == 204 and MediaItem.count(created["item"]["id"]) == 0


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"size": "12"}, 422),
        ({"size": 12.0}, 422),
        ({"size": 0}, 400),
        ({"name": ""}, 400),
        ({"type": "text/html"}, 415),
        ({"size": 6 * 1024**3}, 413),
        ({"extra": 1}, 422),
    ],
)
def test_a_bad_declaration_answers_a_4xx_problem_and_records_nothing(api, fields, status):
    response = declare(api, PNG, **fields)

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert MediaItem.count() == 0


def test_a_read_token_cannot_upload(member_client):
    reader = Client(**bearer(make_token(member_client, scope="read")))

    assert declare(reader, PNG).status_code == 403
    assert MediaItem.count() == 0


def test_an_upload_counts_once_against_the_write_rate_when_it_is_declared(member_client, settings):
    settings.MEDIAHUB_API_WRITES_PER_MINUTE = 2
    api = Client(**bearer(make_token(member_client)))
    first = declare(api, PNG).json()
    post = first["post"]
    fields = {**post["fields"], "Content-Type": "image/png"}
    requests.post(post["url"], data=fields, files={"file": PNG}, timeout=10).raise_for_status()

    finished = [api.post(f"/api/v1/uploads/{first['item']['id']}/finish") for _ in range(3)]
    second = declare(api, PNG)
    third = declare(api, PNG)

    assert [answer.status_code for answer in finished] == [200, 200, 200]
    assert (second.status_code, third.status_code) == (201, 429)
