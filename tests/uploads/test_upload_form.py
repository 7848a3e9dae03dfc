"""The upload form: the confirmation page, and every refusal shown where it belongs. What an
upload stores is tested on the service (test_services.py)."""

from __future__ import annotations

import re

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import media
from tests.helpers import file_link, only_item
from uploads.models import MediaItem

JPEG_BYTES = media.jpeg(320, 240)


def upload(client, *, name="Sunset", caption="Over the bay", filename="photo.jpg", data=JPEG_BYTES, **extra):
    fields = {"name": name, "caption": caption, **extra}
    if filename is not None:
        fields["file"] = SimpleUploadedFile(filename, data, content_type="image/jpeg")
    return client.post("/upload/", fields)


def test_confirmation_page_shows_the_stored_details_and_a_link_to_the_same_bytes(member_client):
    response = member_client.get(upload(member_client)["Location"])

    item = only_item()
    page = response.content.decode()
    assert "Uploaded “Sunset”." in page
    for shown in (item.id, "Sunset", "Over the bay", "photo.jpg", "image/jpeg", f"{len(JPEG_BYTES)} bytes", "UTC"):
        assert shown in page
    link = file_link(page)
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


def test_a_failed_upload_says_so_on_the_form(member_client, faults):
    faults.fail("PutItem", when=lambda params: params.get("TableName", "").endswith("-media"), times=1)

    response = upload(member_client)

    assert response.status_code == 503  # the store failed, not the request
    assert "The upload could not be recorded. Nothing was saved; please try again." in response.content.decode()


def test_a_rejected_file_is_explained_next_to_the_file_field(member_client):
    response = upload(member_client, filename="cute-cat.jpg", data=b"<!doctype html><script>alert(1)</script>")

    assert response.status_code == 400
    assert "This file was not accepted: The file&#x27;s content is not an image, video, audio file" in (
        _field_errors(response, "file")
    )
