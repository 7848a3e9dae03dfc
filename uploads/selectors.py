"""Reads of media: listing through the DynamoDB indexes, and ownership-checked lookups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing

from accounts.models import User
from uploads.exceptions import InvalidCursor, MediaNotFound
from uploads.models import ALL_MEDIA, MediaItem


@dataclass(frozen=True)
class MediaPage:
    items: list[MediaItem]
    next_cursor: str | None


def media_get_for_user(*, media_id: str, user: User) -> MediaItem:
    """The item if `user` may see it: its owner, or any admin."""
    try:
        item = MediaItem.get(media_id)
    except MediaItem.DoesNotExist as exc:
        raise MediaNotFound from exc
    if item.owner != user.username and not user.is_admin:
        raise MediaNotFound
    return item


def media_get_owned(*, media_id: str, user: User) -> MediaItem:
    """The item if `user` uploaded it: uploads in flight are their uploader's alone."""
    try:
        item = MediaItem.get(media_id, consistent_read=True)
    except MediaItem.DoesNotExist as exc:
        raise MediaNotFound from exc
    if item.owner != user.username:
        raise MediaNotFound
    return item


def media_duplicates(item: MediaItem) -> list[MediaItem]:
    """The owner's other items with the same content, oldest first."""
    if not item.checksum_key:
        return []
    same = MediaItem.by_checksum.query(item.checksum_key)
    return sorted((other for other in same if other.id != item.id), key=lambda other: other.id)


def media_list_for_user(*, user: User, cursor: str | None, page_size: int) -> MediaPage:
    """One page of the media `user` may see, newest first.

    Members query the owner index, admins the all-media index; neither scans.
    """
    if user.is_admin:
        index, hash_key, hash_value = MediaItem.by_time, "feed", ALL_MEDIA
    else:
        index, hash_key, hash_value = MediaItem.by_owner, "owner", user.username
    salt = f"uploads.cursor:{index.Meta.index_name}:{hash_value}"
    start_key = _decode_cursor(cursor, salt=salt) if cursor else None
    # One item more than a page tells whether another page exists.
    results = list(
        index.query(
            hash_value,
            scan_index_forward=False,
            limit=page_size + 1,
            last_evaluated_key=start_key,
        )
    )
    items, more = results[:page_size], len(results) > page_size
    next_cursor = None
    if more:
        last_key = _page_key(items[-1], ("id", hash_key, "uploaded_at"))
        next_cursor = signing.dumps(last_key, salt=salt, compress=True)
    return MediaPage(items=items, next_cursor=next_cursor)


def _page_key(item: MediaItem, names: tuple[str, ...]) -> dict[str, Any]:
    serialized = item.serialize()
    return {name: serialized[name] for name in names}


def _decode_cursor(cursor: str, *, salt: str) -> dict[str, Any]:
    try:
        return signing.loads(cursor, salt=salt)
    except signing.BadSignature as exc:
        raise InvalidCursor from exc
