"""Faults under the trash (moto, tests/fault_injection.py): each AWS call of a move to the
trash, a restore and a purge fails in turn (a timeout: what a stalled store ends in). After
every failure the item is in exactly one place, no media record points at a missing file,
and trying again (or the next purge) finishes the job."""

from __future__ import annotations

import contextlib

import boto3
import pytest

from tests import media
from tests.helpers import add_figure, stored_item
from trash.models import TrashedItem
from trash.services import trash_purge, trash_restore
from uploads import services
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")


def photo() -> MediaItem:
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Harbour")
    return MediaItem.get(item.id, consistent_read=True)


def where(item: MediaItem, keys: set[str]) -> tuple[bool, bool, bool]:
    """(media record, trash record, all files) for the item."""
    in_media = MediaItem.count(item.id, consistent_read=True) == 1
    in_trash = TrashedItem.count(item.owner, TrashedItem.media_id == item.id, consistent_read=True) == 1
    return in_media, in_trash, {item.s3_key, item.thumbnail_key} <= keys


def calls_of(action, faults) -> list[str]:
    before = len(faults.calls)
    action()
    return [name for name, _ in faults.calls[before:]]


def keys_now(bucket_keys) -> set[str]:
    return set(bucket_keys())


def test_each_call_of_a_purge_failing_in_turn_never_loses_a_restorable_file(faults, bucket_keys):
    sample = photo()
    services.media_delete(item=sample, actor="alice")
    operations = calls_of(lambda: trash_purge(trashed=TrashedItem.get("alice", sample.id), actor="alice"), faults)
    assert "UpdateItem" in operations and "DeleteObject" in operations

    for index in range(len(operations)):
        item = photo()
        services.media_delete(item=item, actor="alice")
        faults.fail(operations[index], skip=operations[:index].count(operations[index]), times=1)
        with contextlib.suppress(Exception):  # the fault itself; what it left is checked below
            trash_purge(trashed=TrashedItem.get("alice", item.id), actor="alice")
        faults.faults.clear()
        add_figure("faults injected")

        in_media, in_trash, files = where(item, keys_now(bucket_keys))
        assert not in_media  # never back, never pointing at a missing file
        if in_trash and not files:
            # Bytes went only after the claim, so no restore can take this record back.
            with pytest.raises(Exception, match="being deleted forever"):
                trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice")
        restorable = in_trash and TrashedItem.get("alice", item.id).purging_at is None
        add_figure("valid files lost", int(restorable and not files))
        if in_trash:
            trash_purge(trashed=TrashedItem.get("alice", item.id), actor="alice")  # trying again finishes it
        assert where(item, keys_now(bucket_keys)) == (False, False, False), operations[index]
    assert bucket_keys() == []


def test_each_call_of_a_move_to_trash_and_a_restore_failing_leaves_the_item_in_one_place(faults, bucket_keys):
    item = photo()
    raw_before = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName=MediaItem.Meta.table_name, Key={"id": {"S": item.id}}
    )["Item"]
    moves = calls_of(lambda: services.media_delete(item=item, actor="alice"), faults)
    restores = calls_of(lambda: trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice"), faults)

    for index in range(len(moves)):
        current = MediaItem.get(item.id, consistent_read=True)
        faults.fail(moves[index], skip=moves[:index].count(moves[index]), times=1)
        with contextlib.suppress(Exception):  # the fault itself; what it left is checked below
            services.media_delete(item=current, actor="alice")
        faults.faults.clear()
        in_media, in_trash, files = where(item, keys_now(bucket_keys))
        assert in_media != in_trash and files, moves[index]
        if in_media:
            services.media_delete(item=MediaItem.get(item.id, consistent_read=True), actor="alice")
        trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice")

    services.media_delete(item=MediaItem.get(item.id, consistent_read=True), actor="alice")
    for index in range(len(restores)):
        faults.fail(restores[index], skip=restores[:index].count(restores[index]), times=1)
        with contextlib.suppress(Exception):  # the fault itself; what it left is checked below
            trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice")
        faults.faults.clear()
        in_media, in_trash, files = where(item, keys_now(bucket_keys))
        assert in_media != in_trash and files, restores[index]
        if in_trash:
            trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice")
        services.media_delete(item=MediaItem.get(item.id, consistent_read=True), actor="alice")

    trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice")
    raw_after = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName=MediaItem.Meta.table_name, Key={"id": {"S": item.id}}
    )["Item"]
    assert raw_after == raw_before  # through every failure, still the very same record
