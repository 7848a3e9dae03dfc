"""Writes to the trash: restore an item, delete it forever (one, all, or what is due).

Moving an item into the trash is uploads.services.media_trash (deleting is a state of
media). Restore and purge decide their races with conditions in DynamoDB:

- Restore is one transaction: put the media record back (on condition no item has its
  id) and delete the trash record (on condition it is still there and no purge has
  started). Two restores: one wins, the other finds the trash record gone (404).
- A purge first claims the trash record (`purging_at`, and due now), after which no
  restore can succeed; then deletes the bytes; then forgets the item (share links, search
  postings: uploads.services.media_forget); and removes the trash record last. So a valid
  file is never deleted while any record could still bring it back, and a purge that stops
  anywhere leaves its claimed trash record, due at once, which the next purge finishes
  (every step is idempotent). The record that remains points at files that may be gone,
  but it is only ever read by the purge; reconcile treats its files as owned until then.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from pynamodb.constants import ITEM
from pynamodb.exceptions import TransactWriteError, UpdateError
from ulid import ULID

from activity.models import SYSTEM, ActivityAction
from activity.services import activity_record
from albums.services import vocabulary_count
from mediahub import aws
from mediahub.aws import condition_failed
from search.services import NO_ENTRIES, index_entries, index_update
from sharing.services import shares_end_for_media
from trash.exceptions import BeingPurged, RestoreConflict, TrashNotFound
from trash.models import TrashedItem, purge_shards
from uploads import services as media_services
from uploads import storage
from uploads.models import MediaItem, Status

logger = logging.getLogger(__name__)


def trashed_media(trashed: TrashedItem) -> MediaItem:
    """The media record the trash record holds, exactly as it was."""
    return MediaItem.from_raw_data(json.loads(trashed.record))


def trash_restore(*, trashed: TrashedItem, actor: str) -> MediaItem:
    """Put the item back as it was (same id, fields, dates and version) and take it out of
    the trash, in one transaction; then its search postings come back. Its share links
    stay ended. Raises TrashNotFound (restored or purged meanwhile), BeingPurged, or
    RestoreConflict (an item with its id exists)."""
    raw = json.loads(trashed.record)
    item = MediaItem.from_raw_data(raw)
    replaced = _bytes_replaced(item)  # before anything changes: a storage error changes nothing
    # The move to the trash ended its links, or logged that it could not: a link it left
    # would open again once the item is back. Ended now, or no restore.
    shares_end_for_media(media_id=item.id, must=True)
    attributes = {name: value for name, value in raw.items() if name != "id"}
    put = MediaItem._get_connection().get_operation_kwargs(
        item.id, key=ITEM, attributes=attributes, condition=MediaItem.id.does_not_exist()
    )
    still_trashed = TrashedItem.media_id.exists() & TrashedItem.purging_at.does_not_exist()
    delete = trashed.get_delete_kwargs_from_instance(condition=still_trashed)
    try:
        aws.pynamodb_connection(TrashedItem).transact_write_items(
            condition_check_items=[],
            delete_items=[delete],
            put_items=[put],
            update_items=[],
            # A retry of this very transaction (its answer lost) succeeds as the first did.
            client_request_token=str(ULID()),
        )
    except TransactWriteError as exc:
        if aws.transaction_cancelled(exc):
            raise _restore_refused(trashed, exc) from exc
        raise
    index_update(media_id=item.id, before=NO_ENTRIES, after=index_entries(item))
    activity_record(actor=actor, action=ActivityAction.RESTORE, media_id=item.id, owner=item.owner, detail=item.name)
    if replaced:
        item = media_services.media_reject_if_replaced(item=item)
    return item


def _bytes_replaced(item: MediaItem) -> bool:
    """Whether a ready item's file is no longer the object verified: bytes POSTed over its
    key while it was in the trash (its upload's POST policy still valid) found no record
    for S3's event to reject, so the restore rejects it as that event would have."""
    if item.status != Status.READY:
        return False
    head = storage.object_head(item.s3_key)
    return head is not None and head.etag != item.etag


def _restore_refused(trashed: TrashedItem, exc: TransactWriteError) -> Exception:
    """Why DynamoDB cancelled a restore, from its reasons (the trash delete first, then the
    media put) and the trash record as it now stands."""
    failures = aws.transaction_failures(exc)
    trash_failed, media_failed = (failures + [False, False])[:2]
    now = _current(trashed)
    if now is None:
        return TrashNotFound()
    if now.purging_at is not None:
        return BeingPurged()
    if media_failed or not trash_failed:
        # The media table holds this id (or a concurrent write touched it: look again).
        return RestoreConflict()
    return TrashNotFound()


def trash_purge(*, trashed: TrashedItem, actor: str, due_before: datetime | None = None) -> None:
    """Delete the item forever: claim, bytes, links and postings, trash record last (see the
    module's docstring). With `due_before`, only if it fell due by then (the scheduled
    purge). Raises TrashNotFound if it was restored or purged meanwhile. Running it again
    after a failure anywhere finishes the job."""
    _claim(trashed, due_before=due_before)
    item = trashed_media(trashed)
    media_services.media_files_delete(item)
    media_services.media_forget(item, purging=True)
    _uncount_once(trashed, item)
    trashed.delete(condition=TrashedItem.purging_at.exists(), add_version_condition=False)
    activity_record(actor=actor, action=ActivityAction.PURGE, media_id=item.id, owner=item.owner, detail=item.name)


def _claim(trashed: TrashedItem, *, due_before: datetime | None) -> None:
    """Mark the record as being purged, and due now, so no restore takes it back and the
    next scheduled purge finishes it if this one stops halfway."""
    now = timezone.now()
    condition = TrashedItem.media_id.exists()
    if due_before is not None:
        condition = condition & (TrashedItem.purge_at <= due_before)
    try:
        trashed.update(
            actions=[TrashedItem.purging_at.set(trashed.purging_at or now), TrashedItem.purge_at.set(now)],
            condition=condition,
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise TrashNotFound from exc
        raise


def _uncount_once(trashed: TrashedItem, item: MediaItem) -> None:
    """The item's tags leave its owner's suggestions once, however many runs its purge
    takes: only the run that marks the trash record counts them out."""
    if not item.tag_list:
        return
    try:
        trashed.update(
            actions=[TrashedItem.uncounted_at.set(timezone.now())],
            condition=TrashedItem.uncounted_at.does_not_exist() & TrashedItem.purging_at.exists(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return
        raise
    vocabulary_count(owner=item.owner, added=(), removed=item.tag_list)


@dataclass(frozen=True)
class PurgeReport:
    """What one purge run (or Empty trash) did: items purged, and those that failed."""

    purged: int
    failed: int


def trash_empty(*, owner: str, actor: str) -> PurgeReport:
    """Delete forever everything in `owner`'s trash, one item at a time, so one failure
    stops nothing else; a failed item stays in the trash, due now, for the next purge."""
    return _purge_each(TrashedItem.query(owner, consistent_read=True), actor=actor)


def trash_purge_due(*, now: datetime | None = None) -> PurgeReport:
    """Delete forever every trashed item whose time has come (manage.py purge_trash and the
    scheduled Lambda event): each shard of `by-purge`, up to now, never a scan. Safe to run
    again at any time; a run that stops is finished by the next."""
    now = now or timezone.now()
    due = (
        trashed
        for shard in purge_shards()
        for key in TrashedItem.by_purge.query(shard, TrashedItem.purge_at <= now)
        if (trashed := _get(key.owner, key.media_id)) is not None
    )
    return _purge_each(due, actor=SYSTEM, due_before=now)


def _purge_each(items: Iterable[TrashedItem], *, actor: str, due_before: datetime | None = None) -> PurgeReport:
    """trash_purge each item on its own: one that fails is logged, counted and left, claimed
    and due, for the next run; one restored or purged meanwhile is skipped."""
    purged = failed = 0
    for trashed in items:
        try:
            trash_purge(trashed=trashed, actor=actor, due_before=due_before)
        except TrashNotFound:
            continue
        except Exception:
            logger.exception("Could not purge %s of %s; the next run tries again", trashed.media_id, trashed.owner)
            failed += 1
        else:
            purged += 1
    return PurgeReport(purged=purged, failed=failed)


def _current(trashed: TrashedItem) -> TrashedItem | None:
    return _get(trashed.owner, trashed.media_id)


def _get(owner: str, media_id: str) -> TrashedItem | None:
    try:
        return TrashedItem.get(owner, media_id, consistent_read=True)
    except TrashedItem.DoesNotExist:
        return None
