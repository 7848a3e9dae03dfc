"""Writes to media: every path leaves S3 and DynamoDB agreeing."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException
from ulid import ULID

from mediahub.aws import condition_failed
from uploads import metadata, storage
from uploads.exceptions import (
    InvalidMediaType,
    InvalidPartNumbers,
    StaleEdit,
    TooManyParts,
    UnsupportedMediaType,
    UploadFailed,
    UploadIncomplete,
    UploadNotPending,
    UploadRejected,
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
from uploads.models import Kind, MediaItem, Status
from uploads.thumbnails import make_thumbnail

logger = logging.getLogger(__name__)

# S3 numbers an upload's parts 1 to 10,000; the portal signs at most 100 of them per
# request, so no one request holds a worker for long.
MAX_PARTS = 10_000
MAX_PARTS_PER_REQUEST = 100


def media_create_from_upload(*, owner: str, name: str, caption: str, upload: UploadedFile[bytes]) -> MediaItem:
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
        storage.delete(key)
        raise UploadFailed("The upload could not be recorded. Nothing was saved; please try again.") from exc
    item = media_process(item=item)
    if item.status == Status.REJECTED:
        # The person is still on the form: the message goes there, not into their media.
        item.delete()
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
        original_filename=clean_filename(filename),
        s3_key=key,
        file_url=storage.object_url(key),
        content_type=content_type,
        kind=kind_for(content_type),
        size=size,
        status=Status.PENDING,
        uploaded_at=now,
        updated_at=now,
    )
    item.set_text(name=name, caption=caption)
    return item


def media_update(*, item: MediaItem, name: str, caption: str, version: int) -> MediaItem:
    """Change name and caption, refusing if the item changed since `version` was read."""
    if item.version != version:
        raise StaleEdit
    item.set_text(name=name, caption=caption)
    item.updated_at = timezone.now()
    try:
        item.save()
    except PutError as exc:
        if condition_failed(exc):
            raise StaleEdit from exc
        raise
    return item


def media_delete(*, item: MediaItem) -> None:
    """Remove the record, then the object.

    The record goes first: an object left behind by a failed S3 call is an
    invisible orphan (logged, to sweep later), while a record without its
    object would show a broken item to its owner.
    """
    try:
        item.delete()
    except DeleteError as exc:
        if condition_failed(exc):
            raise StaleEdit from exc
        raise
    try:
        _delete_objects(item)
    except Exception:
        logger.exception("Media %s deleted but its object %s remains", item.id, item.s3_key)


@dataclass(frozen=True)
class DeleteOutcome:
    """What happened to one item of a bulk delete."""

    media_id: str
    name: str
    deleted: bool
    problem: str = ""


def media_delete_many(*, items: list[MediaItem]) -> list[DeleteOutcome]:
    """Delete each item (record, file, thumbnail) on its own, so one failure stops nothing else."""
    outcomes = []
    for item in items:
        try:
            media_delete(item=item)
        except StaleEdit:
            outcomes.append(DeleteOutcome(item.id, item.name, False, "it changed meanwhile; look at it again"))
        except Exception:
            logger.exception("Bulk delete of %s failed", item.id)
            outcomes.append(DeleteOutcome(item.id, item.name, False, "storage did not answer; try again"))
        else:
            outcomes.append(DeleteOutcome(item.id, item.name, True))
    return outcomes


def _delete_objects(item: MediaItem) -> None:
    storage.delete(item.s3_key)
    if item.thumbnail_key:
        storage.delete(item.thumbnail_key)


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
    item.expires_at = item.uploaded_at + timedelta(seconds=settings.MEDIAHUB_PENDING_UPLOAD_SECONDS)
    if size > settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES:
        item.upload_id = storage.multipart_create(key, content_type=content_type)
    try:
        item.save(condition=MediaItem.id.does_not_exist())
    except PynamoDBException:
        if item.upload_id:
            storage.multipart_abort(key, upload_id=item.upload_id)
        raise
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
    """Cancel a pending upload: its parts, any bytes that arrived, and its record."""
    if item.status != Status.PENDING:
        raise UploadNotPending("This upload has finished; delete the item instead.")
    if item.upload_id:
        storage.multipart_abort(item.s3_key, upload_id=item.upload_id)
    storage.delete(item.s3_key)
    item.delete()


def media_process(*, item: MediaItem) -> MediaItem:
    """The one processing step, for every path in (form, direct upload, S3 event).

    Trust nothing the client said: check the landed object's real size and the type
    sniffed from its first bytes against the declaration, read its metadata and
    checksum, make a thumbnail for an image, and mark the item ready; or rejected with
    a reason, its object removed. Repeating it changes nothing.
    """
    if item.status != Status.PENDING:
        return item
    size = storage.object_size(item.s3_key)
    if size is None:
        raise UploadIncomplete("The file has not arrived in storage yet.")
    if size != item.size:
        return _reject(item, f"The file is {size:,} bytes, not the {item.size:,} bytes declared.")
    sniffed = sniff_content_type(storage.read_head(item.s3_key, SNIFF_BYTES), declared=item.content_type)
    if sniffed is None or kind_for(sniffed) not in ALLOWED_KINDS:
        return _reject(item, "The file's content is not an image, video, audio file or document we recognise.")
    if kind_for(sniffed) != item.kind:
        return _reject(item, f"The file's content is {sniffed}, not the {item.kind} it was declared as.")
    try:
        _read_content(item, content_type=sniffed, size=size)
    except Unreadable as exc:
        return _reject(item, str(exc))
    except Exception:
        logger.exception("Processing media %s (%s) failed", item.id, item.s3_key)
        return _reject(item, "The file could not be processed. Please try uploading it again.")
    item.checksum_key = f"{item.owner}#{item.sha256}"
    return _conclude(item, Status.READY)


def _read_content(item: MediaItem, *, content_type: str, size: int) -> None:
    """Fill in what the file says about itself, reading only what each part needs."""
    kind = kind_for(content_type)
    with storage.open_range(item.s3_key, size) as reader:
        extracted = metadata.extract(reader, kind=kind, content_type=content_type)
    if kind == Kind.IMAGE:
        with storage.open_range(item.s3_key, size) as reader:
            thumbnail = make_thumbnail(reader)
        item.thumbnail_key = storage.thumbnail_key(item.id)
        storage.save_bytes(item.thumbnail_key, thumbnail, content_type="image/webp")
    digest = hashlib.sha256()
    for chunk in storage.iter_object(item.s3_key):
        digest.update(chunk)
    item.content_type, item.kind, item.size, item.sha256 = content_type, kind, size, digest.hexdigest()
    item.width, item.height, item.orientation = extracted.width, extracted.height, extracted.orientation
    item.taken_at, item.duration, item.page_count = extracted.taken_at, extracted.duration, extracted.page_count


def _reject(item: MediaItem, reason: str) -> MediaItem:
    logger.warning("Rejected media %s of %s: %s", item.id, item.owner, reason)
    if item.upload_id:
        storage.multipart_abort(item.s3_key, upload_id=item.upload_id)
    _delete_objects(item)
    item.reason = reason
    return _conclude(item, Status.REJECTED)


def _conclude(item: MediaItem, status: str) -> MediaItem:
    item.status = status
    item.expires_at = None
    item.upload_id = None
    item.updated_at = timezone.now()
    try:
        item.save()
    except PutError as exc:
        if not condition_failed(exc):
            raise
        # Someone else concluded it first (a repeated call, or the S3 event): theirs stands.
        return MediaItem.get(item.id, consistent_read=True)
    return item


def _require_multipart(item: MediaItem) -> None:
    if item.status != Status.PENDING:
        raise UploadNotPending("This upload has finished.")
    if not item.upload_id:
        raise UploadIncomplete("This upload is a single POST, not a multipart upload.")
