"""API v1 for albums and tags: albums and their items with cursors, tags through PATCH and
GET of media, the media list's tag and album filters."""

from __future__ import annotations

import pytest
from django.test import Client

from albums.models import Album
from tests.api.helpers import bearer, make_token
from tests.factories import MediaItemFactory
from uploads.models import MediaItem

JSON = "application/json"


@pytest.fixture
def api(member_client) -> Client:
    return Client(**bearer(make_token(member_client)))


def test_an_album_made_filled_paged_and_emptied_through_the_api(api):
    items = [MediaItemFactory(owner="alice", name=f"Item {n:02}") for n in range(13)]
    made = api.post("/api/v1/albums", {"name": "Trip", "description": "Lisbon"}, content_type=JSON)
    album_id = made.json()["id"]

    added = api.post(f"/api/v1/albums/{album_id}/items", {"media_ids": [i.id for i in items]}, content_type=JSON)
    again = api.post(f"/api/v1/albums/{album_id}/items", {"media_ids": [items[0].id]}, content_type=JSON)
    seen, cursor = [], ""
    while True:
        page = api.get(f"/api/v1/albums/{album_id}/items", {"size": "10", "cursor": cursor}).json()
        seen += [item["name"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    removed = api.delete(f"/api/v1/albums/{album_id}/items/{items[0].id}")
    removed_again = api.delete(f"/api/v1/albums/{album_id}/items/{items[0].id}")

    assert made.status_code == 201 and made.json()["item_count"] == 0
    assert all(outcome["added"] for outcome in added.json()) and len(added.json()) == 13
    assert again.json() == [{"media_id": items[0].id, "added": True, "problem": ""}]  # already there: no error
    assert seen == [f"Item {n:02}" for n in reversed(range(13))]
    assert (removed.status_code, removed_again.status_code) == (204, 404)
    assert api.get(f"/api/v1/albums/{album_id}").json()["item_count"] == 12
    assert api.get("/api/v1/media", {"album": album_id, "size": "100"}).json()["items"][-1]["name"] == "Item 01"
    assert api.delete(f"/api/v1/albums/{album_id}").status_code == 204
    assert MediaItem.count() == 13 and Album.count() == 0


def test_renaming_and_choosing_a_cover(api):
    item = MediaItemFactory(owner="alice")
    outsider = MediaItemFactory(owner="alice")
    album_id = api.post("/api/v1/albums", {"name": "Trip"}, content_type=JSON).json()["id"]
    api.post(f"/api/v1/albums/{album_id}/items", {"media_ids": [item.id]}, content_type=JSON)

    renamed = api.patch(f"/api/v1/albums/{album_id}", {"name": "Lisbon", "cover_media_id": item.id}, content_type=JSON)
    refused = api.patch(f"/api/v1/albums/{album_id}", {"cover_media_id": outsider.id}, content_type=JSON)

    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["cover_media_id"]) == ("Lisbon", item.id)
    assert refused.status_code == 400 and "cover must be one of the album's items" in refused.json()["detail"]


def test_tags_through_patch_and_get_and_the_tag_filter(api):
    item = MediaItemFactory(owner="alice", name="Shore")
    MediaItemFactory(owner="alice", name="Plain")
    etag = api.get(f"/api/v1/media/{item.id}")["ETag"]

    changed = api.patch(
        f"/api/v1/media/{item.id}", {"tags": ["Beach", " SUNSET "]}, content_type=JSON, HTTP_IF_MATCH=etag
    )
    renamed = api.patch(
        f"/api/v1/media/{item.id}", {"name": "Shore 2"}, content_type=JSON, HTTP_IF_MATCH=changed["ETag"]
    )

    assert changed.status_code == 200 and changed.json()["tags"] == ["beach", "sunset"]
    assert renamed.json()["tags"] == ["beach", "sunset"]  # a PATCH without tags keeps them
    assert [i["name"] for i in api.get("/api/v1/media", {"tag": "Beach"}).json()["items"]] == ["Shore 2"]
    assert api.get("/api/v1/tags").json() == ["beach", "sunset"]


def test_bad_tags_and_bad_album_input_answer_4xx_problems(api):
    item = MediaItemFactory(owner="alice")
    etag = api.get(f"/api/v1/media/{item.id}")["ETag"]
    album_id = api.post("/api/v1/albums", {"name": "Trip"}, content_type=JSON).json()["id"]
    answers = [
        api.patch(f"/api/v1/media/{item.id}", {"tags": ["x" * 41]}, content_type=JSON, HTTP_IF_MATCH=etag),
        api.patch(f"/api/v1/media/{item.id}", {"tags": "beach"}, content_type=JSON, HTTP_IF_MATCH=etag),
        api.patch(f"/api/v1/media/{item.id}", {"tags": [1]}, content_type=JSON, HTTP_IF_MATCH=etag),
        api.patch(f"/api/v1/media/{item.id}", {"tags": ["a,b"]}, content_type=JSON, HTTP_IF_MATCH=etag),
        api.patch(
            f"/api/v1/media/{item.id}", {"tags": [str(n) for n in range(21)]}, content_type=JSON, HTTP_IF_MATCH=etag
        ),
        api.post("/api/v1/albums", {"name": ""}, content_type=JSON),
        api.post("/api/v1/albums", {"name": "a\u202eb"}, content_type=JSON),
        api.post("/api/v1/albums", ["name"], content_type=JSON),
        api.post(f"/api/v1/albums/{album_id}/items", {"media_ids": [f"x{n}" for n in range(101)]}, content_type=JSON),
        api.post(f"/api/v1/albums/{album_id}/items", {"media_ids": "nope"}, content_type=JSON),
        api.get("/api/v1/albums", {"cursor": "forged"}),
        api.get("/api/v1/albums/not-an-id"),
        api.get("/api/v1/media", {"album": "x" * 27}),
        api.get("/api/v1/media", {"tag": "\x00"}),
        api.get("/api/v1/media", {"tag": "beach", "order": "taken-newest"}),
        api.get(f"/api/v1/albums/{album_id}/items", {"cursor": "forged"}),
    ]

    statuses = [response.status_code for response in answers]
    assert all(400 <= status < 500 for status in statuses), str(statuses)
    assert all(response["Content-Type"] == "application/problem+json" for response in answers)
    assert MediaItem.get(item.id).tags is None
    assert Album.count() == 1
