"""Direct uploads (moto): the portal signs, the bytes go straight to S3, the portal verifies."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from tests import media
from tests.helpers import sign_in
from uploads import services
from uploads.exceptions import InvalidMediaType
from uploads.models import MediaItem

PNG = media.png()
PDF = media.pdf(2)


def create(client, **fields):
    body = {"name": "Photo", "caption": "", "filename": "photo.png", "size": len(PNG), "type": "image/png", **fields}
    return client.post("/api/v1/uploads", json.dumps(body), content_type="application/json")


def post_to_s3(created: dict, data: bytes, content_type: str = "image/png") -> requests.Response:
    post = created["post"]
    fields = {**post["fields"], "Content-Type": content_type}
    return requests.post(post["url"], data=fields, files={"file": ("f", data)}, timeout=10)


def finish(client, media_id: str):
    return client.post(f"/api/v1/uploads/{media_id}/finish", "{}", content_type="application/json")


def test_create_records_a_pending_item_that_expires_and_returns_a_tight_post_policy(member_client, settings):
    response = create(member_client, caption="Sunset")

    assert response.status_code == 201
    body = response.json()
    item = MediaItem.get(body["item"]["id"])
    assert (item.status, item.owner, item.caption, item.size) == ("pending", "alice", "Sunset", len(PNG))
    assert item.expires_at is not None
    policy = json.loads(base64.b64decode(body["post"]["fields"]["policy"]))
    signing = [c for c in policy["conditions"] if isinstance(c, dict) and next(iter(c)).startswith("x-amz-")]
    rules = [c for c in policy["conditions"] if c not in signing]
    assert rules == [
        {"Content-Type": "image/png"},
        ["content-length-range", len(PNG), len(PNG)],
        {"bucket": settings.MEDIAHUB_BUCKET},
        {"key": item.s3_key},
    ]
    assert {next(iter(c)) for c in signing} <= {
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-security-token",
    }
    assert body["post"]["fields"]["key"] == item.s3_key


def test_post_then_finish_marks_the_item_ready_with_the_real_size(member_client, s3, settings):
    created = create(member_client).json()

    assert post_to_s3(created, PNG).status_code == 204
    response = finish(member_client, created["item"]["id"])

    assert response.status_code == 200
    item = MediaItem.get(created["item"]["id"])
    assert (item.status, item.size, item.content_type, item.expires_at) == ("ready", len(PNG), "image/png", None)
    assert s3.get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key)["Body"].read() == PNG


def test_finishing_twice_changes_nothing(member_client):
    created = create(member_client).json()
    post_to_s3(created, PNG)

    first = finish(member_client, created["item"]["id"]).json()
    second = finish(member_client, created["item"]["id"]).json()

    assert {**first, "thumbnail_url": None} == {**second, "thumbnail_url": None}
    assert first["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert [item.id for item in MediaItem.scan()] == [created["item"]["id"]]
    # Created, concluded; then the checksum pass claimed and recorded, once.
    assert MediaItem.get(created["item"]["id"]).version == 4


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"size": 6 * 1024**3}, 413, "uploads may be up to 5,368,709,120 bytes"),
        ({"type": "application/x-msdownload", "filename": "setup.exe"}, 415, "is not an image, video, audio"),
        ({"name": ""}, 400, "Some fields are missing or invalid."),
        ({"size": 0}, 400, "Some fields are missing or invalid."),
    ],
)
def test_create_enforces_the_limits_and_writes_nothing(member_client, bucket_keys, fields, status, message):
    response = create(member_client, **fields)

    assert response.status_code == status
    assert message in response.json()["detail"]
    assert list(MediaItem.scan()) == []
    assert bucket_keys() == []


def test_the_declared_type_is_lower_cased_before_it_is_signed_into_the_policy(member_client):
    created = create(member_client, type="IMAGE/PNG").json()

    policy = json.loads(base64.b64decode(created["post"]["fields"]["policy"]))
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert MediaItem.get(created["item"]["id"]).content_type == "image/png"


def test_the_service_refuses_a_malformed_type_whoever_calls_it(aws):
    with pytest.raises(InvalidMediaType):
        services.direct_upload_create(
            owner="alice", name="x", caption="", filename="a.png", size=10, declared_type="image/png\r\nX-Evil: 1"
        )

    assert list(MediaItem.scan()) == []


def test_bidi_and_control_characters_never_reach_the_download_name(member_client):
    created = create(member_client, filename="invoice\u202egnp.exe\x1b").json()
    post_to_s3(created, PNG)
    finish(member_client, created["item"]["id"])

    download = member_client.get(f"/media/{created['item']['id']}/download/")

    # Cleaned of the controls, and named for what the bytes really are (a PNG).
    assert MediaItem.get(created["item"]["id"]).original_filename == "invoicegnp.png"
    disposition = parse_qs(urlsplit(download["Location"]).query)["response-content-disposition"][0]
    assert disposition == 'attachment; filename="invoicegnp.png"'


def test_right_to_left_names_keep_their_direction_marks(member_client):
    name = "\u05ea\u05de\u05d5\u05e0\u05d4\u200f 2024"  # "picture", a right-to-left mark, 2024

    created = create(member_client, name=name, caption=f"{name}\n\t{name}")

    assert created.status_code == 201
    item = MediaItem.get(created.json()["item"]["id"])
    assert (item.name, item.caption) == (name, f"{name}\n\t{name}")


def test_a_hundred_parts_sign_in_one_request_up_to_part_10000(member_client, settings):
    settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES = 1024
    created = create(member_client, filename="clip.mp4", type="video/mp4", size=10_000_000).json()
    url = f"/api/v1/uploads/{created['item']['id']}/parts"

    hundred = member_client.post(url, {"part_numbers": list(range(1, 101))}, "application/json")
    last = member_client.post(url, {"part_numbers": [10_000]}, "application/json")

    assert hundred.status_code == 200
    assert sorted(map(int, hundred.json()["urls"])) == list(range(1, 101))
    assert list(last.json()["urls"]) == ["10000"]


def test_finish_rejects_a_smaller_file_than_declared_and_deletes_it(member_client, bucket_keys, s3, settings):
    created = create(member_client).json()
    s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=created["key"], Body=PNG[:-10])

    response = finish(member_client, created["item"]["id"])

    assert response.status_code == 422
    assert response.json()["detail"] == f"The file is {len(PNG) - 10:,} bytes, not the {len(PNG):,} bytes declared."
    assert MediaItem.get(created["item"]["id"]).status == "rejected"
    assert bucket_keys() == []


def test_finish_rejects_content_of_another_kind_than_declared_and_deletes_it(member_client, bucket_keys, s3, settings):
    created = create(member_client, size=len(PDF)).json()
    s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=created["key"], Body=PDF)

    response = finish(member_client, created["item"]["id"])

    assert response.status_code == 422
    assert response.json()["detail"] == "The file's content is application/pdf, not the image it was declared as."
    assert bucket_keys() == []


def test_finish_rejects_html_dressed_as_an_image(member_client, bucket_keys, s3, settings):
    html = b"<!doctype html><script>alert(1)</script>" + b" " * 100
    created = create(member_client, size=len(html)).json()
    s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=created["key"], Body=html)

    response = finish(member_client, created["item"]["id"])

    assert response.status_code == 422
    assert "not an image, video, audio file or document we recognise" in response.json()["detail"]
    assert bucket_keys() == []


def test_finish_before_the_bytes_arrive_keeps_the_upload_pending(member_client):
    created = create(member_client).json()

    response = finish(member_client, created["item"]["id"])

    assert response.status_code == 409
    assert response.json()["detail"] == "The file has not arrived in storage yet."
    assert MediaItem.get(created["item"]["id"]).status == "pending"


def test_plain_text_documents_pass_as_text(member_client):
    text = "Grocery list: äpfel, birnen\n".encode() * 10
    created = create(member_client, filename="list.txt", type="text/plain", size=len(text)).json()

    assert post_to_s3(created, text, "text/plain").status_code == 204
    assert finish(member_client, created["item"]["id"]).json()["kind"] == "document"


def test_multipart_upload_signs_parts_completes_and_verifies(member_client, settings, s3):
    settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES = 1024
    clip = media.mp4(640, 360, 12.0, media_bytes=5 * 1024 * 1024)
    part_one, part_two = clip[: 5 * 1024 * 1024], clip[5 * 1024 * 1024 :]
    created = create(member_client, filename="clip.mp4", type="video/mp4", size=len(part_one + part_two)).json()
    media_id = created["item"]["id"]
    assert created["post"] is None and created["multipart"]["upload_id"]

    urls = member_client.post(f"/api/v1/uploads/{media_id}/parts", {"part_numbers": [1, 2]}, "application/json")
    etags = [
        requests.put(urls.json()["urls"][str(n)], data=data, timeout=10).headers["ETag"]
        for n, data in ((1, part_one), (2, part_two))
    ]
    listed = member_client.get(f"/api/v1/uploads/{media_id}/parts").json()
    parts = [{"part_number": n, "etag": etag} for n, etag in zip((1, 2), etags, strict=True)]
    done = member_client.post(f"/api/v1/uploads/{media_id}/complete", {"parts": parts}, "application/json")
    again = member_client.post(f"/api/v1/uploads/{media_id}/complete", {"parts": parts}, "application/json")

    assert [part["part_number"] for part in listed] == [1, 2]
    assert done.status_code == 200 and again.status_code == 200
    item = MediaItem.get(media_id)
    assert (item.status, item.kind, item.size, item.upload_id) == ("ready", "video", len(part_one + part_two), None)
    stored = s3.get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key)["Body"].read()
    assert stored == part_one + part_two


def test_abort_cancels_the_multipart_upload_and_removes_the_record(member_client, settings, s3):
    settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES = 1024
    created = create(member_client, filename="clip.mp4", type="video/mp4", size=10_000).json()
    media_id = created["item"]["id"]

    response = member_client.delete(f"/api/v1/uploads/{media_id}")

    assert response.status_code == 204
    assert MediaItem.count(media_id) == 0
    assert s3.list_multipart_uploads(Bucket=settings.MEDIAHUB_BUCKET).get("Uploads", []) == []


def test_a_finished_upload_cannot_be_aborted(member_client):
    created = create(member_client).json()
    post_to_s3(created, PNG)
    finish(member_client, created["item"]["id"])

    response = member_client.delete(f"/api/v1/uploads/{created['item']['id']}")

    assert response.status_code == 409
    assert MediaItem.get(created["item"]["id"]).status == "ready"


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("post", "/finish", {}),
        ("post", "/parts", {"part_numbers": [1]}),
        ("get", "/parts", None),
        ("post", "/complete", {"parts": [{"part_number": 1, "etag": '"abc"'}]}),
        ("post", "/resume", {"filename": "photo.png", "size": 1, "fingerprint": "0" * 64}),
        ("delete", "", None),
    ],
)
def test_someone_elses_upload_answers_404_on_every_endpoint(member_client, other_member, method, suffix, body):
    created = create(member_client).json()
    bob = sign_in(Client(), "bob")

    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    response = getattr(bob, method)(f"/api/v1/uploads/{created['item']['id']}{suffix}", **kwargs)

    assert response.status_code == 404
    assert response.json()["detail"] == "There is nothing here, or it is not yours to see."
    assert MediaItem.get(created["item"]["id"]).status == "pending"


def test_api_needs_a_signed_in_user(client):
    response = client.post("/api/v1/uploads", "{}", content_type="application/json")

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Sign in, or send a valid token")


def test_bucket_aborts_forgotten_multipart_uploads_after_a_day(s3, settings):
    [rule] = s3.get_bucket_lifecycle_configuration(Bucket=settings.MEDIAHUB_BUCKET)["Rules"]

    assert rule["Status"] == "Enabled"
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
