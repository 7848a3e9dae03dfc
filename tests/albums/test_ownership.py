"""Albums and tags are their owner's: another member gets the same 404 as for nothing at
all, on every page and API call, and cannot put their items in it or read its tags."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from albums import services
from albums.models import Album, Membership
from tests.api.helpers import bearer, make_token
from tests.factories import PASSWORD, MediaItemFactory
from tests.helpers import sign_in
from uploads import services as media_services
from uploads.models import MediaItem


@pytest.fixture
def bobs(other_member):
    """Bob's album holding one tagged item of his."""
    album = services.album_create(owner="bob", name="Bob secret album")
    item = MediaItemFactory(owner="bob", name="Bob photo")
    item = media_services.media_update(item=item, name=item.name, caption="", version=item.version, tags=["private"])
    services.album_add_item(album=album, item=item, actor="tester")
    return album, item


@pytest.fixture
def alice(member) -> Client:
    return sign_in(Client(), "alice")


def test_another_members_album_pages_answer_404(alice, bobs):
    album, item = bobs
    for url in (f"/albums/{album.id}/", f"/albums/{album.id}/edit/", f"/albums/{album.id}/delete/"):
        response = alice.get(url)
        assert response.status_code == 404, url
        assert "Bob secret" not in response.content.decode()
    assert alice.get("/", {"album": album.id}).status_code == 404


def test_another_members_album_cannot_be_changed_through_the_pages(alice, bobs):
    album, item = bobs
    mine = MediaItemFactory(owner="alice")
    posts = [
        (f"/albums/{album.id}/edit/", {"name": "Taken"}),
        (f"/albums/{album.id}/delete/", {}),
        (f"/albums/{album.id}/items/{item.id}/remove/", {}),
        (f"/media/{mine.id}/albums/add/", {"album": album.id}),
        (f"/media/{item.id}/albums/add/", {"album": album.id}),
    ]
    for url, data in posts:
        assert alice.post(url, data).status_code == 404, url
    response = alice.post("/media/edit/", {"ids": [mine.id], "apply": "yes", "album": album.id})
    assert response.status_code == 400  # not among her albums to choose
    assert Album.get(album.id).name == "Bob secret album"
    assert [m.media_id for m in Membership.query(album.id)] == [item.id]


def test_another_members_albums_and_tags_are_not_listed(alice, bobs):
    assert "Bob secret album" not in alice.get("/albums/").content.decode()
    assert alice.get("/", {"tag": "private"}).content.decode().count("Bob photo") == 0
    assert "private" not in alice.get("/").content.decode()
    assert alice.get("/api/v1/tags").json() == []


def test_another_members_album_answers_404_in_the_api(member_client, bobs):
    album, item = bobs
    api = Client(**bearer(make_token(member_client)))
    mine = MediaItemFactory(owner="alice")
    calls = [
        api.get(f"/api/v1/albums/{album.id}"),
        api.get(f"/api/v1/albums/{album.id}/items"),
        api.patch(f"/api/v1/albums/{album.id}", {"name": "x"}, content_type="application/json"),
        api.delete(f"/api/v1/albums/{album.id}"),
        api.post(f"/api/v1/albums/{album.id}/items", {"media_ids": [mine.id]}, content_type="application/json"),
        api.delete(f"/api/v1/albums/{album.id}/items/{item.id}"),
        api.get("/api/v1/media", {"album": album.id}),
    ]
    assert [response.status_code for response in calls] == [404] * len(calls)
    assert api.get("/api/v1/albums").json()["items"] == []
    assert api.get("/api/v1/media", {"tag": "private"}).json()["items"] == []
    assert Album.get(album.id).item_count == 1


def test_her_own_album_cannot_take_another_members_item(member_client, bobs):
    _, item = bobs
    album = services.album_create(owner="alice", name="Mine")
    api = Client(**bearer(make_token(member_client)))

    outcome = api.post(f"/api/v1/albums/{album.id}/items", {"media_ids": [item.id]}, content_type="application/json")

    assert outcome.status_code == 200
    assert outcome.json() == [{"media_id": item.id, "added": False, "problem": outcome.json()[0]["problem"]}]
    assert Membership.count(album.id) == 0


def test_admins_see_every_album_and_its_items(admin_client, bobs):
    album, item = bobs
    assert "Bob secret album" in admin_client.get("/albums/").content.decode()
    assert "Bob photo" in admin_client.get(f"/albums/{album.id}/").content.decode()
    assert MediaItem.get(item.id).tags == {"private"}


def test_every_album_form_carries_a_csrf_token_and_none_works_without(member_client, member):
    album = services.album_create(owner="alice", name="Mine")
    item = MediaItemFactory(owner="alice")
    services.album_add_item(album=album, item=item, actor="tester")
    pages = ("/albums/new/", f"/albums/{album.id}/edit/", f"/albums/{album.id}/delete/", f"/media/{item.id}/", "/")
    for url in pages:
        forms = re.findall(r'<form method="post".*?</form>', member_client.get(url).content.decode(), re.S)
        assert forms and all("csrfmiddlewaretoken" in form for form in forms), url
    strict = Client(enforce_csrf_checks=True)
    strict.get("/accounts/login/")
    token = strict.cookies["csrftoken"].value
    credentials = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert strict.post("/accounts/login/", credentials).status_code == 302
    posts = [
        ("/albums/new/", {"name": "No token"}),
        (f"/albums/{album.id}/edit/", {"name": "No token"}),
        (f"/albums/{album.id}/delete/", {}),
        (f"/albums/{album.id}/items/{item.id}/remove/", {}),
        (f"/media/{item.id}/albums/add/", {"album": album.id}),
        ("/media/edit/", {"ids": [item.id], "apply": "yes", "add_tags": "x", f"version-{item.id}": str(item.version)}),
    ]
    for url, data in posts:
        assert strict.post(url, data).status_code == 403, url
    assert [a.name for a in Album.scan()] == ["Mine"]
    assert Membership.count(album.id) == 1
    assert MediaItem.get(item.id).tags is None
