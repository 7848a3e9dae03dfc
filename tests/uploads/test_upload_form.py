"""The form upload path: bytes to S3, record to DynamoDB, confirmation page, and every refusal."""

from __future__ import annotations

import hashlib
import re

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import media
from uploads.models import MediaItem

JPEG_BYTES = media.jpeg(320, 240)


def upload(client, *, name="Sunset", caption="Over the bay", filename="photo.jpg", data=JPEG_BYTES, **extra):
    fields = {"name": name, "caption": caption, **extra}
    if filename is not None:
        fields["file"] = SimpleUploadedFile(filename, data, content_type="image/jpeg")
    return client.post("/upload/", fields)


def test_upload_stores_exact_bytes_in_s3_and_every_field_in_dynamodb(member_client, s3, settings):
    response = upload(member_client)

    assert response.status_code == 302
    [item] = list(MediaItem.scan())
    assert response["Location"] == f"/media/{item.id}/"
    stored = s3.get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key)
    assert stored["Body"].read() == JPEG_BYTES
    assert stored["ContentType"] == "image/jpeg"
    assert item.s3_key == f"media/{item.id}/photo.jpg"
    assert (item.owner, item.name, item.caption) == ("alice", "Sunset", "Over the bay")
    assert (item.original_filename, item.content_type, item.kind) == ("photo.jpg", "image/jpeg", "image")
    assert item.size == len(JPEG_BYTES)
    assert item.status == "ready"
    assert item.file_url == f"https://{settings.MEDIAHUB_BUCKET}.s3.us-east-1.amazonaws.com/{item.s3_key}"
    assert item.uploaded_at <= item.updated_at
    assert item.sha256 == hashlib.sha256(JPEG_BYTES).hexdigest()
    assert (item.width, item.height) == (320, 240)
    assert item.thumbnail_key == f"thumbnails/{item.id}.webp"


def test_confirmation_page_shows_the_stored_details_and_a_link_to_the_same_bytes(member_client):
    response = member_client.get(upload(member_client)["Location"])

    [item] = list(MediaItem.scan())
    page = response.content.decode()
    assert "Uploaded “Sunset”." in page
    for shown in (item.id, "Sunset", "Over the bay", "photo.jpg", "image/jpeg", f"{len(JPEG_BYTES)} bytes", "UTC"):
        assert shown in page
    link = re.search(r'href="([^"]+)" class="file-link"', page).group(1).replace("&amp;", "&")
    assert "X-Amz-Signature=" in link
    assert "X-Amz-Expires=300" in link
    assert requests.get(link, timeout=10).content == JPEG_BYTES


def _field_errors(response, field: str) -> str:
    match = re.search(rf'id="id_{field}-errors">(.*?)</ul>', response.content.decode(), re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"filename": None}, "file", "This field is required."),
        ({"data": b""}, "file", "The submitted file is empty."),
        ({"caption": "x" * 2001}, "caption", "Ensure this value has at most 2000 characters (it has 2001)."),
        ({"name": "n" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_invalid_upload_is_refused_next_to_its_field_and_writes_nothing(
    member_client, bucket_keys, fields, field, message
):
    response = upload(member_client, **fields)

    assert response.status_code == 400
    assert message in _field_errors(response, field)
    assert bucket_keys() == []
    assert list(MediaItem.scan()) == []


def test_file_above_the_form_limit_is_refused_with_both_sizes(member_client, bucket_keys, settings):
    settings.MEDIAHUB_FORM_UPLOAD_MAX_BYTES = 1024

    response = upload(member_client, data=b"x" * 1025)

    assert response.status_code == 400
    expected = (
        "This file is 1,025 bytes; this form accepts files up to 1,024 bytes (1.0\xa0KB). "
        "Use the uploader above, which sends large files straight to storage."
    )
    assert expected in _field_errors(response, "file")
    assert bucket_keys() == []
    assert list(MediaItem.scan()) == []


def test_failed_dynamodb_write_removes_the_object_again_and_says_so(member_client, bucket_keys):
    MediaItem.delete_table()

    response = upload(member_client)

    assert response.status_code == 503  # the store failed, not the request
    assert "The upload could not be recorded. Nothing was saved; please try again." in response.content.decode()
    assert bucket_keys() == []


def test_filename_is_made_safe_for_the_key_but_kept_for_display(member_client):
    upload(member_client, filename="../../My Holiday (1).jpg")

    [item] = list(MediaItem.scan())
    assert item.s3_key == f"media/{item.id}/My_Holiday_1.jpg"
    assert item.original_filename == "My Holiday (1).jpg"
