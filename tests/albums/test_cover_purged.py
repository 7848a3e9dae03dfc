"""An album whose chosen cover was deleted forever can still be renamed (page and API)."""

from __future__ import annotations

import pytest
from django.test import Client

from albums import services
from albums.models import Album
from tests.api.helpers import bearer, make_token
from tests.factories import MediaItemFactory
from trash.models import TrashedItem
from trash.services import trash_purge
from uploads import services as media_services

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def album_with_purged_cover(member):
    album = services.album_create(owner="alice", name="Summer")
    cover, other = MediaItemFactory(owner="alice", name="Cover"), MediaItemFactory(owner="alice", name="Other")
    for item in (cover, other):
        services.album_add_item(album=album, item=item, actor="alice")
    services.album_update(album=album, name="Summer", description="", cover_media_id=cover.id)
    media_services.media_trash(item=cover, actor="alice")
    trash_purge(trashed=TrashedItem.get("alice", cover.id, consistent_read=True), actor="alice")
    return Album.get(album.id, consistent_read=True)


def test_purging_the_cover_forgets_it(album_with_purged_cover):
    assert album_with_purged_cover.cover_media_id is None
    assert album_with_purged_cover.item_count == 1


def test_an_album_whose_cover_was_purged_can_be_renamed_on_its_page(member_client, album_with_purged_cover):
    album = album_with_purged_cover
    page = member_client.get(f"/albums/{album.id}/edit/")
    assert page.status_code == 200
    cover = page.context["form"].initial["cover"]
    response = member_client.post(f"/albums/{album.id}/edit/", {"name": "Renamed", "description": "", "cover": cover})
    assert response.status_code == 302
    assert Album.get(album.id, consistent_read=True).name == "Renamed"


def test_an_album_whose_cover_was_purged_can_be_renamed_in_the_api(member_client, album_with_purged_cover):
    api = Client(**bearer(make_token(member_client)))
    album = album_with_purged_cover
    response = api.patch(f"/api/v1/albums/{album.id}", {"name": "Renamed"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
