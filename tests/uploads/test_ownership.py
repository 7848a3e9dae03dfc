"""Members reach only their own media (others' answer 404); admins reach all."""

from __future__ import annotations

import pytest

from sharing.models import Share
from tests.factories import MediaItemFactory
from tests.helpers import form_upload, only_item, sign_in
from uploads.models import MediaItem


@pytest.fixture
def bobs_item(other_member):
    return MediaItemFactory(owner="bob", name="Bob's secret")


@pytest.mark.parametrize("suffix", ["", "download/", "edit/", "delete/"])
def test_member_gets_404_for_someone_elses_media_on_every_view(member_client, bobs_item, suffix):
    url = f"/media/{bobs_item.id}/{suffix}"

    assert member_client.get(url).status_code == 404
    assert member_client.post(url, {"name": "mine now", "version": bobs_item.version}).status_code in (404, 405)
    assert MediaItem.get(bobs_item.id).name == "Bob's secret"


def test_member_gets_the_same_404_for_a_missing_id(member_client):
    assert member_client.get("/media/01J0000000000000000000000/").status_code == 404


def test_member_list_shows_only_their_own_media(member_client, bobs_item):
    MediaItemFactory(owner="alice", name="Alice's photo")

    page = member_client.get("/").content.decode()

    assert "Alice&#x27;s photo" in page
    assert "Bob&#x27;s secret" not in page


def test_admin_sees_everyones_media_with_owner(admin_client, bobs_item):
    MediaItemFactory(owner="alice", name="Alice's photo")

    page = admin_client.get("/").content.decode()

    assert "Alice&#x27;s photo" in page and "Bob&#x27;s secret" in page
    assert '<th scope="col">Owner</th>' in page


@pytest.mark.parametrize("suffix", ["", "edit/", "delete/"])
def test_admin_can_open_any_members_media(admin_client, bobs_item, suffix):
    assert admin_client.get(f"/media/{bobs_item.id}/{suffix}").status_code == 200


def test_admin_can_download_edit_and_delete_any_members_media(admin_client, bobs_item, s3, settings):
    s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=bobs_item.s3_key, Body=b"bytes")

    download = admin_client.get(f"/media/{bobs_item.id}/download/")
    edit = admin_client.post(f"/media/{bobs_item.id}/edit/", {"name": "Renamed", "caption": "", "version": 1})
    delete = admin_client.post(f"/media/{bobs_item.id}/delete/")

    assert download.status_code == 302 and "X-Amz-Signature" in download["Location"]
    assert edit.status_code == 302
    assert delete.status_code == 302
    assert MediaItem.count(bobs_item.id) == 0


def test_upload_records_the_signed_in_uploader(other_member, client):
    form_upload(sign_in(client, "bob"), "a.txt", b"hello")

    assert only_item().owner == "bob"


def test_a_member_cannot_make_a_share_link_for_someone_elses_media(member_client, bobs_item):
    form = member_client.get(f"/media/{bobs_item.id}/shares/new/")
    response = member_client.post(f"/media/{bobs_item.id}/shares/new/", {"lasts": "7d", "allow_download": "on"})

    assert (form.status_code, response.status_code) == (404, 404)
    assert Share.count() == 0
