"""Trash (moto): deleting moves an item out of sight everywhere, restore brings back the very
same record, purge removes files and records and can run again, and nobody reaches
another member's trash."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import boto3
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests import media
from tests.api.helpers import bearer, make_token
from tests.helpers import stored_item
from tests.sharing.helpers import make_share
from trash.models import TrashedItem
from trash.services import trash_purge, trash_purge_due, trash_restore
from uploads import services
from uploads.models import MediaItem
from uploads.selectors import media_with_checksum

pytestmark = pytest.mark.usefixtures("aws")


def photo(name: str = "Harbour", owner: str = "alice") -> MediaItem:
    item = stored_item(f"{name}.jpg", media.jpeg(64, 48), name=name, owner=owner, caption="At dawn")
    return MediaItem.get(item.id, consistent_read=True)  # with its checksum, as it now stands


def raw(media_id: str) -> dict | None:
    """The media record exactly as DynamoDB holds it."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    found = client.get_item(TableName=MediaItem.Meta.table_name, Key={"id": {"S": media_id}}, ConsistentRead=True)
    return found.get("Item")


def trashed(item: MediaItem) -> TrashedItem:
    return TrashedItem.get(item.owner, item.id, consistent_read=True)


def test_a_deleted_item_is_hidden_everywhere_and_its_files_stay(member_client, bucket_keys):
    item = photo()
    token = make_share(member_client, item)
    keys = sorted(bucket_keys())
    api = make_token(member_client)

    response = member_client.post(f"/media/{item.id}/delete/", follow=True)

    assert "Moved “Harbour” to the trash." in response.content.decode()
    assert "Harbour" not in member_client.get("/").content.decode()
    assert "Harbour" not in member_client.get("/?q=harbour").content.decode()
    assert member_client.get(f"/media/{item.id}/").status_code == 404
    assert member_client.get(f"/media/{item.id}/download/").status_code == 404
    assert Client().get(f"/s/{token}/").status_code == 404
    assert member_client.get(f"/api/v1/media/{item.id}", **bearer(api)).status_code == 404
    assert member_client.get("/api/v1/media?q=harbour", **bearer(api)).json()["items"] == []
    assert media_with_checksum(owner="alice", sha256=item.sha256) == []
    assert sorted(bucket_keys()) == keys
    trash_page = member_client.get("/trash/").content.decode()
    assert "Harbour" in trash_page and "Restore" in trash_page and "Delete forever" in trash_page


def test_restore_brings_back_the_very_same_record_and_search_but_not_share_links(member_client):
    item = photo()
    token = make_share(member_client, item)
    before = raw(item.id)
    member_client.post(f"/media/{item.id}/delete/")
    assert raw(item.id) is None

    response = member_client.post(f"/trash/{item.id}/restore/", follow=True)

    assert "Restored “Harbour”." in response.content.decode()
    assert raw(item.id) == before
    assert TrashedItem.count("alice") == 0
    assert "Harbour" in member_client.get("/?q=harbour").content.decode()
    assert Client().get(f"/s/{token}/").status_code == 404  # links stay ended
    assert member_client.get(f"/media/{item.id}/").status_code == 200


def test_a_link_the_move_to_trash_could_not_end_does_not_open_again_after_restore(member_client, faults):
    item = photo()
    token = make_share(member_client, item)
    on_shares = {"when": lambda params: "-shares" in str(params)}
    faults.fail("Query", times=1, **on_shares)  # the move cannot look its links up: logged, not raised
    member_client.post(f"/media/{item.id}/delete/")
    assert Client().get(f"/s/{token}/").status_code == 404  # dead while its item is in the trash

    faults.fail("Query", times=1, **on_shares)
    refused = member_client.post(f"/trash/{item.id}/restore/")
    assert refused.status_code == 503 and raw(item.id) is None  # not back with a live link

    member_client.post(f"/trash/{item.id}/restore/")

    assert raw(item.id) is not None
    assert Client().get(f"/s/{token}/").status_code == 404


def test_an_item_restored_can_be_edited_with_the_version_it_had(member_client):
    item = photo()
    services.media_delete(item=item, actor="alice")
    trash_restore(trashed=trashed(item), actor="alice")

    fresh = MediaItem.get(item.id, consistent_read=True)
    assert fresh.version == item.version
    services.media_update(item=fresh, name="Renamed", caption="", version=fresh.version)
    assert MediaItem.get(item.id).name == "Renamed"


def test_the_trash_page_says_when_each_item_will_be_purged(member_client, time_machine):
    item = photo()
    services.media_delete(item=item, actor="alice")

    page = member_client.get("/trash/").content.decode()

    due = (timezone.now() + timedelta(days=settings.MEDIAHUB_TRASH_DAYS)).strftime("%Y-%m-%d")
    assert f">{due}</time> (in 4" in page  # "in 4 weeks, 2 days"
    assert trashed(item).trashed_by == "alice"


def test_delete_forever_removes_file_thumbnail_and_records(member_client, bucket_keys):
    item, keep = photo("Harbour"), photo("Keep")
    services.media_delete(item=item, actor="alice")

    response = member_client.post(f"/trash/{item.id}/delete/", follow=True)

    assert "Deleted “Harbour” forever." in response.content.decode()
    assert sorted(bucket_keys()) == sorted([keep.s3_key, keep.thumbnail_key])
    assert TrashedItem.count("alice") == 0 and raw(item.id) is None


def test_empty_trash_deletes_every_trashed_item_forever(member_client, bucket_keys):
    items = [photo(f"P{n}") for n in range(3)]
    services.media_delete_many(items=items, actor="alice")

    question = member_client.post("/trash/empty/")
    assert "3 items will be deleted forever" in question.content.decode()
    assert TrashedItem.count("alice") == 3  # the question alone deletes nothing

    response = member_client.post("/trash/empty/", {"confirm": "yes"}, follow=True)

    assert "Deleted 3 items forever." in response.content.decode()
    assert bucket_keys() == []
    assert TrashedItem.count("alice") == 0
    assert "The trash is empty." in response.content.decode()


def purge_trash() -> str:
    out = io.StringIO()
    call_command("purge_trash", stdout=out)
    return out.getvalue()


def test_purge_removes_only_what_is_due_and_running_it_twice_changes_nothing(bucket_keys, time_machine):
    old, recent = photo("Old"), photo("Recent")
    services.media_delete(item=old, actor="alice")
    time_machine.move_to(timezone.now() + timedelta(days=10))
    services.media_delete(item=recent, actor="alice")
    time_machine.move_to(timezone.now() + timedelta(days=settings.MEDIAHUB_TRASH_DAYS - 5))

    assert purge_trash() == "Deleted 1 item(s) forever; 0 failed.\n"
    assert purge_trash() == "Deleted 0 item(s) forever; 0 failed.\n"

    assert sorted(bucket_keys()) == sorted([recent.s3_key, recent.thumbnail_key])
    assert [t.media_id for t in TrashedItem.query("alice")] == [recent.id]
    assert raw(old.id) is None


def test_the_scheduled_lambda_event_purges_what_is_due(bucket_keys, time_machine):
    from trash import events

    item = photo()
    services.media_delete(item=item, actor="alice")
    time_machine.move_to(timezone.now() + timedelta(days=settings.MEDIAHUB_TRASH_DAYS, minutes=1))

    assert events.purge({}, None) == {"purged": 1, "failed": 0}
    assert bucket_keys() == []


def test_zappa_schedules_the_purge_on_every_stage():
    stages = json.loads((settings.BASE_DIR / "zappa_settings.json").read_text())
    for stage in ("dev", "production"):
        functions = {event["function"]: event for event in stages[stage]["events"]}
        assert functions["trash.events.purge"]["expression"] == "rate(1 day)"


def test_a_rejected_item_goes_to_the_trash_too_and_restores_rejected(member):
    from tests.factories import MediaItemFactory

    item = MediaItemFactory(status="rejected", reason="Not an image.")
    services.media_delete(item=MediaItem.get(item.id), actor="alice")
    restored = trash_restore(trashed=trashed(item), actor="alice")

    assert (restored.status, restored.reason) == ("rejected", "Not an image.")


# Nobody reaches another member's trash.


def test_a_member_cannot_see_restore_or_purge_anothers_trash(member_client, other_member, bucket_keys):
    bobs = photo("Bob's", owner="bob")
    services.media_delete(item=bobs, actor="bob")
    api = make_token(member_client)

    assert "Bob&#x27;s" not in member_client.get("/trash/").content.decode()
    assert member_client.post(f"/trash/{bobs.id}/restore/").status_code == 404
    assert member_client.post(f"/trash/{bobs.id}/delete/").status_code == 404
    assert member_client.post(f"/api/v1/trash/{bobs.id}/restore", **bearer(api)).status_code == 404
    assert member_client.delete(f"/api/v1/trash/{bobs.id}", **bearer(api)).status_code == 404
    assert member_client.get("/api/v1/trash", **bearer(api)).json()["items"] == []
    member_client.post("/trash/empty/", {"confirm": "yes"})

    assert TrashedItem.count("bob") == 1
    assert len(bucket_keys()) == 2


def test_an_admins_delete_of_a_members_item_lands_in_the_members_trash(admin_client, member_client):
    item = photo()

    admin_client.post(f"/media/{item.id}/delete/", follow=True)

    assert "Harbour" not in admin_client.get("/trash/").content.decode()
    page = member_client.get("/trash/").content.decode()
    assert "Harbour" in page and "by root" in page


# The API.


def test_the_api_moves_to_trash_lists_restores_and_empties(member_client, bucket_keys):
    item, other = photo("One"), photo("Two")
    api = bearer(make_token(member_client))

    assert member_client.delete(f"/api/v1/media/{item.id}", **api).status_code == 204
    assert member_client.delete(f"/api/v1/media/{other.id}", **api).status_code == 204
    listed = member_client.get("/api/v1/trash", **api).json()
    restored = member_client.post(f"/api/v1/trash/{item.id}/restore", **api)
    again = member_client.post(f"/api/v1/trash/{item.id}/restore", **api)
    emptied = member_client.delete("/api/v1/trash", **api)

    assert [entry["name"] for entry in listed["items"]] == ["Two", "One"]
    assert listed["items"][0]["purging"] is False and listed["next_cursor"] is None
    assert restored.status_code == 200 and restored.json()["version"] == item.version
    assert again.status_code == 404
    assert emptied.json() == {"purged": 1, "failed": 0}
    assert sorted(bucket_keys()) == sorted([item.s3_key, item.thumbnail_key])


def test_the_trash_pages_follow_their_cursor_and_refuse_a_forged_one(member_client, settings):
    settings.MEDIAHUB_PAGE_SIZE = 2
    from tests.factories import MediaItemFactory

    for n in range(5):
        services.media_delete(item=MediaItemFactory(name=f"T{n}"), actor="alice")
    api = bearer(make_token(member_client))

    names, cursor = [], ""
    while True:
        page = member_client.get("/api/v1/trash", {"cursor": cursor}, **api).json()
        names += [entry["name"] for entry in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]

    assert names == ["T4", "T3", "T2", "T1", "T0"]
    assert member_client.get("/api/v1/trash", {"cursor": "forged"}, **api).status_code == 400
    assert member_client.get("/trash/", {"cursor": "forged"}).status_code == 400


# Races and conflicts, decided by DynamoDB's conditions.


def test_restore_when_an_item_with_that_id_exists_answers_409_and_keeps_the_trashed_copy(member_client):
    item = photo()
    services.media_delete(item=item, actor="alice")
    # Somehow, the id is back in the media table.
    MediaItem.from_raw_data(json.loads(trashed(item).record)).save(add_version_condition=False)

    response = member_client.post(f"/api/v1/trash/{item.id}/restore", **bearer(make_token(member_client)))

    assert response.status_code == 409
    assert "exists already" in response.json()["detail"]
    assert TrashedItem.count("alice") == 1


def test_two_restores_one_wins_the_other_gets_404(member_client):
    item = photo()
    services.media_delete(item=item, actor="alice")
    first, second = trashed(item), trashed(item)

    trash_restore(trashed=first, actor="alice")
    with pytest.raises(Exception, match="not in your trash") as refused:
        trash_restore(trashed=second, actor="alice")

    assert refused.value.status_code == 404
    assert raw(item.id) is not None


def test_a_purge_started_first_makes_restore_answer_409_and_the_purge_finishes(faults, bucket_keys):
    item = photo()
    services.media_delete(item=item, actor="alice")
    seen = trashed(item)
    # The purge claims the record, then S3 stops answering halfway through the files.
    faults.fail("DeleteObject", skip=1, times=1)
    with pytest.raises(Exception, match="Read timeout"):
        trash_purge(trashed=trashed(item), actor="alice")

    with pytest.raises(Exception, match="being deleted forever") as refused:
        trash_restore(trashed=seen, actor="alice")

    assert refused.value.status_code == 409
    assert trashed(item).purging_at is not None
    assert trashed(item).purge_at <= timezone.now()  # due now: the next run finishes it
    assert raw(item.id) is None
    assert trash_purge_due().purged == 1
    assert bucket_keys() == [] and TrashedItem.count("alice") == 0


def test_a_restore_first_makes_the_purge_a_no_op_and_no_file_is_lost(bucket_keys):
    item = photo()
    services.media_delete(item=item, actor="alice")
    stale = trashed(item)
    trash_restore(trashed=trashed(item), actor="alice")

    with pytest.raises(Exception, match="not in your trash"):
        trash_purge(trashed=stale, actor="alice")

    assert sorted(bucket_keys()) == sorted([item.s3_key, item.thumbnail_key])
    assert raw(item.id) is not None


def test_the_scheduled_purge_leaves_an_item_restored_and_trashed_again_since(bucket_keys, time_machine):
    item = photo()
    services.media_delete(item=item, actor="alice")
    time_machine.move_to(timezone.now() + timedelta(days=settings.MEDIAHUB_TRASH_DAYS + 1))
    trash_restore(trashed=trashed(item), actor="alice")
    services.media_delete(item=MediaItem.get(item.id, consistent_read=True), actor="alice")  # due in 30 days again

    assert trash_purge_due().purged == 0
    assert len(bucket_keys()) == 2


def test_a_delete_with_a_stale_version_moves_nothing(member_client):
    item = photo()
    fresh = MediaItem.get(item.id)
    services.media_update(item=fresh, name="Renamed", caption="", version=fresh.version)

    with pytest.raises(Exception, match="changed meanwhile"):
        services.media_delete(item=item, actor="alice")

    assert MediaItem.get(item.id).name == "Renamed"
    assert TrashedItem.count("alice") == 0


# Faults: the transaction fails, S3 fails during a purge.


def test_a_failed_trash_transaction_changes_nothing_and_answers_503(member_client, faults):
    item = photo()
    faults.fail("TransactWriteItems")

    response = member_client.post(f"/media/{item.id}/delete/")

    assert response.status_code == 503
    faults.faults.clear()
    assert raw(item.id) is not None
    assert TrashedItem.count("alice") == 0
    assert "Harbour" in member_client.get("/?q=harbour").content.decode()


def test_a_failed_restore_transaction_leaves_the_item_in_the_trash(member_client, faults):
    item = photo()
    services.media_delete(item=item, actor="alice")
    faults.fail("TransactWriteItems")

    response = member_client.post(f"/trash/{item.id}/restore/")

    assert response.status_code == 503
    faults.faults.clear()
    assert raw(item.id) is None and TrashedItem.count("alice") == 1


def test_search_postings_that_cannot_be_removed_never_show_a_trashed_item(member_client, faults):
    item = photo()
    faults.fail("BatchWriteItem")

    services.media_delete(item=item, actor="alice")

    faults.faults.clear()
    assert "Harbour" not in member_client.get("/?q=harbour").content.decode()
    assert TrashedItem.count("alice") == 1
