"""Reads of share links: opening one by its token, and listing them for the item page and
the admins' Shares page, through indexes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.utils import timezone

from accounts.models import User
from mediahub import tokens
from sharing.exceptions import ShareNotFound, ShareUnavailable
from sharing.models import ALL_SHARES, Share
from uploads.exceptions import InvalidCursor
from uploads.models import MediaItem, Status

CURSOR_SALT = "sharing.cursor"


@dataclass(frozen=True)
class OpenShare:
    """A link that works right now, with the item it shows."""

    share: Share
    item: MediaItem


def share_open(token: str) -> OpenShare:
    """The share behind `token` and its item, if the link works now. Unknown, malformed,
    expired and withdrawn tokens, links to items gone or not ready, and links of an owner
    who was deactivated all raise the same ShareUnavailable, so nobody can tell them apart."""
    if not tokens.token_well_formed(token):
        raise ShareUnavailable
    try:
        # Consistent: a link withdrawn a moment ago must not open.
        share = Share.get(tokens.token_hash(token), consistent_read=True)
        item = MediaItem.get(share.media_id, consistent_read=True)
        owner = User.get(item.owner)
    except (Share.DoesNotExist, MediaItem.DoesNotExist, User.DoesNotExist) as exc:
        raise ShareUnavailable from exc
    if share.expires_at <= timezone.now() or item.status != Status.READY or not owner.is_active:
        raise ShareUnavailable
    return OpenShare(share=share, item=item)


def shares_for_media(*, media_id: str) -> list[Share]:
    """The item's links that still work, newest first."""
    now = timezone.now()
    return list(Share.by_media.query(media_id, filter_condition=Share.expires_at > now, scan_index_forward=False))


def share_get_for_user(*, token_hash: str, user: User) -> Share:
    """A link `user` may withdraw, by the hash the item page names it with: one to an item
    of theirs, or any link for an admin."""
    share = tokens.record_for_hash(Share, token_hash)
    if share is None or (share.owner != user.username and not user.is_admin):
        raise ShareNotFound
    return share


@dataclass(frozen=True)
class SharePage:
    shares: list[Share]
    items: dict[str, MediaItem]
    next_cursor: str | None


def shares_active(*, cursor: str | None, page_size: int) -> SharePage:
    """One page of everybody's links that still work, newest first, with their items."""
    start_key = _decode_cursor(cursor) if cursor else None
    pages = Share.by_time.query(
        ALL_SHARES,
        filter_condition=Share.expires_at > timezone.now(),
        scan_index_forward=False,
        page_size=page_size + 1,
        last_evaluated_key=start_key,
    ).page_iter
    shares: list[Share] = []
    resume_key = None
    for raw_page in pages:
        shares.extend(Share.from_raw_data(raw) for raw in raw_page["Items"])
        resume_key = raw_page.get("LastEvaluatedKey")
        if len(shares) > page_size:
            shares = shares[:page_size]
            serialized = shares[-1].serialize()
            resume_key = {name: serialized[name] for name in ("token_hash", "feed", "created_at")}
            break
    items = {item.id: item for item in MediaItem.batch_get({share.media_id for share in shares})}
    next_cursor = signing.dumps(resume_key, salt=CURSOR_SALT, compress=True) if resume_key else None
    return SharePage(shares=shares, items=items, next_cursor=next_cursor)


def _decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        key = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature as exc:
        raise InvalidCursor from exc
    if not isinstance(key, dict):
        raise InvalidCursor
    return key
