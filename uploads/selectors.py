"""Reads of media: listing through the DynamoDB indexes, and ownership-checked lookups."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils import timezone
from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition

from accounts.models import User
from mediahub.paging import (
    Collected,
    Key,
    Lane,
    Merge,
    Position,
    Raw,
    all_of,
    collect,
    first_page,
    read_cursor,
    salt_for,
    sign_cursor,
)
from uploads import storage
from uploads.exceptions import InvalidCursor, MediaNotFound
from uploads.models import ByOwnerIndex, ByOwnerTakenIndex, ByTakenIndex, ByTimeIndex, MediaItem, Status, feed_keys

logger = logging.getLogger(__name__)

# Media ids are ULIDs: 26 Crockford base32 characters, the first 0-7 (48 bits of time).
MEDIA_ID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


@dataclass(frozen=True)
class MediaPage:
    items: list[MediaItem]
    next_cursor: str | None
    # How many items DynamoDB read for this page, and whether a filtered listing stopped
    # at the read limit before filling the page (more matches may follow the cursor).
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


def media_with_checksum(*, owner: str, sha256: str) -> list[MediaItem]:
    """The owner's items whose content has this SHA-256 (hex), oldest first."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return []
    return sorted(MediaItem.by_checksum.query(f"{owner}#{sha256}"), key=lambda item: item.id)


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
    # One album's items (its id), or the items with one tag (normalised): read from the
    # album's memberships or the tag's postings (albums.selectors), in upload order.
    album: str = ""
    tag: str = ""


def media_list_for_user(*, user: User, query: MediaQuery, cursor: str | None) -> MediaPage:
    """One page of the media `user` may see, in upload or capture-time order, without
    search (a search reads the search index instead: search.selectors.media_search).

    Members query the owner index; admins the admin feed, merged from its shards, or the
    owner index when they filter by owner; in capture-time order, the matching index by
    capture time, which holds only items that have one. The order's own date range is
    the index's key condition; the other date range, kind and status are filters on
    what it reads, which stop after max_read items even if the page is not full. Nothing
    scans the table.
    """
    if user.is_admin and not query.owner:
        feed: ByTimeIndex | ByTakenIndex = MediaItem.by_taken if query.by_taken else MediaItem.by_time
        lanes = [_index_lane(feed, "feed", shard, query) for shard in feed_keys()]
    else:
        owner = query.owner if user.is_admin else user.username
        mine: ByOwnerIndex | ByOwnerTakenIndex = MediaItem.by_owner_taken if query.by_taken else MediaItem.by_owner
        lanes = [_index_lane(mine, "owner", owner, query)]
    filtered = _filters(query) is not None
    merge = Merge(
        lanes,
        listing_positions(cursor, query=query, lanes=lanes, kind="uploads.cursor"),
        newest_first=not query.oldest_first,
        chunk=lane_chunk(query.page_size, lanes=len(lanes), filtered=filtered),
        budget=query.max_read if filtered else 0,
    )
    page = collect(merge, page_size=query.page_size, resolve=_media_items)
    return listing_page(page, query=query, lanes=lanes, kind="uploads.cursor", read=merge.read)


def _media_items(raws: list[Raw]) -> list[MediaItem | None]:
    return [MediaItem.from_raw_data(raw) for raw in raws]


def lane_chunk(page_size: int, *, lanes: int, filtered: bool) -> int:
    """How many items one read of a lane asks for: a page and one more from a single lane;
    about a lane's share of that, and one more, from several; four times as many where a
    filter will drop some."""
    share = -(-(page_size + 1) // lanes) + (1 if lanes > 1 else 0)
    return share * 4 if filtered else share


def listing_positions(cursor: str | None, *, query: MediaQuery, lanes: list[Lane], kind: str) -> list[Position]:
    """Where each lane starts: from its beginning, or where a cursor of this very listing says."""
    if not cursor:
        return [None] * len(lanes)
    positions = read_cursor(cursor, salt=_cursor_salt(query, lanes=lanes, kind=kind), lanes=len(lanes))
    if positions is None:
        raise InvalidCursor
    return positions


def listing_page(
    page: Collected[MediaItem], *, query: MediaQuery, lanes: list[Lane], kind: str, read: int
) -> MediaPage:
    salt = _cursor_salt(query, lanes=lanes, kind=kind)
    cursor = sign_cursor(page.positions, salt=salt) if page.positions else None
    return MediaPage(items=page.items, next_cursor=cursor, read=read, searched_partly=page.stopped_early)


def _cursor_salt(query: MediaQuery, *, lanes: list[Lane], kind: str) -> str:
    """A cursor works only in the listing it came from: the same partitions (index, owner,
    feed shards, search term), and the same query, every filter, date, order and page size
    of it. Only the read limit, a server setting that does not change what the cursor
    points at, is left out."""
    return salt_for(kind, {**asdict(query), "max_read": None, "lanes": [lane.name for lane in lanes]})


def _index_lane(
    index: ByTimeIndex | ByOwnerIndex | ByTakenIndex | ByOwnerTakenIndex,
    hash_key: str,
    hash_value: str,
    query: MediaQuery,
) -> Lane:
    """One partition of a media index, read with the query's dates, filters and order."""
    time_key = "taken_at" if query.by_taken else "uploaded_at"
    uploaded = _between(MediaItem.uploaded_at, query.uploaded_from, query.uploaded_to)
    taken = _between(MediaItem.taken_at, query.taken_from, query.taken_to)
    key_condition = taken if query.by_taken else uploaded

    def read(start: Key | None, limit: int) -> tuple[list[Raw], Key | None, int]:
        return first_page(
            index.query(
                hash_value,
                range_key_condition=key_condition,
                filter_condition=_filters(query),
                scan_index_forward=query.oldest_first,
                page_size=limit,
                last_evaluated_key=start,
            )
        )

    return Lane(
        name=f"{index.Meta.index_name}:{hash_value}",
        read=read,
        key_of=lambda raw: {name: raw[name] for name in ("id", hash_key, time_key)},
        order_of=lambda raw: f"{raw[time_key]['S']}#{raw['id']['S']}",
    )


def _between(attribute: UTCDateTimeAttribute, start: datetime | None, end: datetime | None) -> Condition | None:
    if start and end:
        return attribute.between(start, end)
    if start:
        return attribute >= start
    if end:
        return attribute <= end
    return None


def _filters(query: MediaQuery) -> Condition | None:
    """What DynamoDB checks on what an index reads: kind, status, and the date range of
    the time the listing is not ordered by (the other is the key condition)."""
    conditions: list[Condition] = []
    if query.kind:
        conditions.append(MediaItem.kind == query.kind)
    if query.status:
        conditions.append(MediaItem.status == query.status)
    if query.by_taken:
        other = _between(MediaItem.uploaded_at, query.uploaded_from, query.uploaded_to)
    else:
        other = _between(MediaItem.taken_at, query.taken_from, query.taken_to)
    if other is not None:
        conditions.append(other)
    return all_of(conditions)
