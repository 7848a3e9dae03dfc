"""Download, edit (with optimistic locking) and delete of one's own media."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests import media
from tests.helpers import stored_item
from uploads.models import MediaItem


def _upload(filename="Été à Zürich.txt", data=b"hello world"):
    return stored_item(filename, data, name="Trip")


def test_download_is_a_short_lived_attachment_under_the_original_unicode_name(member_client):
    item = _upload()

    response = member_client.get(f"/media/{item.id}/download/")

    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"] == [
        "attachment; filename*=utf-8''%C3%89t%C3%A9%20%C3%A0%20Z%C3%BCrich.txt"
    ]
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.content == b"hello world"


def test_edit_changes_name_and_caption(member_client):
    item = _upload()

    response = member_client.post(f"/media/{item.id}/edit/", {"name": "New", "caption": "Now", "version": item.version})

    assert response.status_code == 302
    page = member_client.get(response["Location"]).content.decode()
    assert "Saved your changes." in page
    assert "<h1>New</h1>" in page and '<p class="caption">Now</p>' in page


def test_edit_from_a_stale_page_is_refused_and_keeps_the_other_save(member_client):
    item = _upload()
    member_client.post(f"/media/{item.id}/edit/", {"name": "First", "caption": "", "version": item.version})

    response = member_client.post(f"/media/{item.id}/edit/", {"name": "Second", "caption": "", "version": item.version})

    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this item while you were editing. Nothing was overwritten." in page
    assert "<dt>Name</dt><dd>First</dd>" in page  # theirs, as saved
    assert 'name="name" value="Second"' in page  # yours, still in the form
    assert MediaItem.get(item.id).name == "First"


def test_saving_again_after_a_conflict_is_a_deliberate_overwrite(member_client):
    item = _upload()
    member_client.post(f"/media/{item.id}/edit/", {"name": "First", "caption": "", "version": item.version})
    conflict = member_client.post(f"/media/{item.id}/edit/", {"name": "Second", "caption": "", "version": item.version})
    version = re.search(r'name="version" value="(\d+)"', conflict.content.decode()).group(1)

    response = member_client.post(f"/media/{item.id}/edit/", {"name": "Second", "caption": "", "version": version})

    assert response.status_code == 302
    assert MediaItem.get(item.id).name == "Second"


def test_edit_with_an_empty_name_is_refused(member_client):
    item = _upload()

    response = member_client.post(f"/media/{item.id}/edit/", {"name": "", "caption": "x", "version": item.version})

    assert response.status_code == 400
    assert MediaItem.get(item.id).name == "Trip"


def test_delete_asks_first_then_removes_object_and_record(member_client, bucket_keys):
    item = _upload()

    confirm = member_client.get(f"/media/{item.id}/delete/")

    assert "Delete “Trip”?" in confirm.content.decode()
    assert bucket_keys() == [item.s3_key]  # the question alone deletes nothing
    response = member_client.post(f"/media/{item.id}/delete/")
    assert response["Location"] == "/"
    assert "Moved “Trip” to the trash." in member_client.get("/").content.decode()
    assert MediaItem.count(item.id) == 0
    assert item.s3_key in bucket_keys()  # kept until the purge
    assert "Trip" in member_client.get("/trash/").content.decode()


@pytest.mark.parametrize(
    ("filename", "data", "player"),
    [
        ("p.jpg", media.jpeg(), '<img class="preview" src="http'),
        ("c.mp4", media.mp4(320, 240, 3.0), '<video class="preview" controls preload="metadata" src="http'),
        ("v.wav", media.wav(1.0), '<audio class="preview" controls preload="metadata" src="http'),
        ("n.txt", b"words\n" * 10, '<p class="kind-icon large kind-document"'),
    ],
)
def test_detail_previews_images_video_and_audio_inline(member_client, filename, data, player):
    item = _upload(filename=filename, data=data)

    assert player in member_client.get(f"/media/{item.id}/").content.decode()
