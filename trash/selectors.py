"""Reads of the trash: one owner's trashed items, newest first, and one of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing

from accounts.models import User
from trash.exceptions import InvalidTrashCursor, TrashNotFound
from trash.models import TrashedItem
from uploads.selectors import MEDIA_ID

CURSOR_SALT = "trash.cursor"


@dataclass(frozen=True)
class TrashPage:
    items: list[TrashedItem]
    next_cursor: str | None


def trash_page(*, user: User, cursor: str | None = None, size: int = 25) -> TrashPage:
    """A page of `user`'s own trash, newest first, read consistently from the local index
    (an item trashed a moment ago is on it). Admins see their own trash here too: a
    member's trashed items are in that member's trash, whoever deleted them."""
    start = _read_cursor(cursor, owner=user.username) if cursor else None
    found = TrashedItem.by_trashed.query(
        user.username, scan_index_forward=False, consistent_read=True, limit=size, last_evaluated_key=start
    )
    items = list(found)
    last = found.last_evaluated_key if len(items) == size else None
    return TrashPage(items=items, next_cursor=_sign_cursor(last, owner=user.username) if last else None)


def trash_get_for_user(*, media_id: str, user: User) -> TrashedItem:
    """An item in `user`'s own trash (the key is the ownership check)."""
    if not MEDIA_ID.fullmatch(media_id):
        raise TrashNotFound
    try:
        return TrashedItem.get(user.username, media_id, consistent_read=True)
    except TrashedItem.DoesNotExist as exc:
        raise TrashNotFound from exc


def _sign_cursor(key: dict[str, Any], *, owner: str) -> str:
    return signing.dumps(key, salt=f"{CURSOR_SALT}:{owner}", compress=True)


def _read_cursor(cursor: str, *, owner: str) -> dict[str, Any]:
    try:
        key = signing.loads(cursor, salt=f"{CURSOR_SALT}:{owner}")
    except signing.BadSignature as exc:
        raise InvalidTrashCursor from exc
    if not isinstance(key, dict):
        raise InvalidTrashCursor
    return key
