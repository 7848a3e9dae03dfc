"""Writes to media: every path leaves S3 and DynamoDB agreeing."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException
from ulid import ULID

from mediahub import aws
from mediahub.aws import condition_failed
from mediahub.exceptions import MediaHubError
from search.services import NO_ENTRIES, Entries, index_entries, index_update
from sharing.services import shares_end_for_media
from uploads import metadata, storage
from uploads.exceptions import (
    InvalidMediaType,
    InvalidPartNumbers,
    ProcessingInterrupted,
    StaleEdit,
    TooManyParts,
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
from uploads.thumbnails import make_thumbnail

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
        logger.exception("Recording media %s failed; removing its object %s", media_id, key)
        _delete_quietly(key)
        raise UploadFailed("The upload could not be recorded. Nothing was saved; please try again.") from exc
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
        _unindexed(item)
        raise UploadRejected(item.reason)
    return item


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


def media_update(*, item: MediaItem, name: str, caption: str, version: int) -> MediaItem:
    """Change name and caption, refusing if the item changed since `version` was read.

    A pending item cannot be edited: its check would otherwise race the edit, and one
    of the two would be thrown away. The condition holds that rule in DynamoDB too.
    """
    if item.status == Status.PENDING:
        raise UploadStillPending
    if item.version != version:
        raise StaleEdit
    indexed = index_entries(item)
    item.name, item.caption = name, caption
    item.updated_at = timezone.now()
    try:
        item.save(condition=MediaItem.status != Status.PENDING)
    except PutError as exc:
        if condition_failed(exc):
            raise StaleEdit from exc
        raise
    _indexed(item, before=indexed)
    return item


def media_delete(*, item: MediaItem) -> None:
    """Remove the record, then its share links and the object.

    The record goes first: an object left behind by a failed S3 call is an
    invisible orphan (logged, to sweep later), while a record without its
    object would show a broken item to its owner. A share link left behind is
    dead too, as opening one checks its item.
    """
    try:
        item.delete()
    except DeleteError as exc:
        if condition_failed(exc):
            raise StaleEdit from exc
        raise
    shares_end_for_media(media_id=item.id)
    _unindexed(item)
    _free_bytes(item)


@dataclass(frozen=True)
class DeleteOutcome:
    """What happened to one item of a bulk delete."""

    media_id: str
    name: str
    deleted: bool
    problem: str = ""


def media_delete_many(*, items: list[MediaItem]) -> list[DeleteOutcome]:
    """Delete each item (record, file, thumbnail) on its own, so one failure stops nothing
    else; once storage stops answering, the rest are not tried (each would wait as long)."""
    outcomes: list[DeleteOutcome] = []
    for item in items:
        if outcomes and outcomes[-1].problem == STORAGE_DOWN:
            outcomes.append(DeleteOutcome(item.id, item.name, False, STORAGE_DOWN))
            continue
        try:
            media_delete(item=item)
        except StaleEdit:
            outcomes.append(DeleteOutcome(item.id, item.name, False, "it changed meanwhile; look at it again"))
        except Exception as exc:
            logger.exception("Bulk delete of %s failed", item.id)
            problem = STORAGE_DOWN if aws.unavailable(exc) else "it could not be deleted; try again"
            outcomes.append(DeleteOutcome(item.id, item.name, False, problem))
        else:
            outcomes.append(DeleteOutcome(item.id, item.name, True))
    return outcomes


STORAGE_DOWN = "storage did not answer; try again"


def _delete_objects(item: MediaItem) -> None:
    """The item's file and its thumbnail, which a check running right now may be writing
    even if this copy of the record does not name it yet."""
    storage.delete(item.s3_key)
    storage.delete(item.thumbnail_key or storage.thumbnail_key(item.id))


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
    *, owner: str, name: str, caption: str, filename: str, size: int, declared_type: str
) -> DirectUpload:
    """Check the limits, record a pending item that expires, and prepare S3 for its bytes."""
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
    if size > settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES:
        item.upload_id = storage.multipart_create(key, content_type=content_type)
    try:
        item.save(condition=MediaItem.id.does_not_exist())
    except PynamoDBException:
        if item.upload_id:
            storage.multipart_abort(key, upload_id=item.upload_id)
        raise
    _indexed(item)
    post = None if item.upload_id else storage.presigned_post(key, content_type=content_type, size=size)
    return DirectUpload(item=item, post=post)


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
    _unindexed(item)
    _free_bytes(item)


def media_process(*, item: MediaItem) -> MediaItem:
    """The one processing step, for every path in (form, direct upload, S3 event).

    Trust nothing the client said: check the landed object's real size and the type
    sniffed from its first bytes against the declaration, read its metadata and
    checksum, make a thumbnail for an image, and mark the item ready; or rejected with
    a reason, its object removed. Only the file's own content rejects it: if storage
    fails meanwhile, the item stays pending with its file, and this step can simply run
    again. Repeating it changes nothing.
    """
    if item.status != Status.PENDING:
        return item
    indexed = index_entries(item)
    try:
        reason = _inspect(item)
        done = _conclude(item, Status.READY) if reason is None else _reject(item, reason)
    except (BotoCoreError, ClientError, PynamoDBException) as exc:
        raise _interrupted(item, exc) from exc
    _indexed(done, before=indexed)
    return done


def _inspect(item: MediaItem) -> str | None:
    """Fill in what the file says about itself; returns why it is refused, or None."""
    size = storage.object_size(item.s3_key)
    if size is None:
        if _current(item) is None:  # a cancel removed the record, then the file, just now
            raise UploadNotPending(CANCELLED)
        raise UploadIncomplete("The file has not arrived in storage yet.")
    if size != item.size:
        return f"The file is {size:,} bytes, not the {item.size:,} bytes declared."
    sniffed = sniff_content_type(storage.read_head(item.s3_key, SNIFF_BYTES), declared=item.content_type)
    if sniffed is None or kind_for(sniffed) not in ALLOWED_KINDS:
        return "The file's content is not an image, video, audio file or document we recognise."
    if kind_for(sniffed) != item.kind:
        return f"The file's content is {sniffed}, not the {item.kind} it was declared as."
    try:
        _read_content(item, content_type=sniffed, size=size)
    except Unreadable as exc:
        return str(exc)
    except (BotoCoreError, ClientError, PynamoDBException):
        raise
    except Exception:
        # A parser that crashes on a file has found a file it cannot read.
        logger.exception("Processing media %s (%s) failed", item.id, item.s3_key)
        return "The file could not be processed. Please try uploading it again."
    item.checksum_key = f"{item.owner}#{item.sha256}"
    return None


def _read_content(item: MediaItem, *, content_type: str, size: int) -> None:
    """What the file says about itself, reading only what each part needs; storage
    errors surface as themselves, never as a damaged file (storage.open_range)."""
    kind = kind_for(content_type)
    with storage.open_range(item.s3_key, size) as reader:
        extracted = metadata.extract(reader, kind=kind, content_type=content_type)
    if kind == Kind.IMAGE:
        with storage.open_range(item.s3_key, size) as reader:
            thumbnail = make_thumbnail(reader)
        item.thumbnail_key = storage.thumbnail_key(item.id)
        storage.save_bytes(item.thumbnail_key, thumbnail, content_type="image/webp")
    digest = hashlib.sha256()
    for chunk in storage.iter_object(item.s3_key, size=size):
        digest.update(chunk)
    item.content_type, item.kind, item.size, item.sha256 = content_type, kind, size, digest.hexdigest()
    # Downloads carry this name: its extension must agree with what the file really is.
    item.original_filename = metadata.filename_for_type(item.original_filename, content_type)
    item.width, item.height, item.orientation = extracted.width, extracted.height, extracted.orientation
    item.taken_at, item.duration, item.page_count = extracted.taken_at, extracted.duration, extracted.page_count


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
    return item


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
    if ours.thumbnail_key and not theirs.thumbnail_key:
        storage.delete(ours.thumbnail_key)
    return theirs


def _current(item: MediaItem) -> MediaItem | None:
    try:
        return MediaItem.get(item.id, consistent_read=True)
    except MediaItem.DoesNotExist:
        return None


def _require_multipart(item: MediaItem) -> None:
    if item.status != Status.PENDING:
        raise UploadNotPending("This upload has finished.")
    if not item.upload_id:
        raise UploadIncomplete("This upload is a single POST, not a multipart upload.")
