"""Reads of media: listing through the DynamoDB indexes, ownership-checked lookups, and a
member's unfinished uploads."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core import signing
from django.utils import timezone
from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition

from accounts.models import User
from uploads import storage
from uploads.exceptions import InvalidCursor, MediaNotFound
from uploads.models import ALL_MEDIA, ByOwnerIndex, ByOwnerTakenIndex, ByTakenIndex, ByTimeIndex, MediaItem, Status

logger = logging.getLogger(__name__)

# Media ids are ULIDs: 26 Crockford base32 characters, the first 0-7 (48 bits of time).
MEDIA_ID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


@dataclass(frozen=True)
class MediaPage:
    items: list[MediaItem]
    next_cursor: str | None
    # How many items DynamoDB read for this page, and whether it stopped at the read
    # limit before filling the page (more matches may follow the cursor).
    read: int = 0
    searched_partly: bool = False


def media_get_for_user(*, media_id: str, user: User) -> MediaItem:
    """The item if `user` may see it: its owner, or any admin."""
    _require_media_id(media_id)
    try:
        item = MediaItem.get(media_id)
    except MediaItem.DoesNotExist as exc:
        raise MediaNotFound from exc
    if item.owner != user.username and not user.is_admin:
        raise MediaNotFound
    return item


def media_get_owned(*, media_id: str, user: User) -> MediaItem:
    """The item if `user` uploaded it: uploads in flight are their uploader's alone."""
    _require_media_id(media_id)
    try:
        item = MediaItem.get(media_id, consistent_read=True)
    except MediaItem.DoesNotExist as exc:
        raise MediaNotFound from exc
    if item.owner != user.username:
        raise MediaNotFound
    return item


def _require_media_id(media_id: str) -> None:
    # Anything but a ULID names nothing, so DynamoDB is not asked (nor handed a key over
    # its 2,048-byte limit, which it would answer with an error, not "not found").
    if not MEDIA_ID.fullmatch(media_id):
        raise MediaNotFound


def media_pending_for_owner(*, owner: str) -> list[MediaItem]:
    """The owner's uploads still pending and not expired, newest first. A pending record
    lives MEDIAHUB_PENDING_UPLOAD_SECONDS, so only that window of the owner index is read,
    however many items the owner has."""
    now = timezone.now()
    since = now - timedelta(seconds=settings.MEDIAHUB_PENDING_UPLOAD_SECONDS)
    found = MediaItem.by_owner.query(
        owner,
        MediaItem.uploaded_at >= since,
        filter_condition=MediaItem.status == Status.PENDING,
        scan_index_forward=False,
    )
    return [item for item in found if item.expires_at is None or item.expires_at > now]


@dataclass(frozen=True)
class UnfinishedUpload:
    """A pending upload as the upload page lists it: how much of it S3 holds (None when
    it cannot say: a single POST, or S3 did not answer)."""

    item: MediaItem
    arrived: int | None

    @property
    def resumable(self) -> bool:
        return bool(self.item.upload_id and self.item.fingerprint)


def media_unfinished_uploads(*, owner: str) -> list[UnfinishedUpload] | None:
    """The owner's pending uploads, each with the bytes its multipart upload holds (ListParts);
    None if storage could not say (the upload page works without the list)."""
    try:
        pending = media_pending_for_owner(owner=owner)
    except PynamoDBException:
        logger.warning("Could not list the unfinished uploads of %s", owner, exc_info=True)
        return None
    return [UnfinishedUpload(item=item, arrived=_arrived(item)) for item in pending]


def _arrived(item: MediaItem) -> int | None:
    if not item.upload_id:
        return None
    try:
        parts = storage.multipart_parts(item.s3_key, upload_id=item.upload_id)
    except (BotoCoreError, ClientError):
        logger.warning("Could not list the parts of upload %s", item.id, exc_info=True)
        return None
    return sum(part.size or 0 for part in parts)


def media_duplicates(item: MediaItem) -> list[MediaItem]:
    """The owner's earlier items with the same content, oldest first (ids sort by time)."""
    if not item.checksum_key:
        return []
    same = MediaItem.by_checksum.query(item.checksum_key)
    return sorted((other for other in same if other.id < item.id), key=lambda other: other.id)


@dataclass(frozen=True)
class MediaQuery:
    """What a listing asks for; every field is optional."""

    kind: str = ""
    status: str = ""
    owner: str = ""
    search: str = ""
    uploaded_from: datetime | None = None
    uploaded_to: datetime | None = None
    taken_from: datetime | None = None
    taken_to: datetime | None = None
    # In capture-time order (only items with a capture time), else in upload order.
    by_taken: bool = False
    oldest_first: bool = False
    page_size: int = 25
    max_read: int = 1000


def media_list_for_user(*, user: User, query: MediaQuery, cursor: str | None) -> MediaPage:
    """One page of the media `user` may see, in upload order.

    Members query the owner index; admins the all-media index, or the owner index when
    they filter by owner; in capture-time order, the matching index by capture time,
    which holds only items that have one. The order's own date range is the index's key
    condition; the other date range, kind, status and search are filters on what it
    reads. Nothing scans the table.
    """
    index: ByTimeIndex | ByOwnerIndex | ByTakenIndex | ByOwnerTakenIndex
    if user.is_admin and not query.owner:
        index = MediaItem.by_taken if query.by_taken else MediaItem.by_time
        hash_key, hash_value = "feed", ALL_MEDIA
    else:
        index = MediaItem.by_owner_taken if query.by_taken else MediaItem.by_owner
        hash_key, hash_value = "owner", query.owner if user.is_admin else user.username
    salt = _cursor_salt(query, index=index.Meta.index_name, hash_value=hash_value)
    start_key = _decode_cursor(cursor, salt=salt) if cursor else None
    # The index's own time is its key condition; the other one, if asked for, a filter.
    uploaded = _between(MediaItem.uploaded_at, query.uploaded_from, query.uploaded_to)
    taken = _between(MediaItem.taken_at, query.taken_from, query.taken_to)
    key_condition, other_range = (taken, uploaded) if query.by_taken else (uploaded, taken)
    filters = _all_of([_filters(query), other_range])
    # Filters drop items after DynamoDB reads them, so filtered queries read in batches
    # of four pages, and stop after max_read items even if the page is not full.
    pages = index.query(
        hash_value,
        range_key_condition=key_condition,
        filter_condition=filters,
        scan_index_forward=query.oldest_first,
        page_size=4 * (query.page_size + 1) if filters is not None else query.page_size + 1,
        last_evaluated_key=start_key,
    ).page_iter
    items: list[MediaItem] = []
    read, resume_key = 0, None
    for raw_page in pages:
        read += raw_page["ScannedCount"]
        items.extend(MediaItem.from_raw_data(raw) for raw in raw_page["Items"])
        # One item more than a page tells whether another page exists.
        if len(items) > query.page_size:
            break
        resume_key = raw_page.get("LastEvaluatedKey")
        if read >= query.max_read and resume_key:
            break
    searched_partly = len(items) <= query.page_size and resume_key is not None
    if len(items) > query.page_size:
        items = items[: query.page_size]
        resume_key = _page_key(items[-1], ("id", hash_key, "taken_at" if query.by_taken else "uploaded_at"))
    next_cursor = signing.dumps(resume_key, salt=salt, compress=True) if resume_key else None
    return MediaPage(items=items, next_cursor=next_cursor, read=read, searched_partly=searched_partly)


def _cursor_salt(query: MediaQuery, *, index: str, hash_value: str) -> str:
    """A cursor works only in the listing it came from: the same index and owner, and the
    same query, every filter, date, order and page size of it. Only the read limit, a
    server setting that does not change what the cursor points at, is left out."""
    asked = {**asdict(query), "max_read": None, "index": index, "hash_value": hash_value}
    return "uploads.cursor:" + json.dumps(asked, sort_keys=True, default=str)


def _between(attribute: UTCDateTimeAttribute, start: datetime | None, end: datetime | None) -> Condition | None:
    if start and end:
        return attribute.between(start, end)
    if start:
        return attribute >= start
    if end:
        return attribute <= end
    return None


def _filters(query: MediaQuery) -> Condition | None:
    conditions: list[Condition | None] = []
    if query.kind:
        conditions.append(MediaItem.kind == query.kind)
    if query.status:
        conditions.append(MediaItem.status == query.status)
    if query.search:
        conditions.append(MediaItem.search_text.contains(query.search.casefold()))
    return _all_of(conditions)


def _all_of(conditions: list[Condition | None]) -> Condition | None:
    combined = None
    for condition in conditions:
        if condition is not None:
            combined = condition if combined is None else combined & condition
    return combined


def _page_key(item: MediaItem, names: tuple[str, ...]) -> dict[str, Any]:
    serialized: dict[str, Any] = item.serialize()
    return {name: serialized[name] for name in names}


def _decode_cursor(cursor: str, *, salt: str) -> dict[str, Any]:
    try:
        key = signing.loads(cursor, salt=salt)
    except signing.BadSignature as exc:
        raise InvalidCursor from exc
    if not isinstance(key, dict):
        raise InvalidCursor
    return key
