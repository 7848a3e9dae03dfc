"""Bulk delete from the list: select, confirm, and a report on every item."""

from __future__ import annotations

from tests import media
from tests.factories import MediaItemFactory
from tests.helpers import stored_item
from trash.models import TrashedItem
from uploads.models import MediaItem


def upload(name: str) -> MediaItem:
    return stored_item(f"{name}.jpg", media.jpeg(40 + len(name), 30), name=name)


def test_selecting_asks_first_and_deletes_nothing_yet(member_client, bucket_keys):
    one, two = upload("one"), upload("two")

    response = member_client.post("/media/delete/", {"ids": [one.id, two.id]})

    assert "Delete 2 items?" in response.content.decode()
    assert MediaItem.count() == 2
    assert len(bucket_keys()) == 4  # two files, two thumbnails


def test_confirmed_bulk_delete_moves_the_items_to_the_trash_files_kept(member_client, bucket_keys):
    one, two, keep = upload("one"), upload("two"), upload("keep")
    stored = sorted(bucket_keys())

    response = member_client.post("/media/delete/", {"ids": [one.id, two.id], "confirm": "yes"}, follow=True)

    assert "Moved 2 items to the trash." in response.content.decode()
    assert [item.id for item in MediaItem.scan()] == [keep.id]
    assert sorted(trashed.media_id for trashed in TrashedItem.query("alice")) == sorted([one.id, two.id])
    assert sorted(bucket_keys()) == stored  # until the purge


def test_items_gone_or_not_yours_are_reported_and_the_rest_deleted(member_client, other_member, bucket_keys):
    mine, gone = upload("mine"), upload("gone")
    theirs = MediaItemFactory(owner="bob", name="Bob's")
    MediaItem.get(gone.id).delete()

    response = member_client.post("/media/delete/", {"ids": [mine.id, gone.id, theirs.id], "confirm": "yes"})

    page = response.content.decode()
    assert response.status_code == 207
    assert "2 selected items had already gone, or were not yours." in page
    assert MediaItem.count(mine.id) == 0
    assert MediaItem.count(theirs.id) == 1
    assert TrashedItem.count("alice", TrashedItem.media_id == mine.id) == 1
    assert TrashedItem.count("bob") == 0


def test_an_item_changed_meanwhile_is_kept_and_offered_again(member_client, monkeypatch):
    one, two = upload("one"), upload("two")
    from uploads import services

    real_delete = services.media_delete

    def someone_edits_two_first(*, item, actor):
        if item.id == two.id:
            fresh = MediaItem.get(two.id)
            services.media_update(item=fresh, name="renamed", caption="", version=fresh.version)
        real_delete(item=item, actor=actor)

    monkeypatch.setattr(services, "media_delete", someone_edits_two_first)

    response = member_client.post("/media/delete/", {"ids": [one.id, two.id], "confirm": "yes"})

    page = response.content.decode()
    assert response.status_code == 207
    assert "not deleted, it changed meanwhile; look at it again." in page
    assert f'<input type="hidden" name="ids" value="{two.id}">' in page
    assert MediaItem.count(one.id) == 0
    assert MediaItem.get(two.id).name == "renamed"
    assert TrashedItem.count("alice", TrashedItem.media_id == two.id) == 0


def test_nothing_selected_says_so(member_client):
    response = member_client.post("/media/delete/", {}, follow=True)

    assert "Select the items to delete first." in response.content.decode()
