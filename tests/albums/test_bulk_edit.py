"""Bulk edit from the list's selection: caption, tags, album; a report per item, and an
item changed meanwhile reported while the rest are applied."""

from __future__ import annotations

from albums import services
from albums.models import Album, Membership
from tests.factories import MediaItemFactory
from uploads import services as media_services
from uploads.models import MediaItem


def chosen(*items: MediaItem, **change: object) -> dict[str, object]:
    """What the bulk edit page posts: the items, the version of each it showed, the change."""
    data: dict[str, object] = {"ids": [item.id for item in items], "apply": "yes", **change}
    data.update({f"version-{item.id}": str(item.version) for item in items})
    return data


def test_selecting_shows_the_change_form_and_changes_nothing_yet(member_client):
    one, two = MediaItemFactory(name="one"), MediaItemFactory(name="two")
    services.album_create(owner="alice", name="Trip")

    response = member_client.post("/media/edit/", {"ids": [one.id, two.id], "intent": "album"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Change 2 items" in page and "Trip" in page
    assert f'name="version-{one.id}" value="{one.version}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert MediaItem.get(one.id).version == one.version


def test_bulk_edit_sets_captions_adds_and_removes_tags_and_adds_to_an_album(member_client):
    album = services.album_create(owner="alice", name="Trip")
    one = MediaItemFactory(name="one", caption="old")
    two = MediaItemFactory(name="two")
    one = media_services.media_update(item=one, name="one", caption="old", version=one.version, tags=["draft"])

    change = {"caption_mode": "append", "caption": "Lisbon", "add_tags": "Trip, Portugal", "remove_tags": "draft"}
    response = member_client.post("/media/edit/", chosen(one, two, album=album.id, **change), follow=True)

    assert "Changed 2 items." in response.content.decode()
    assert MediaItem.get(one.id).caption == "old\nLisbon"
    assert MediaItem.get(two.id).caption == "Lisbon"
    assert MediaItem.get(one.id).tags == MediaItem.get(two.id).tags == {"trip", "portugal"}
    assert {m.media_id for m in Membership.query(album.id)} == {one.id, two.id}
    assert Album.get(album.id).item_count == 2


def test_an_item_changed_meanwhile_is_reported_and_the_rest_applied(member_client):
    one, two, three = (MediaItemFactory(name=name) for name in ("one", "two", "three"))
    form = chosen(one, two, three, caption_mode="set", caption="Summer", add_tags="beach")
    # Someone renames "two" after the bulk edit page was shown.
    fresh = MediaItem.get(two.id)
    media_services.media_update(item=fresh, name="two, renamed", caption="theirs", version=fresh.version)

    response = member_client.post("/media/edit/", form)

    page = response.content.decode()
    assert response.status_code == 207
    assert "two, renamed</a>: not changed, it changed meanwhile; look at it again." in page
    assert "Changed 2 items." in page
    assert [MediaItem.get(i.id).caption for i in (one, two, three)] == ["Summer", "theirs", "Summer"]
    assert MediaItem.get(two.id).tags is None
    assert MediaItem.get(one.id).tags == {"beach"}


def test_a_change_racing_the_write_itself_is_caught_by_the_version(member, faults):
    """The version condition in DynamoDB decides a race the page cannot see."""
    from albums.bulk import BulkChange, media_edit_many

    one, two = MediaItemFactory(name="one"), MediaItemFactory(name="two")

    def someone_saves_two_first(params):
        if params["Item"]["id"]["S"] == two.id:
            theirs = MediaItem.get(two.id)
            theirs.caption = "theirs"
            theirs.save()

    faults.before("PutItem", someone_saves_two_first, when=lambda p: p.get("TableName", "").endswith("-media"), times=2)
    outcomes = media_edit_many(
        items=[(one, one.version), (two, two.version)],
        change=BulkChange(caption_mode="set", caption="ours"),
        actor="tester",
    )

    assert [(o.name, o.done) for o in outcomes] == [("one", True), ("two", False)]
    assert MediaItem.get(two.id).caption == "theirs"
    assert MediaItem.get(one.id).caption == "ours"


def test_too_many_tags_is_reported_for_that_item_only(member_client):
    full = MediaItemFactory(name="full")
    full = media_services.media_update(
        item=full, name="full", caption="", version=full.version, tags=[f"t{n}" for n in range(20)]
    )
    light = MediaItemFactory(name="light")

    response = member_client.post("/media/edit/", chosen(full, light, add_tags="one more"))

    assert "full</a>: not changed, it would have more than 20 tags." in response.content.decode()
    assert MediaItem.get(light.id).tags == {"one more"}
    assert len(MediaItem.get(full.id).tags) == 20


def test_a_change_is_required_and_a_bad_tag_named(member_client):
    item = MediaItemFactory()

    nothing = member_client.post("/media/edit/", chosen(item))
    bad = member_client.post("/media/edit/", chosen(item, add_tags="x" * 41))

    assert nothing.status_code == bad.status_code == 400
    assert "Choose at least one change" in nothing.content.decode()
    assert "at most 40 characters" in bad.content.decode()
    assert MediaItem.get(item.id).version == item.version


def test_the_list_offers_add_to_album_and_edit_on_the_selection(member_client):
    MediaItemFactory()

    page = member_client.get("/").content.decode()

    assert 'formaction="/media/edit/" name="intent" value="album">Add to album…' in page
    assert "Edit selected…" in page


def test_an_item_that_cannot_join_the_album_is_reported_unchanged_and_is_unchanged(member_client, monkeypatch):
    full, room = MediaItemFactory(name="Full", caption="Old"), MediaItemFactory(name="Room", caption="Old")
    album = services.album_create(owner="alice", name="Trip")
    monkeypatch.setattr(services, "MAX_ALBUMS_PER_ITEM", 1)
    services.album_add_item(album=services.album_create(owner="alice", name="Other"), item=full, actor="alice")
    full = MediaItem.get(full.id)

    response = member_client.post(
        "/media/edit/", chosen(full, room, caption_mode="append", caption="More", album=album.id)
    )

    assert response.status_code == 207
    assert "not changed, “Full” is already in 1 albums" in response.content.decode()
    assert MediaItem.get(full.id).caption == "Old"  # as reported: trying again appends once
    assert MediaItem.get(room.id).caption == "Old\nMore"
    assert [m.media_id for m in Membership.query(album.id)] == [room.id]
