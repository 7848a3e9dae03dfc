"""Download, edit (with optimistic locking) and delete of one's own media."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from uploads.models import MediaItem


def _upload(client, filename="Été à Zürich.txt", data=b"hello world"):
    client.post("/upload/", {"name": "Trip", "file": SimpleUploadedFile(filename, data)})
    [item] = list(MediaItem.scan())
    return item


def test_download_is_a_short_lived_attachment_under_the_original_unicode_name(member_client):
    item = _upload(member_client)

    response = member_client.get(f"/media/{item.id}/download/")

    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"] == [
        "attachment; filename*=utf-8''%C3%89t%C3%A9%20%C3%A0%20Z%C3%BCrich.txt"
    ]
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.content == b"hello world"


def test_edit_changes_name_and_caption(member_client):
    item = _upload(member_client)

    response = member_client.post(f"/media/{item.id}/edit/", {"name": "New", "caption": "Now", "version": item.version})

    assert response.status_code == 302
    assert "Saved your changes." in member_client.get(response["Location"]).content.decode()
    saved = MediaItem.get(item.id)
    assert (saved.name, saved.caption, saved.version) == ("New", "Now", item.version + 1)


def test_edit_from_a_stale_page_is_refused_and_keeps_the_other_save(member_client):
    item = _upload(member_client)
    member_client.post(f"/media/{item.id}/edit/", {"name": "First", "caption": "", "version": item.version})

    response = member_client.post(f"/media/{item.id}/edit/", {"name": "Second", "caption": "", "version": item.version})

    assert response.status_code == 400
    assert "Someone else changed this item since you opened it." in response.content.decode()
    assert MediaItem.get(item.id).name == "First"


def test_edit_with_an_empty_name_is_refused(member_client):
    item = _upload(member_client)

    response = member_client.post(f"/media/{item.id}/edit/", {"name": "", "caption": "x", "version": item.version})

    assert response.status_code == 400
    assert MediaItem.get(item.id).name == "Trip"


def test_delete_asks_first_then_removes_object_and_record(member_client, bucket_keys):
    item = _upload(member_client)

    confirm = member_client.get(f"/media/{item.id}/delete/")

    assert "Delete “Trip”?" in confirm.content.decode()
    assert bucket_keys() == [item.s3_key]  # the question alone deletes nothing
    response = member_client.post(f"/media/{item.id}/delete/")
    assert response["Location"] == "/"
    assert "Deleted “Trip”." in member_client.get("/").content.decode()
    assert MediaItem.count(item.id) == 0
    assert item.s3_key not in bucket_keys()
