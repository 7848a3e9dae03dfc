"""Writes to media: every path leaves S3 and DynamoDB agreeing."""

from __future__ import annotations

import logging
import mimetypes

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException
from ulid import ULID

from mediahub.aws import condition_failed
from uploads import storage
from uploads.exceptions import StaleEdit, UploadFailed
from uploads.models import Kind, MediaItem, Status

logger = logging.getLogger(__name__)

DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/rtf",
        "text/plain",
        "text/csv",
        "text/markdown",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)


def content_type_for(filename: str, declared: str | None) -> str:
    """The type we store: from the filename's extension, else the client's claim."""
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or declared or "application/octet-stream"


def kind_for(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    if major in (Kind.IMAGE, Kind.VIDEO, Kind.AUDIO):
        return major
    if content_type in DOCUMENT_TYPES:
        return Kind.DOCUMENT
    return Kind.OTHER


def media_create_from_upload(*, owner: str, name: str, caption: str, upload: UploadedFile) -> MediaItem:
    """Store an uploaded file in S3 and its record in DynamoDB, or neither."""
    media_id = str(ULID())
    content_type = content_type_for(upload.name, upload.content_type)
    try:
        key = storage.save(
            storage.media_key(media_id=media_id, filename=upload.name),
            upload,
            content_type=content_type,
        )
    except Exception as exc:
        logger.exception("Storing media %s in S3 failed", media_id)
        raise UploadFailed("The file could not be stored. Nothing was saved; please try again.") from exc
    now = timezone.now()
    item = MediaItem(
        id=media_id,
        owner=owner,
        name=name,
        caption=caption,
        original_filename=upload.name,
        s3_key=key,
        file_url=storage.object_url(key),
        content_type=content_type,
        kind=kind_for(content_type),
        size=upload.size,
        status=Status.READY,
        uploaded_at=now,
        updated_at=now,
    )
    try:
        item.save(condition=MediaItem.id.does_not_exist())
    except PynamoDBException as exc:
        logger.exception("Recording media %s failed; removing its object %s", media_id, key)
        storage.delete(key)
        raise UploadFailed("The upload could not be recorded. Nothing was saved; please try again.") from exc
    return item


def media_update(*, item: MediaItem, name: str, caption: str, version: int) -> MediaItem:
    """Change name and caption, refusing if the item changed since `version` was read."""
    if item.version != version:
        raise StaleEdit
    item.name = name
    item.caption = caption
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
        storage.delete(item.s3_key)
    except Exception:
        logger.exception("Media %s deleted but its object %s remains", item.id, item.s3_key)
