"""Albums: membership both ways, the album page through the memberships, bulk add and
remove, deleting an album keeps its media, an item deleted for good leaves its albums."""

from __future__ import annotations

import pytest

from albums import services
from albums.exceptions import AlbumNotFound
from albums.models import Album, Membership
from albums.selectors import album_cover, albums_for_media, media_list_grouped
from tests.factories import MediaItemFactory
from tests.helpers import listed_names
from trash.services import trash_purge, trash_restore
from uploads import services as media_services
from uploads.models import MediaItem
from uploads.selectors import MediaQuery


def album_of(owner: str = "alice", name: str = "Holiday") -> Album:
    return services.album_create(owner=owner, name=name, description="")


def test_membership_reads_both_ways(member):
    one, two = MediaItemFactory(name="one"), MediaItemFactory(name="two")
    summer, winter = album_of(name="Summer"), album_of(name="Winter")

    assert services.album_add_item(album=summer, item=one, actor="tester")
    assert services.album_add_item(album=summer, item=two, actor="tester")
    assert services.album_add_item(album=winter, item=one, actor="tester")
    assert not services.album_add_item(album=winter, item=one, actor="tester")  # already there: nothing changes

    page = media_list_grouped(user=member, query=MediaQuery(album=summer.id), cursor=None)
    assert [item.name for item in page.items] == ["two", "one"]
    assert [album.name for album in albums_for_media(media_id=one.id)] == ["Summer", "Winter"]
    assert [album.name for album in albums_for_media(media_id=two.id)] == ["Summer"]
    assert Album.get(summer.id).item_count == 2
    assert Album.get(winter.id).item_count == 1


def test_removing_takes_the_item_out_of_one_album_only(member):
    item = MediaItemFactory()
    summer, winter = album_of(name="Summer"), album_of(name="Winter")
    services.album_add_item(album=summer, item=item, actor="tester")
    services.album_add_item(album=winter, item=item, actor="tester")

    assert services.album_remove_item(album=summer, media_id=item.id, actor="tester")
    assert not services.album_remove_item(album=summer, media_id=item.id, actor="tester")

    assert [album.name for album in albums_for_media(media_id=item.id)] == ["Winter"]
    assert Album.get(summer.id).item_count == 0
    assert MediaItem.count(item.id) == 1


def test_deleting_an_album_keeps_its_media(member):
    items = [MediaItemFactory() for _ in range(3)]
    album = album_of()
    services.album_add_many(album=album, items=items, actor="tester")

    services.album_delete(album=album)

    assert Album.count() == 0
    assert Membership.count() == 0
    assert MediaItem.count() == 3


def test_an_item_in_the_trash_leaves_album_pages_comes_back_on_restore_and_leaves_its_albums_when_purged(member):
    items = [MediaItemFactory(name=f"n{n}") for n in range(4)]
    album = album_of()
    services.album_add_many(album=album, items=items, actor="tester")
    query = MediaQuery(album=album.id)

    trashed = media_services.media_trash(item=items[1], actor=member.username)
    assert [item.name for item in media_list_grouped(user=member, query=query, cursor=None).items] == ["n3", "n2", "n0"]
    assert Membership.count(album.id) == 4  # kept while in the trash, so a restore is exact

    trash_restore(trashed=trashed, actor=member.username)
    assert [i.name for i in media_list_grouped(user=member, query=query, cursor=None).items] == ["n3", "n2", "n1", "n0"]

    trash_purge(trashed=media_services.media_trash(item=MediaItem.get(items[1].id), actor=member.username), actor="x")
    assert sorted(m.media_id for m in Membership.query(album.id)) == sorted(i.id for i in items if i.name != "n1")
    assert Album.get(album.id).item_count == 3


def test_album_pages_follow_cursors_and_read_at_most_a_page_and_one_more(member):
    items = [MediaItemFactory() for _ in range(25)]
    album = album_of()
    services.album_add_many(album=album, items=items, actor="tester")
    query = MediaQuery(album=album.id, page_size=10)

    seen, cursor, reads = [], None, []
    while True:
        page = media_list_grouped(user=member, query=query, cursor=cursor)
        seen += [item.id for item in page.items]
        reads.append(page.read)
        if not page.next_cursor:
            break
        cursor = page.next_cursor

    assert seen == [item.id for item in reversed(items)]
    assert max(reads) <= 11


def test_the_cover_is_the_newest_item_or_the_chosen_one(member):
    old, new = MediaItemFactory(name="old"), MediaItemFactory(name="new")
    album = album_of()
    assert album_cover(album) is None
    services.album_add_many(album=album, items=[old, new], actor="tester")
    assert album_cover(album).name == "new"

    services.album_update(album=album, name=album.name, description="", cover_media_id=old.id)

    assert album_cover(Album.get(album.id)).name == "old"


def test_adding_to_a_deleted_album_is_refused_and_leaves_nothing(member):
    item = MediaItemFactory()
    album = album_of()
    Album.get(album.id).delete()

    with pytest.raises(AlbumNotFound):
        services.album_add_item(album=album, item=item, actor="tester")

    assert Membership.count() == 0
    assert Album.count() == 0


def test_album_page_in_the_browser_lists_its_items_with_the_list_filters(member_client):
    photo, doc = MediaItemFactory(name="Photo"), MediaItemFactory(name="Doc", kind="document")
    MediaItemFactory(name="Elsewhere")
    album = album_of()
    services.album_add_many(album=album, items=[photo, doc], actor="tester")

    response = member_client.get(f"/albums/{album.id}/")
    filtered = member_client.get(f"/albums/{album.id}/", {"kind": "document"})

    assert response.status_code == 200
    assert listed_names(response) == ["Doc", "Photo"]
    assert listed_names(filtered) == ["Doc"]
    assert "Holiday" in response.content.decode()
    assert listed_names(member_client.get("/", {"album": album.id})) == ["Doc", "Photo"]


def test_an_upload_still_pending_goes_in_no_album(member):
    """A pending record expires by TTL, with nothing to take it out of its albums."""
    pending = MediaItemFactory(name="pending", status="pending")
    ready = MediaItemFactory(name="ready")
    album = album_of()

    outcomes = services.album_add_many(album=album, items=[pending, ready], actor="tester")

    assert [(o.name, o.done) for o in outcomes] == [("pending", False), ("ready", True)]
    assert "still being checked" in outcomes[0].problem
    assert [m.media_id for m in Membership.query(album.id)] == [ready.id]
    assert Album.get(album.id).item_count == 1


def test_renaming_an_album_keeps_its_chosen_cover(member_client):
    old, new = MediaItemFactory(name="old"), MediaItemFactory(name="new")
    album = album_of()
    services.album_add_many(album=album, items=[old, new], actor="tester")
    services.album_update(album=album, name=album.name, description="", cover_media_id=old.id)

    form = member_client.get(f"/albums/{album.id}/edit/").content.decode()
    response = member_client.post(f"/albums/{album.id}/edit/", {"name": "Renamed", "cover": old.id})

    assert f'<option value="{old.id}" selected>old</option>' in form
    assert response.status_code == 302
    assert (Album.get(album.id).name, Album.get(album.id).cover_media_id) == ("Renamed", old.id)


def test_the_cover_is_the_newest_item_not_in_the_trash(member):
    older, newer = MediaItemFactory(owner="alice", name="Older"), MediaItemFactory(owner="alice", name="Newer")
    album = services.album_create(owner="alice", name="Trip")
    for item in (older, newer):
        services.album_add_item(album=album, item=item, actor="alice")
    media_services.media_delete(item=MediaItem.get(newer.id), actor="alice")

    cover = album_cover(Album.get(album.id))

    assert cover is not None and cover.id == older.id
