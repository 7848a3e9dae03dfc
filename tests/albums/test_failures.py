"""Albums, tags and bulk edit when DynamoDB fails or stalls part-way: every record stays
consistent (an album's count equals its memberships, a record's tags have their postings),
and the person is told which items changed and which did not."""

from __future__ import annotations

import pytest

from albums import services
from albums.models import Album, Membership, TagEntry, posting_key
from albums.selectors import albums_for_media
from tests.factories import MediaItemFactory
from tests.helpers import listed_names
from uploads import services as media_services
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")


def on(table: str):
    def matches(params: dict) -> bool:
        names = [params.get("TableName", "")] + list(params.get("RequestItems", {}))
        names += [
            action[kind]["TableName"]
            for action in params.get("TransactItems", [])
            for kind in action
            if isinstance(action[kind], dict)
        ]
        return any(name.endswith(f"-{table}") for name in names)

    return matches


def consistent(album: Album) -> None:
    assert Album.get(album.id).item_count == Membership.count(album.id)


def chosen(*items: MediaItem, **change: object) -> dict[str, object]:
    data: dict[str, object] = {"ids": [item.id for item in items], "apply": "yes", **change}
    data.update({f"version-{item.id}": str(item.version) for item in items})
    return data


def test_a_stall_mid_bulk_add_to_album_keeps_count_and_memberships_equal(member_client, faults):
    items = [MediaItemFactory(name=f"n{n}") for n in range(4)]
    album = services.album_create(owner="alice", name="Trip")
    faults.fail("TransactWriteItems", skip=1)  # the first add lands, then DynamoDB stops answering

    response = member_client.post("/media/edit/", chosen(*items, album=album.id))

    page = response.content.decode()
    assert response.status_code == 207
    assert "Changed 1 item." in page
    assert page.count("not changed, storage did not answer; try again.") == 3
    assert [m.media_id for m in Membership.query(album.id)] == [items[0].id]
    consistent(album)
    assert faults.called("TransactWriteItems") == 2  # the rest were not tried once storage stopped answering


def test_a_failed_media_write_mid_bulk_edit_leaves_that_record_and_its_postings_as_they_were(member_client, faults):
    one, two, three = (MediaItemFactory(name=name) for name in ("one", "two", "three"))
    faults.fail("PutItem", when=lambda p: p.get("TableName", "").endswith("-media"), skip=1)

    response = member_client.post(
        "/media/edit/", chosen(one, two, three, add_tags="beach", caption_mode="set", caption="x")
    )

    page = response.content.decode()
    assert response.status_code == 207
    assert "two</a>: not changed, storage did not answer; try again." in page
    assert "three</a>: not changed, storage did not answer; try again." in page
    assert MediaItem.get(one.id).tags == {"beach"}
    assert [MediaItem.get(i.id).tags for i in (two, three)] == [None, None]
    assert [MediaItem.get(i.id).caption for i in (one, two, three)] == ["x", "", ""]
    # A posting written ahead of a failed record write stays, as a hint the filter checks.
    assert listed_names(member_client.get("/", {"tag": "beach"})) == ["one"]


def test_tag_postings_that_cannot_be_written_stop_the_edit_before_the_record(member_client, faults):
    item = MediaItemFactory(name="Shore")
    faults.fail("BatchWriteItem", when=on("tags"))

    response = member_client.post(
        f"/media/{item.id}/edit/", {"name": "Shore", "caption": "", "tags": "beach", "version": str(item.version)}
    )

    assert response.status_code == 503
    assert "Your change may not have been saved" in response.content.decode()
    assert MediaItem.get(item.id).tags is None
    assert MediaItem.get(item.id).version == item.version


def test_removed_tag_postings_that_cannot_be_deleted_are_skipped_by_the_filter(member_client, faults):
    item = MediaItemFactory(name="Shore")
    item = media_services.media_update(item=item, name=item.name, caption="", version=item.version, tags=["beach"])
    faults.fail("DeleteItem", when=on("tags"))

    response = member_client.post(
        f"/media/{item.id}/edit/", {"name": "Shore", "caption": "", "tags": "", "version": str(item.version)}
    )
    faults.faults.clear()

    assert response.status_code == 302  # the record changed; the stale posting is only a hint
    assert MediaItem.get(item.id).tags is None
    assert TagEntry.count(posting_key("alice", "beach")) == 1
    assert "Shore" not in member_client.get("/", {"tag": "beach"}).content.decode()


def test_adding_on_the_item_page_while_dynamodb_stalls_answers_503_and_changes_nothing(member_client, faults):
    item = MediaItemFactory(name="Shore")
    album = services.album_create(owner="alice", name="Trip")
    faults.fail("TransactWriteItems")

    response = member_client.post(f"/media/{item.id}/albums/add/", {"album": album.id})

    assert response.status_code == 503 and response["Retry-After"]
    assert "Your change may not have been saved" in response.content.decode()
    assert Membership.count() == 0
    consistent(album)


def test_an_album_deleted_while_its_memberships_cannot_be_removed_keeps_every_item(member_client, faults):
    items = [MediaItemFactory() for _ in range(3)]
    album = services.album_create(owner="alice", name="Trip")
    services.album_add_many(album=album, items=items, actor="tester")
    faults.fail("BatchWriteItem", when=on("album-items"))

    response = member_client.post(f"/albums/{album.id}/delete/")
    faults.faults.clear()

    assert response.status_code == 302
    assert Album.count() == 0 and MediaItem.count() == 3
    assert albums_for_media(media_id=items[0].id) == []  # the memberships left behind name no album
    assert member_client.get(f"/media/{items[0].id}/").status_code == 200


def test_an_album_page_while_dynamodb_stalls_answers_503(member_client, faults):
    album = services.album_create(owner="alice", name="Trip")
    faults.fail("Query", when=on("album-items"))

    response = member_client.get(f"/albums/{album.id}/")

    assert response.status_code == 503
    assert "Storage is not answering right now" in response.content.decode()
