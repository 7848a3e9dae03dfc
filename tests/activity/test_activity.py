"""The activity log (moto): each action is recorded with its actor and time, shown on the
item's page and on the admins' filterable page; a log that cannot be written never fails
the action; members see no one else's log."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from activity.models import SYSTEM, ActivityAction, ActivityEntry
from activity.services import activity_record
from albums.services import album_create
from tests import media
from tests.helpers import form_upload, stored_item
from tests.sharing.helpers import make_share, token_hash
from trash.models import TrashedItem
from trash.services import trash_purge, trash_restore
from uploads import services
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")


def log(media_id: str) -> list[tuple[str, str]]:
    """The item's entries, oldest first, as (actor, action)."""
    return [(entry.actor, entry.action) for entry in ActivityEntry.query(media_id)]


def on_activity_table(params) -> bool:
    return params.get("TableName", "").endswith("-activity")


def test_each_action_is_recorded_with_its_actor_and_time(member_client, admin_client):
    started = timezone.now()
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Harbour")
    member_client.post(f"/media/{item.id}/edit/", {"name": "Lighthouse", "caption": "", "version": item.version})
    token = make_share(member_client, item)
    admin_client.post(f"/shares/{token_hash(token)}/withdraw/")
    admin_client.post(f"/media/{item.id}/delete/")
    trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice")
    services.media_delete(item=MediaItem.get(item.id, consistent_read=True), actor="alice")
    trash_purge(trashed=TrashedItem.get("alice", item.id), actor="alice")

    assert log(item.id) == [
        ("alice", ActivityAction.UPLOAD),
        ("alice", ActivityAction.EDIT),
        ("alice", ActivityAction.SHARE),
        ("root", ActivityAction.UNSHARE),
        ("root", ActivityAction.TRASH),
        ("alice", ActivityAction.RESTORE),
        ("alice", ActivityAction.TRASH),
        ("alice", ActivityAction.PURGE),
    ]
    entries = list(ActivityEntry.query(item.id))
    assert all(started <= entry.at <= timezone.now() and entry.owner == "alice" for entry in entries)
    assert entries[1].detail == "changed name"


def test_a_refused_file_is_recorded_as_the_systems_verdict(member_client):
    form_upload(member_client, "fake.png", b"<html>not an image</html>", name="Fake")

    [entry] = ActivityEntry.scan()
    assert (entry.actor, entry.action) == (SYSTEM, ActivityAction.REJECT)
    assert "not an image" in entry.detail


def test_the_item_page_shows_its_log_newest_first(member_client):
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Harbour")
    services.media_update(item=item, name="Lighthouse", caption="", version=item.version, actor="alice")

    page = member_client.get(f"/media/{item.id}/").content.decode()

    assert re.findall(r'data-action="(\w+)"', page) == ["edit", "upload"]


def test_a_log_that_cannot_be_written_does_not_fail_the_action(member_client, faults, caplog):
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Harbour")
    faults.fail("PutItem", when=on_activity_table)

    response = member_client.post(
        f"/media/{item.id}/edit/", {"name": "Lighthouse", "caption": "", "version": item.version}
    )
    deleted = member_client.post(f"/media/{item.id}/delete/")

    assert response.status_code == 302 and deleted.status_code == 302
    assert TrashedItem.get("alice", item.id).name == "Lighthouse"
    assert "Could not log edit of" in caplog.text
    assert [entry.action for entry in ActivityEntry.query(item.id)] == [ActivityAction.UPLOAD]


def test_activity_record_never_raises_even_on_nonsense():
    activity_record(
        actor="alice", action=ActivityAction.EDIT, media_id="", owner="alice"
    )  # DynamoDB refuses an empty key

    assert ActivityEntry.count() == 0


def test_members_get_404_on_the_activity_page_and_on_anothers_item_log(member_client, other_member):
    bobs = stored_item("p.jpg", media.jpeg(64, 48), owner="bob", name="Bob's")

    assert member_client.get("/activity/").status_code == 404
    assert member_client.get(f"/media/{bobs.id}/").status_code == 404


def test_admins_filter_the_log_by_user_and_action_and_follow_its_pages(admin_client, settings):
    for n in range(5):
        activity_record(actor="alice", action=ActivityAction.EDIT, media_id=f"item{n}", owner="alice")
        activity_record(actor="bob", action=ActivityAction.TRASH, media_id=f"item{n}", owner="bob")
    activity_record(actor="alice", action=ActivityAction.SHARE, media_id="item9", owner="alice")

    everything = admin_client.get("/activity/").content.decode()
    alices_edits = admin_client.get("/activity/", {"user": "alice", "action": "edit"}).content.decode()
    trashes = admin_client.get("/activity/", {"action": "trash"}).content.decode()
    bad = admin_client.get("/activity/", {"action": "explode"})

    assert len(re.findall(r'data-action="', everything)) == 11
    assert re.findall(r'data-action="(\w+)"', alices_edits) == ["edit"] * 5
    assert re.findall(r'<td>(\w+)</td>\s*<td data-action="(\w+)"', trashes) == [("bob", "trash")] * 5
    assert bad.status_code == 400


def test_the_admins_feed_pages_through_every_shard_newest_first(admin_client):
    from activity.selectors import activity_page

    for n in range(7):
        activity_record(actor="alice", action=ActivityAction.EDIT, media_id=f"item{n}", owner="alice")

    seen, cursor = [], None
    while True:
        page = activity_page(cursor=cursor, size=3)
        seen += [entry.media_id for entry in page.entries]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert seen == [f"item{n}" for n in reversed(range(7))]
    assert admin_client.get("/activity/", {"cursor": "forged"}).status_code == 400
    assert admin_client.get("/activity/", {"cursor": cursor, "user": "bob"}).status_code == 400


def test_the_item_page_works_when_its_log_cannot_be_read(member_client, faults):
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Harbour")
    faults.fail("Query", when=on_activity_table)

    page = member_client.get(f"/media/{item.id}/")

    assert page.status_code == 200
    assert "The activity could not be read just now" in page.content.decode()


def test_tag_and_album_changes_are_recorded_with_who_made_them(member_client, admin_client):
    album = album_create(owner="alice", name="Lisbon")
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Tram")
    edit = {"name": "Tram", "caption": "", "tags": "Yellow, tram", "version": item.version}
    member_client.post(f"/media/{item.id}/edit/", edit)
    admin_client.post(f"/media/{item.id}/albums/add/", {"album": album.id})
    bulk = {"ids": [item.id], "apply": "yes", "add_tags": "night", "version-" + item.id: str(item.version + 1)}
    admin_client.post("/media/edit/", bulk)
    member_client.post(f"/albums/{album.id}/items/{item.id}/remove/")

    assert log(item.id)[1:] == [
        ("alice", ActivityAction.TAG),
        ("root", ActivityAction.ALBUM),
        ("root", ActivityAction.TAG),
        ("alice", ActivityAction.ALBUM),
    ]
    details = [entry.detail for entry in ActivityEntry.query(item.id)][1:]
    assert details == ["changed tags", "added to album “Lisbon”", "changed tags", "taken out of album “Lisbon”"]
    assert MediaItem.get(item.id).tags == {"yellow", "tram", "night"}


def test_admins_filter_the_log_by_what_the_system_did(admin_client):
    activity_record(actor=SYSTEM, action=ActivityAction.PURGE, media_id="item1", owner="alice", detail="Harbour")
    activity_record(actor="alice", action=ActivityAction.TRASH, media_id="item1", owner="alice", detail="Harbour")

    response = admin_client.get("/activity/", {"user": SYSTEM})

    assert response.status_code == 200
    assert re.findall(r'data-action="(\w+)"', response.content.decode()) == ["purge"]
