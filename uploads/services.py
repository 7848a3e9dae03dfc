"""Writes to media: every path leaves S3 and DynamoDB agreeing."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import BinaryIO

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite
from ulid import ULID

from activity.models import SYSTEM, ActivityAction
from activity.services import activity_record
from albums.services import memberships_forget, tags_forget, tags_index_add, tags_index_remove, vocabulary_count
from mediahub import aws
from mediahub.aws import condition_failed
from mediahub.exceptions import MediaHubError, StorageUnavailable
from search.services import NO_ENTRIES, Entries, index_entries, index_update, index_update_many
from sharing.services import shares_end_for_media
from trash.models import TrashedItem, purge_shard
from uploads import background, bulk, metadata, storage
from uploads.exceptions import (
    InvalidMediaType,
    InvalidPartNumbers,
    MediaNotFound,
    NotTheSameFile,
    ProcessingInterrupted,
    StaleEdit,
    TooManyParts,
    TooManyPendingUploads,
    UnsupportedMediaType,
    UploadFailed,
    UploadIncomplete,
    UploadNotPending,
    UploadRejected,
    UploadStillPending,
    UploadTooLarge,
)
from uploads.metadata import (
    ALLOWED_KINDS,
    SNIFF_BYTES,
    Unreadable,
    clean_filename,
    content_type_for,
    kind_for,
    parse_media_type,
    sniff_content_type,
)
from uploads.models import Kind, MediaItem, Status, feed_key
from uploads.selectors import MEDIA_ID, media_pending_for_owner
from uploads.thumbnails import PREVIEW_SIZE, make_thumbnail

logger = logging.getLogger(__name__)

# S3 numbers an upload's parts 1 to 10,000; the portal signs at most 100 of them per
# request, so no one request holds a worker for long.
MAX_PARTS = 10_000
MAX_PARTS_PER_REQUEST = 100
CANCELLED = "This upload was cancelled while it was being checked."


def media_create_from_upload(*, owner: str, name: str, caption: str, upload: UploadedFile) -> MediaItem:
    """Store an uploaded file in S3 and its record in DynamoDB, processed and ready, or
    neither: a file processing rejects is removed with its record."""
    media_id = str(ULID())
    filename, size = upload.name or "file", upload.size or 0
    content_type = content_type_for(filename, upload.content_type)
    key = storage.media_key(media_id=media_id, filename=filename)
    try:
        storage.save(key, upload, content_type=content_type)
    except Exception as exc:
        logger.exception("Storing media %s in S3 failed", media_id)
        raise UploadFailed("The file could not be stored. Nothing was saved; please try again.") from exc
    item = _new_item(
        media_id=media_id,
        owner=owner,
        name=name,
        caption=caption,
        filename=filename,
        key=key,
        content_type=content_type,
        size=size,
    )
    try:
        item.save(condition=MediaItem.id.does_not_exist())
    except PynamoDBException as exc:
        _record_failed(item, exc)
    _indexed(item)
    try:
        item = media_process(item=item)
    except ProcessingInterrupted as exc:
        # The record is pending with an expiry and the file is kept: checking it again
        # (the item page, finish, reconcile) completes it; nothing is lost.
        raise ProcessingInterrupted(
            f"“{name}” arrived, but storage stopped answering while it was being checked. It is in your "
            "media as pending and nothing was deleted: open it in a minute and check it again."
        ) from exc
    if item.status == Status.REJECTED:
        # The person is still on the form: the message goes there, not into their media.
        item.delete()
        media_forget(item)
        raise UploadRejected(item.reason)
    return item


def _record_failed(item: MediaItem, exc: PynamoDBException) -> None:
    """A form upload's record write failed after its object was stored. The write may have
    landed all the same (its answer lost, botocore's retry then refused by the write's own
    condition): one consistent read tells. Landed: the upload goes on. Not there: its
    object goes, and nothing was saved. Storage cannot say: the object stays, so a record
    that did land keeps its file (an object without one is an orphan reconcile removes)."""
    try:
        landed = MediaItem.get(item.id, consistent_read=True).s3_key == item.s3_key
    except MediaItem.DoesNotExist:
        landed = False
    except PynamoDBException:
        logger.exception("Recording media %s failed and storage cannot say whether it landed", item.id)
        raise UploadFailed(
            "The upload could not be recorded and storage is not answering, so nothing was deleted: if it "
            "shows in your media as pending, open it and check it again; if not, please upload it again."
        ) from exc
    if landed:
        logger.warning("Recording media %s answered %r, but the record landed", item.id, exc)
        return
    logger.exception("Recording media %s failed; removing its object %s", item.id, item.s3_key)
    _delete_quietly(item.s3_key)
    raise UploadFailed("The upload could not be recorded. Nothing was saved; please try again.") from exc


def _new_item(
    *, media_id: str, owner: str, name: str, caption: str, filename: str, key: str, content_type: str, size: int
) -> MediaItem:
    """A pending record for an object at `key`, not yet saved."""
    now = timezone.now()
    item = MediaItem(
        id=media_id,
        owner=owner,
        feed=feed_key(media_id),
        name=name,
        caption=caption,
        original_filename=clean_filename(filename),
        s3_key=key,
        file_url=storage.object_url(key),
        content_type=content_type,
        kind=kind_for(content_type),
        size=size,
        status=Status.PENDING,
        uploaded_at=now,
        updated_at=now,
        # Every pending record expires (DynamoDB's TTL), whichever path made it, so an
        # upload interrupted for good cannot stay pending forever.
        expires_at=now + timedelta(seconds=settings.MEDIAHUB_PENDING_UPLOAD_SECONDS),
    )
    return item


def media_update(
    *, item: MediaItem, name: str, caption: str, version: int, tags: list[str] | None = None, actor: str | None = None
) -> MediaItem:
    """Change name, caption and (unless None) tags, refusing if the item changed since
    `version` was read; `actor` (the owner if not given) is who the activity log names.

    A pending item cannot be edited: its check would otherwise race the edit, and one
    of the two would be thrown away. The condition holds that rule in DynamoDB too. New
    tags are indexed before the record names them (albums.services), so a tagged item is
    never missing from its tag's listing.
    """
    if item.status == Status.PENDING:
        raise UploadStillPending
    if item.version != version:
        raise StaleEdit
    indexed = index_entries(item)
    before = set(item.tags or ())
    after = before if tags is None else set(tags)
    changed = [field for field, value in (("name", name), ("caption", caption)) if getattr(item, field) != value]
    changed += ["tags"] if after != before else []
    tags_index_add(owner=item.owner, media_id=item.id, tags=sorted(after - before), version=version + 1)
    item.name, item.caption, item.tags = name, caption, after or None
    item.updated_at = timezone.now()
    try:
        item.save(condition=MediaItem.status != Status.PENDING)
    except PutError as exc:
        item.tags = before or None
        if condition_failed(exc):
            raise StaleEdit from exc
        raise
    tags_index_remove(owner=item.owner, media_id=item.id, tags=sorted(before - after), version=item.version)
    vocabulary_count(owner=item.owner, added=sorted(after - before), removed=sorted(before - after))
    _indexed(item, before=indexed)
    detail = f"changed {' and '.join(changed)}" if changed else "saved unchanged"
    action = ActivityAction.TAG if changed == ["tags"] else ActivityAction.EDIT
    activity_record(actor=actor or item.owner, action=action, media_id=item.id, owner=item.owner, detail=detail)
    return item


def media_delete(*, item: MediaItem, actor: str) -> None:
    """What deleting an item does: a ready or rejected item goes to the trash (media_trash);
    an upload still pending is cancelled for good (record, then its bytes)."""
    if item.status != Status.PENDING:
        media_trash(item=item, actor=actor)
        return
    try:
        item.delete()
    except DeleteError as exc:
        if condition_failed(exc):
            raise StaleEdit from exc
        raise
    media_forget(item)
    _free_bytes(item)


def media_trash(*, item: MediaItem, actor: str) -> TrashedItem:
    """Move the item to the trash: in one DynamoDB transaction, remove its record (on
    condition it is still the version read) and keep the whole record in the trash table.

    Every reader of media then stops seeing it at once; its files stay in S3 until the
    purge. After the transaction its share links end (for good: a restore does not bring
    them back) and its search postings go; a failure there is logged, and harmless, as
    links and hits are checked against the media record.
    """
    now = timezone.now()
    trashed = TrashedItem(
        owner=item.owner,
        media_id=item.id,
        record=json.dumps(item.serialize()),
        name=item.name,
        original_filename=item.original_filename,
        size=item.size,
        kind=item.kind,
        status=item.status,
        s3_key=item.s3_key,
        thumbnail_key=item.thumbnail_key,
        trashed_by=actor,
        trashed_at=now,
        purge_at=now + timedelta(days=settings.MEDIAHUB_TRASH_DAYS),
        purge_shard=purge_shard(item.id),
    )
    # The token makes a retry of the same transaction (botocore retries one whose answer was
    # lost) succeed as the first did, instead of failing on the conditions it already met.
    token = str(ULID())
    try:
        with TransactWrite(connection=aws.pynamodb_connection(MediaItem), client_request_token=token) as transaction:
            transaction.delete(item)  # on condition of the version read
            transaction.save(trashed, condition=TrashedItem.media_id.does_not_exist())
    except TransactWriteError as exc:
        if aws.transaction_cancelled(exc):
            raise StaleEdit from exc
        raise
    shares_end_for_media(media_id=item.id)
    _unindexed(item)
    activity_record(actor=actor, action=ActivityAction.TRASH, media_id=item.id, owner=item.owner, detail=item.name)
    return trashed


def media_forget(item: MediaItem, *, purging: bool = False) -> None:
    """What happens once an item is gone for good (a cancelled upload, a purge from the
    trash): its share links end, its search postings, album memberships and tag postings
    go, and its tags leave the owner's suggestions. Never raises for a storage failure
    (each step logs, and is harmless left over: whatever points at a record that is gone,
    every reader skips), except, when `purging`, for the album memberships: an album's
    count must follow them, and the purge's next run finishes the job. A purge, run again,
    also counts the tags out of the suggestions itself, once (trash.services)."""
    shares_end_for_media(media_id=item.id)
    _unindexed(item)
    memberships_forget(media_id=item.id, strict=purging)
    tags_forget(item=item, vocabulary=not purging)


def media_files_delete(item: MediaItem) -> None:
    """Delete the item's file and renditions from S3 (a purge); storage errors propagate."""
    _delete_objects(item)


def media_delete_many(*, items: list[MediaItem], actor: str) -> list[bulk.ItemOutcome]:
    """Delete (move to the trash) each item on its own (bulk.media_each)."""

    def delete(item: MediaItem) -> str:
        try:
            media_delete(item=item, actor=actor)
        except StaleEdit:
            return bulk.CHANGED_MEANWHILE
        return ""

    return bulk.media_each(items, delete, verb="deleted")


def _delete_objects(item: MediaItem) -> None:
    """The item's file and its renditions, which a check running right now may be writing
    even if this copy of the record does not name them yet."""
    storage.delete(item.s3_key)
    storage.delete(item.thumbnail_key or storage.thumbnail_key(item.id))
    if item.preview_key or item.content_type in metadata.NEEDS_PREVIEW:
        storage.delete(item.preview_key or storage.preview_key(item.id))


def _free_bytes(item: MediaItem) -> None:
    """After its record is gone: the item's unfinished parts, file and thumbnail. Left
    behind if storage refuses, as invisible orphans that reconcile removes."""
    try:
        if item.upload_id:
            storage.multipart_abort(item.s3_key, upload_id=item.upload_id)
        _delete_objects(item)
    except (BotoCoreError, ClientError):
        logger.exception("Media %s is gone but its bytes under %s remain; reconcile removes them", item.id, item.s3_key)


def _indexed(item: MediaItem, *, before: Entries = NO_ENTRIES) -> None:
    """After a write of the record: its postings follow what it now says (search.services)."""
    index_update(media_id=item.id, before=before, after=index_entries(item))


def _unindexed(item: MediaItem) -> None:
    """After the record is gone: its postings go too."""
    index_update(media_id=item.id, before=index_entries(item), after=NO_ENTRIES)


def _delete_quietly(key: str) -> None:
    try:
        storage.delete(key)
    except (BotoCoreError, ClientError):
        logger.exception("Could not remove %s; reconcile removes it later", key)


@dataclass(frozen=True)
class DirectUpload:
    """A pending item and how its bytes go to S3: one POST, or the parts of a multipart upload."""

    item: MediaItem
    post: storage.PresignedPost | None


def direct_upload_create(
    *, owner: str, name: str, caption: str, filename: str, size: int, declared_type: str, fingerprint: str = ""
) -> DirectUpload:
    """Check the limits, record a pending item that expires, and prepare S3 for its bytes.
    The file's `fingerprint` (see forms.fingerprint_field) lets the upload resume later."""
    item = _pending_upload(
        owner=owner,
        name=name,
        caption=caption,
        filename=filename,
        size=size,
        declared_type=declared_type,
        fingerprint=fingerprint,
    )
    if size > settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES:
        _require_room_for_another_upload(owner)
        item.upload_id = storage.multipart_create(item.s3_key, content_type=item.content_type)
    try:
        item.save(condition=MediaItem.id.does_not_exist())
    except PynamoDBException:
        if item.upload_id:
            storage.multipart_abort(item.s3_key, upload_id=item.upload_id)
        raise
    _indexed(item)
    return _direct_upload(item)


def _direct_upload(item: MediaItem) -> DirectUpload:
    """A saved pending item and, unless it is multipart, its signed POST."""
    if item.upload_id:
        return DirectUpload(item=item, post=None)
    post = storage.presigned_post(item.s3_key, content_type=item.content_type, size=int(item.size))
    return DirectUpload(item=item, post=post)


def _pending_upload(
    *, owner: str, name: str, caption: str, filename: str, size: int, declared_type: str, fingerprint: str
) -> MediaItem:
    """The pending record of a direct upload within the limits, not yet saved."""
    limit = settings.MEDIAHUB_DIRECT_UPLOAD_MAX_BYTES
    if size > limit:
        raise UploadTooLarge(f"The file is {size:,} bytes; uploads may be up to {limit:,} bytes.")

    filename = clean_filename(filename)
    declared = parse_media_type(declared_type) if declared_type else None
    if declared_type and declared is None:
        raise InvalidMediaType
    content_type = declared or content_type_for(filename, None)
    if kind_for(content_type) not in ALLOWED_KINDS:
        raise UnsupportedMediaType(f"{content_type} is not an image, video, audio file or document.")
    media_id = str(ULID())
    key = storage.media_key(media_id=media_id, filename=filename)
    item = _new_item(
        media_id=media_id,
        owner=owner,
        name=name,
        caption=caption,
        filename=filename,
        key=key,
        content_type=content_type,
        size=size,
    )
    item.fingerprint = fingerprint or None
    return item


def _require_room_for_another_upload(owner: str) -> None:
    """Refuse a new multipart upload while the owner has MEDIAHUB_MAX_PENDING_UPLOADS
    unfinished ones: each may hold up to 5 GiB of parts in S3 for a day."""
    most = settings.MEDIAHUB_MAX_PENDING_UPLOADS
    if sum(1 for item in media_pending_for_owner(owner=owner) if item.upload_id) >= most:
        raise TooManyPendingUploads(
            f"You have {most} unfinished large uploads, the most one member may have at a time. Resume or "
            "cancel some under “Unfinished uploads” on the upload page, or wait for those in progress to finish."
        )


def direct_upload_resume(*, item: MediaItem, filename: str, size: int, fingerprint: str) -> MediaItem:
    """Check that the file offered is the one this multipart upload started with (its name,
    size and fingerprint), so that only its missing parts need sending; returns the item."""
    _require_multipart(item)
    if not item.fingerprint:
        raise NotTheSameFile("This upload was started without a fingerprint, so it cannot be resumed: cancel it.")
    wanted = f"Pick “{item.original_filename}” ({item.size:,} bytes) again."
    if clean_filename(filename) != item.original_filename:
        raise NotTheSameFile(f"This upload was started with another file: “{clean_filename(filename)}”. {wanted}")
    if size != item.size:
        raise NotTheSameFile(f"This file is {size:,} bytes; the upload was started with {item.size:,}. {wanted}")
    if fingerprint != item.fingerprint:
        raise NotTheSameFile(
            "This file has the same name and size, but not the same content as the one the upload "
            f"started with. {wanted}"
        )
    return item


def direct_upload_sign_parts(*, item: MediaItem, part_numbers: list[int]) -> dict[int, str]:
    """Presigned PUT URLs for these parts of the item's multipart upload (at most
    MAX_PARTS_PER_REQUEST of them)."""
    direct_upload_check_part_numbers(part_numbers, most=MAX_PARTS_PER_REQUEST)
    _require_multipart(item)
    return {
        number: storage.multipart_part_url(item.s3_key, upload_id=item.upload_id, part_number=number)
        for number in part_numbers
    }


def direct_upload_check_part_numbers(numbers: list[int], *, most: int) -> None:
    """Refuse part numbers S3 would not take, repeats, none at all, or more than `most`."""
    if not numbers:
        raise InvalidPartNumbers("Give at least one part number.")
    if len(numbers) > most:
        raise TooManyParts(f"{len(numbers):,} parts is too many for one request: the limit is {most:,}.")
    seen: set[int] = set()
    for number in numbers:
        if not 1 <= number <= MAX_PARTS:
            raise InvalidPartNumbers(f"Part numbers run from 1 to {MAX_PARTS:,}.")
        if number in seen:
            raise InvalidPartNumbers(f"Part number {number} is given more than once.")
        seen.add(number)


def direct_upload_parts(*, item: MediaItem) -> list[storage.Part]:
    """The parts S3 holds so far, so an interrupted upload can resume."""
    _require_multipart(item)
    return storage.multipart_parts(item.s3_key, upload_id=item.upload_id)


def direct_upload_complete(*, item: MediaItem, parts: list[storage.Part]) -> MediaItem:
    """Assemble the parts, then verify the object. Repeating it changes nothing."""
    if item.status != Status.PENDING:
        return item
    _require_multipart(item)
    try:
        storage.multipart_complete(item.s3_key, upload_id=item.upload_id, parts=parts)
    except ClientError as exc:
        # A repeated call finds the upload already assembled.
        if exc.response["Error"]["Code"] != "NoSuchUpload" or storage.object_size(item.s3_key) is None:
            raise UploadIncomplete(f"S3 could not assemble the parts: {exc.response['Error']['Message']}") from exc
    return media_process(item=item)


def direct_upload_abort(*, item: MediaItem) -> None:
    """Cancel a pending upload: its record first, on condition it is still pending and
    unchanged, so a check finishing at the same moment either wins (and the cancel is
    refused) or loses (and removes what it wrote). Then its parts and any bytes."""
    if item.status != Status.PENDING:
        raise UploadNotPending("This upload has finished; delete the item instead.")
    try:
        item.delete(condition=MediaItem.status == Status.PENDING)
    except DeleteError as exc:
        if condition_failed(exc):
            raise UploadNotPending("This upload finished while you cancelled it; delete the item instead.") from exc
        raise
    media_forget(item)
    _free_bytes(item)


def media_process(*, item: MediaItem, read_whole: bool = False) -> MediaItem:
    """The one verification step, for every path in (form, direct upload, S3 event).

    Trust nothing the client said: check the landed object's real size and the type
    sniffed from its first bytes against the declaration, read its metadata, make a
    thumbnail for an image, and mark the item ready; or rejected with a reason, its
    object removed. The reads are ranged and bounded whatever the file's size; the
    SHA-256 of every byte follows off the request path (media_checksum), unless
    `read_whole` (a batch of small files) and the file is at most WHOLE_READ_BYTES: then
    one GET reads it whole and the SHA-256 comes with the verdict. Only the
    file's own content rejects it: if storage fails meanwhile, the item stays pending
    with its file, and this step can simply run again. Repeating it changes nothing.
    """
    if item.status != Status.PENDING:
        return item
    indexed = index_entries(item)
    concluded = _checked(item, read_whole=read_whole)
    _indexed(concluded, before=indexed)
    return concluded


def _checked(item: MediaItem, *, read_whole: bool) -> MediaItem:
    """media_process of a pending item, all but its postings."""
    started = time.monotonic()
    try:
        reason = _inspect_whole(item) if read_whole and item.size <= WHOLE_READ_BYTES else _inspect(item)
        concluded = _conclude(item, Status.READY) if reason is None else _reject(item, reason)
    except (BotoCoreError, ClientError, PynamoDBException) as exc:
        raise _interrupted(item, exc) from exc
    # The request's wait for the check, whatever the file's size (bench/direct_upload.py reads it).
    seconds = time.monotonic() - started
    logger.info("Checked media %s (%d bytes) in %.3f s: %s", item.id, item.size, seconds, concluded.status)
    return concluded


def _inspect(item: MediaItem) -> str | None:
    """Fill in what the file says about itself; returns why it is refused, or None."""
    head = _arrived(item, storage.object_head(item.s3_key))
    if head.size != item.size:
        return _size_refusal(item, head.size)
    # Every read from here on, and the checksum pass later, is pinned to these bytes.
    item.etag, item.s3_checksum = head.etag, head.checksum
    sniffed = sniff_content_type(
        storage.read_head(item.s3_key, SNIFF_BYTES, etag=head.etag), declared=item.content_type
    )

    def opened() -> AbstractContextManager[BinaryIO]:
        return storage.open_range(item.s3_key, head.size, etag=head.etag)

    return _judge(item, sniffed=sniffed, size=head.size, opened=opened)


# In a batch finish, a file up to this size is read whole, in one GET, by its check: the
# same bytes give its type, its metadata and its SHA-256, so it needs no checksum pass
# afterwards (three calls to S3 and DynamoDB fewer, and no thread). A batch of 100 reads
# at most 100 MiB.
WHOLE_READ_BYTES = 1024 * 1024


def _inspect_whole(item: MediaItem) -> str | None:
    """_inspect for a small file: one GET of the whole object, the SHA-256 of those very
    bytes (their ETag) recorded with the verdict."""
    whole = storage.read_whole(item.s3_key, most=int(item.size))
    head = _arrived(item, whole.head if whole else None)
    if whole is None or whole.data is None or head.size != item.size:
        return _size_refusal(item, head.size)
    data = whole.data
    item.etag, item.s3_checksum = head.etag, head.checksum
    sniffed = sniff_content_type(data[:SNIFF_BYTES], declared=item.content_type)
    refused = _judge(item, sniffed=sniffed, size=head.size, opened=lambda: io.BytesIO(data))
    if refused is None:
        item.sha256 = hashlib.sha256(data).hexdigest()
        item.checksum_key = f"{item.owner}#{item.sha256}"
    return refused


def _arrived(item: MediaItem, head: storage.ObjectHead | None) -> storage.ObjectHead:
    if head is None:
        if _current(item) is None:  # a cancel removed the record, then the file, just now
            raise UploadNotPending(CANCELLED)
        raise UploadIncomplete("The file has not arrived in storage yet.")
    return head


def _size_refusal(item: MediaItem, size: int) -> str:
    return f"The file is {size:,} bytes, not the {item.size:,} bytes declared."


def _judge(
    item: MediaItem, *, sniffed: str | None, size: int, opened: Callable[[], AbstractContextManager[BinaryIO]]
) -> str | None:
    """Why the file is refused (its sniffed type, then its content), or None with what it
    says about itself filled in; `opened` gives a reader of its bytes."""
    if sniffed is None or kind_for(sniffed) not in ALLOWED_KINDS:
        return "The file's content is not an image, video, audio file or document we recognise."
    if kind_for(sniffed) != item.kind:
        return f"The file's content is {sniffed}, not the {item.kind} it was declared as."
    try:
        _read_content(item, content_type=sniffed, size=size, opened=opened)
    except Unreadable as exc:
        return str(exc)
    except (BotoCoreError, ClientError, PynamoDBException):
        raise
    except Exception:
        # A parser that crashes on a file has found a file it cannot read.
        logger.exception("Processing media %s (%s) failed", item.id, item.s3_key)
        return "The file could not be processed. Please try uploading it again."
    return None


def _read_content(
    item: MediaItem, *, content_type: str, size: int, opened: Callable[[], AbstractContextManager[BinaryIO]]
) -> None:
    """What the file says about itself, reading only what each part needs; storage
    errors surface as themselves, never as a damaged file (storage.open_range)."""
    kind = kind_for(content_type)
    with opened() as reader:
        extracted = metadata.extract(reader, kind=kind, content_type=content_type)
    if kind == Kind.IMAGE:
        _make_renditions(item, content_type=content_type, opened=opened)
    item.content_type, item.kind, item.size = content_type, kind, size
    # Downloads carry this name: its extension must agree with what the file really is.
    item.original_filename = metadata.filename_for_type(item.original_filename, content_type)
    item.width, item.height, item.orientation = extracted.width, extracted.height, extracted.orientation
    item.taken_at, item.duration, item.page_count = extracted.taken_at, extracted.duration, extracted.page_count


def _make_renditions(
    item: MediaItem, *, content_type: str, opened: Callable[[], AbstractContextManager[BinaryIO]]
) -> None:
    """A thumbnail for every image; for a photo browsers cannot show (HEIC), a preview too,
    from which the thumbnail is made, so the original is decoded once."""
    with opened() as reader:
        if content_type in metadata.NEEDS_PREVIEW:
            preview = make_thumbnail(reader, size=PREVIEW_SIZE)
            thumbnail = make_thumbnail(io.BytesIO(preview))
            item.preview_key = storage.preview_key(item.id)
            storage.save_bytes(item.preview_key, preview, content_type="image/webp")
        else:
            thumbnail = make_thumbnail(reader)
    item.thumbnail_key = storage.thumbnail_key(item.id)
    storage.save_bytes(item.thumbnail_key, thumbnail, content_type="image/webp")


def _interrupted(item: MediaItem, exc: Exception) -> MediaHubError:
    """What to tell the caller when storage failed under a check: the item stays pending
    with its file (nothing is deleted), unless a cancel removed it meanwhile."""
    logger.warning("Checking media %s was interrupted: %r", item.id, exc)
    if aws.unavailable(exc):
        return ProcessingInterrupted()
    if _current(item) is None:
        _delete_objects(item)  # what this check wrote before it found the upload gone
        return UploadNotPending(CANCELLED)
    return UploadIncomplete("The file changed or went missing in storage while it was checked; upload it again.")


def _reject(item: MediaItem, reason: str) -> MediaItem:
    logger.warning("Rejected media %s of %s: %s", item.id, item.owner, reason)
    if item.upload_id:
        storage.multipart_abort(item.s3_key, upload_id=item.upload_id)
    _delete_objects(item)
    item.reason = reason
    return _conclude(item, Status.REJECTED)


def _conclude(item: MediaItem, status: str) -> MediaItem:
    """Save the verdict, on condition the record is still the pending one we read."""
    item.status = status
    item.expires_at = None
    item.upload_id = None
    item.updated_at = timezone.now()
    try:
        item.save(condition=MediaItem.status == Status.PENDING)
    except PutError as exc:
        if not condition_failed(exc):
            raise
        return _settle_lost_race(item)
    _record_verdict(item)
    if status == Status.READY and item.sha256 is None:
        return background.checksum_later(item.id) or item
    return item


def _record_verdict(item: MediaItem) -> None:
    """The activity log's entry for a concluded check: uploaded by its owner, or refused."""
    if item.status == Status.READY:
        activity_record(
            actor=item.owner, action=ActivityAction.UPLOAD, media_id=item.id, owner=item.owner, detail=item.name
        )
    else:
        activity_record(
            actor=SYSTEM, action=ActivityAction.REJECT, media_id=item.id, owner=item.owner, detail=item.reason or ""
        )


def _settle_lost_race(ours: MediaItem) -> MediaItem:
    """Someone changed the record while we checked the file. A cancel or delete removed
    it: nothing we wrote may stay. Another check concluded it: theirs stands."""
    theirs = _current(ours)
    if theirs is None:
        _delete_objects(ours)
        raise UploadNotPending(CANCELLED)
    if theirs.status == Status.PENDING:
        # Changed but still pending (a concurrent step rewrote it): check that record again.
        return media_process(item=theirs)
    for ours_key, theirs_key in ((ours.thumbnail_key, theirs.thumbnail_key), (ours.preview_key, theirs.preview_key)):
        if ours_key and not theirs_key:
            storage.delete(ours_key)
    return theirs


def _current(item: MediaItem) -> MediaItem | None:
    return _current_by_id(item.id)


def _current_by_id(media_id: str) -> MediaItem | None:
    try:
        return MediaItem.get(media_id, consistent_read=True)
    except MediaItem.DoesNotExist:
        return None


def media_checksum(*, media_id: str) -> MediaItem | None:
    """The full-content pass of a ready item: the SHA-256 of the very bytes verification
    checked (pinned by their ETag), and the key behind duplicate notices.

    It runs once however often it is started: a claim on the record (a conditional write
    that lapses after CHECKSUM_LEASE) keeps a second run from reading the file again, and
    the result is written only over a record still ready, unchecksummed and pinned to the
    same ETag. A storage error releases the claim and goes to the caller, which retries;
    it never rejects or deletes the item. Bytes replaced after the check (a POST policy
    stays valid for minutes) reject the item. Returns the item with its checksum, or None
    when there was nothing to do: no such item, not ready, done, or another run's claim.
    """
    item = _current_by_id(media_id) if MEDIA_ID.fullmatch(media_id) else None
    if item is None or not item.checksum_pending or not _claim_checksum(item):
        return None
    failure: Exception
    try:
        return _record_checksum(item, _sha256_of(item))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("PreconditionFailed", "412"):
            return _replaced_after_check(item)
        failure = exc
    except (BotoCoreError, PynamoDBException) as exc:
        failure = exc
    _release_checksum(item)
    if _current_by_id(media_id) is None:
        return None  # deleted meanwhile, file and all
    raise failure


def _sha256_of(item: MediaItem) -> str:
    """The SHA-256 of the bytes verification checked (their ETag), read from end to end."""
    digest = hashlib.sha256()
    for chunk in storage.iter_object(item.s3_key, size=int(item.size), etag=item.etag):
        digest.update(chunk)
    return digest.hexdigest()


# How long a run's claim on a checksum holds: longer than the function's 300 s timeout.
CHECKSUM_LEASE = timedelta(minutes=15)
REPLACED = "The file was replaced in storage after it was checked. Please upload it again."


def _same_ready_bytes(item: MediaItem) -> Condition:
    """The record is still ready, for the bytes with this ETag."""
    ready: Condition = MediaItem.status == Status.READY
    same: Condition = ready & (MediaItem.etag == item.etag)
    return same


def _still_pending_checksum(item: MediaItem) -> Condition:
    """The record is still the ready one whose bytes (this ETag) await their checksum."""
    awaited: Condition = _same_ready_bytes(item) & MediaItem.sha256.does_not_exist()
    return awaited


def _claim_checksum(item: MediaItem) -> bool:
    now = timezone.now()
    free = MediaItem.checksum_claimed_at.does_not_exist() | (MediaItem.checksum_claimed_at < now - CHECKSUM_LEASE)
    return _update_checksum_fields(item, [MediaItem.checksum_claimed_at.set(now)], free)


def _release_checksum(item: MediaItem) -> None:
    """Let the next try claim the pass at once; if this fails too, the claim lapses."""
    try:
        _update_checksum_fields(item, [MediaItem.checksum_claimed_at.remove()])
    except PynamoDBException:
        logger.exception("Could not release the checksum claim on media %s", item.id)


def _record_checksum(item: MediaItem, sha256: str) -> MediaItem | None:
    actions = [
        MediaItem.sha256.set(sha256),
        MediaItem.checksum_key.set(f"{item.owner}#{sha256}"),
        MediaItem.checksum_claimed_at.remove(),
    ]
    return item if _update_checksum_fields(item, actions) else None


def _update_checksum_fields(item: MediaItem, actions: Sequence[Action], condition: Condition | None = None) -> bool:
    """Change only the checksum's own fields, whatever edits happened meanwhile (no version
    condition), on condition the record still awaits this checksum; False if it does not."""
    required = _still_pending_checksum(item) & condition if condition is not None else _still_pending_checksum(item)
    try:
        item.update(actions=list(actions), condition=required, add_version_condition=False)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def media_reject_if_replaced(*, item: MediaItem) -> MediaItem:
    """A ready item whose object no longer has the ETag verification checked had its bytes
    replaced afterwards (a POST policy outlives the check; S3 announces the new object):
    rejected, as content failing the check is. The item as it now stands."""
    if item.status != Status.READY:
        return item
    head = storage.object_head(item.s3_key)
    if head is None or head.etag == item.etag:
        return item  # gone (a delete: its record goes first), or the very bytes verified
    return _replaced_after_check(item) or item


def rejection_of_ready(reason: str) -> list[Action]:
    """The update that turns a ready item rejected for `reason`: it no longer names a
    checksum (so no duplicate notice points at it) or renditions."""
    return [
        MediaItem.status.set(Status.REJECTED),
        MediaItem.reason.set(reason),
        MediaItem.sha256.remove(),
        MediaItem.checksum_key.remove(),
        MediaItem.checksum_claimed_at.remove(),
        MediaItem.thumbnail_key.remove(),
        MediaItem.preview_key.remove(),
        MediaItem.updated_at.set(timezone.now()),
    ]


def _replaced_after_check(item: MediaItem) -> MediaItem | None:
    """The object's bytes are no longer the ones verified: reject the item, as if its
    content had failed the check, on condition it is still the same ready record (None
    if it is not), and delete the bytes nobody checked."""
    logger.warning("Media %s of %s was replaced in storage after its check", item.id, item.owner)
    indexed = index_entries(item)
    try:
        item.update(
            actions=rejection_of_ready(REPLACED), condition=_same_ready_bytes(item), add_version_condition=False
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise
    _indexed(item, before=indexed)
    activity_record(actor=SYSTEM, action=ActivityAction.REJECT, media_id=item.id, owner=item.owner, detail=REPLACED)
    _delete_objects(item)
    return item


def _require_multipart(item: MediaItem) -> None:
    if item.status != Status.PENDING:
        raise UploadNotPending("This upload has finished.")
    if not item.upload_id:
        raise UploadIncomplete("This upload is a single POST, not a multipart upload.")


# Batches: many small files declared, or finished, in one request (the CLI's bulk import).
# Each file's outcome is its own: one refused, or one that storage fails under, stops no
# other, and every file either has its pending record (and its signed POST) or nothing.
MAX_BATCH = 100
NOT_TRIED = "Storage stopped answering during this batch, so this file was not tried; nothing was changed for it."


@dataclass(frozen=True)
class Declared:
    """One file of a batch declare, as its form cleaned it."""

    name: str
    caption: str
    filename: str
    size: int
    declared_type: str
    fingerprint: str


def direct_upload_create_many(
    *, owner: str, files: Sequence[Declared | MediaHubError]
) -> list[DirectUpload | MediaHubError]:
    """direct_upload_create for each file (an error given stands for a file its form
    refused); per file the upload or what refused it, in the order given. Files sent in
    one POST have their pending records written BATCH_WRITE_ITEMS a call and all their
    search postings in one batch; a file for a multipart upload goes alone, as before."""
    threshold = settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES
    outcomes: list[DirectUpload | MediaHubError | None] = []
    single: list[tuple[int, Declared]] = []
    posted: list[tuple[int, MediaItem]] = []
    for n, declared in enumerate(files):
        outcomes.append(declared if isinstance(declared, MediaHubError) else None)
        if isinstance(declared, MediaHubError):
            continue
        if declared.size > threshold:
            single.append((n, declared))
            continue
        try:
            posted.append((n, _pending_of(owner, declared)))
        except MediaHubError as exc:
            outcomes[n] = exc
    saved, down = _save_pending_many([item for _, item in posted])
    index_update_many({item.id: (NO_ENTRIES, index_entries(item)) for _, item in posted if saved[item.id] is None})
    for n, item in posted:
        refused = saved[item.id]
        outcomes[n] = _direct_upload(item) if refused is None else refused
    pieces: list[Declared | MediaHubError] = [StorageUnavailable(NOT_TRIED) if down else d for _, d in single]
    for (n, _), outcome in zip(single, _each(pieces, _create_for(owner)), strict=True):
        outcomes[n] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def _create_for(owner: str) -> Callable[[Declared], DirectUpload]:
    def create(declared: Declared) -> DirectUpload:
        return direct_upload_create(owner=owner, **asdict(declared))

    return create


def _pending_of(owner: str, declared: Declared) -> MediaItem:
    return _pending_upload(owner=owner, **asdict(declared))


# What one BatchWriteItem call takes at most.
BATCH_WRITE_ITEMS = 25


def _save_pending_many(items: Sequence[MediaItem]) -> tuple[dict[str, MediaHubError | None], bool]:
    """Save new pending records, BATCH_WRITE_ITEMS a call; per id None (saved) or why not,
    and whether storage stopped answering (the rest are then not tried).

    BatchWriteItem takes no condition. The single path's (`id` and `version` do not
    exist) guards a fresh ULID, which no record can have, so no guarantee is lost. A call that fails
    leaves its items' fate unknown: they are deleted again, and if that fails too, each
    is a pending record that expires (DynamoDB's TTL) with no file, as an upload never
    sent does. Items DynamoDB left unprocessed after its retries are refused alone."""
    outcomes: dict[str, MediaHubError | None] = {}
    down = False
    for start in range(0, len(items), BATCH_WRITE_ITEMS):
        chunk = items[start : start + BATCH_WRITE_ITEMS]
        if down:
            outcomes.update((item.id, StorageUnavailable(NOT_TRIED)) for item in chunk)
            continue
        batch = MediaItem.batch_write(auto_commit=False)
        for item in chunk:
            item.version = 1  # what save() gives a new record; a batch write sets no version
            batch.save(item)
        try:
            batch.commit()
        except PutError as exc:
            logger.warning("Recording a batch of %d uploads failed: %r", len(chunk), exc)
            down = aws.unavailable(exc)
            left = {raw["PutRequest"]["Item"]["id"]["S"] for raw in batch.failed_operations}
            if not left:
                left = {item.id for item in chunk}
                _delete_pending_quietly(chunk)
            outcomes.update(
                (item.id, UploadFailed(STORAGE_FAILED_FOR_FILE) if item.id in left else None) for item in chunk
            )
            continue
        outcomes.update((item.id, None) for item in chunk)
    return outcomes, down


def _delete_pending_quietly(items: Sequence[MediaItem]) -> None:
    try:
        with MediaItem.batch_write() as batch:
            for item in items:
                batch.delete(item)
    except PynamoDBException:
        logger.exception("Pending records of a failed batch may remain; they expire with no file behind them")


def media_process_many(*, owner: str, media_ids: Sequence[str]) -> list[MediaItem | MediaHubError]:
    """media_process for each of the owner's uploads named (read at once, consistently);
    per id the item as its check left it (ready or rejected), or the error that stopped it
    (not found, not arrived yet, storage not answering: such items stay pending). The
    postings of every item concluded go in one batch write after the last check."""
    wanted = [media_id for media_id in dict.fromkeys(media_ids) if MEDIA_ID.fullmatch(media_id)]
    found = {item.id: item for item in MediaItem.batch_get(wanted, consistent_read=True)}
    targets: list[MediaItem | MediaHubError] = []
    for media_id in media_ids:
        item = found.get(media_id)
        targets.append(item if item is not None and item.owner == owner else MediaNotFound())
    changes: dict[str, tuple[Entries, Entries]] = {}

    def check(item: MediaItem) -> MediaItem:
        if item.status != Status.PENDING:
            return item
        indexed = index_entries(item)
        concluded = _checked(item, read_whole=True)
        changes[item.id] = (indexed, index_entries(concluded))
        return concluded

    # Every verdict is its own conditional write; the postings of all follow in one batch.
    outcomes = _each(targets, check)
    index_update_many(changes)
    return outcomes


def _each[T, R](work: Sequence[T | MediaHubError], step: Callable[[T], R]) -> list[R | MediaHubError]:
    """`step` on each piece of work on its own; a domain error (or storage failing, which
    becomes one) answers for its piece alone. Once storage stops answering, the rest are
    not tried: each would wait as long, and the caller can send them again."""
    outcomes: list[R | MediaHubError] = []
    down = False
    for piece in work:
        if isinstance(piece, MediaHubError):
            outcomes.append(piece)
            continue
        if down:
            outcomes.append(StorageUnavailable(NOT_TRIED))
            continue
        try:
            outcomes.append(step(piece))
        except MediaHubError as exc:
            outcomes.append(exc)
            down = isinstance(exc, ProcessingInterrupted)
        except (BotoCoreError, ClientError, PynamoDBException) as exc:
            logger.warning("A file of a batch failed: %r", exc)
            down = aws.unavailable(exc)
            outcomes.append(UploadFailed(STORAGE_FAILED_FOR_FILE))
    return outcomes


STORAGE_FAILED_FOR_FILE = (
    "Storage failed for this file. Send it again: anything begun for it stays pending until it expires."
)
