"""Writes to the search index: an item's postings, kept in step with its media record.

The media record is written first and is the truth; postings follow. If writing them
fails, the record stands and the failure is logged: search may miss the change until
`search_reindex` runs, and never shows a wrong item, since search checks every hit
against its record (search.selectors).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException, UpdateError

from mediahub.aws import condition_failed
from search.exceptions import InvalidReindexCursor
from search.models import Posting, everyone_key, owner_key
from search.tokens import terms, words
from uploads.models import MediaItem, feed_key, feed_shard

logger = logging.getLogger(__name__)

# An item's postings by their key (partition, sort), as they are or should be.
Entries = Mapping[tuple[str, str], Posting]
NO_ENTRIES: Entries = {}


def index_entries(item: MediaItem) -> Entries:
    """The postings `item` should have: one per term, for its owner and for admins."""
    item_words = words(*item.searchable_texts)
    sort = f"{MediaItem.uploaded_at.serialize(item.uploaded_at)}#{item.id}"
    text = "".join(f" {word}" for word in item_words)
    shard = feed_shard(item.id)
    postings = (
        Posting(
            key,
            sort,
            media_id=item.id,
            owner=item.owner,
            kind=item.kind,
            status=item.status,
            words=text,
            expires_at=item.expires_at,
        )
        for term in sorted(terms(item_words))
        for key in (owner_key(item.owner, term), everyone_key(shard, term))
    )
    return {(posting.key, posting.sort): posting for posting in postings}


def index_write(*, before: Entries, after: Entries) -> int:
    """Bring the index from `before` to `after`: write postings that are new or changed,
    delete those that are gone. Returns how many postings it wrote or deleted."""
    changed = [posting for key, posting in after.items() if key not in before or _differs(before[key], posting)]
    gone = [posting for key, posting in before.items() if key not in after]
    with Posting.batch_write() as batch:
        for posting in changed:
            batch.save(posting)
        for posting in gone:
            batch.delete(posting)
    return len(changed) + len(gone)


def index_update(*, media_id: str, before: Entries, after: Entries) -> None:
    """index_write for the services that write media: a failure is logged, not raised,
    since the media write it follows has happened and is what counts."""
    try:
        index_write(before=before, after=after)
    except (PynamoDBException, BotoCoreError, ClientError):
        logger.warning("Search index not updated for media %s; search_reindex repairs it", media_id, exc_info=True)


def index_update_many(changes: Mapping[str, tuple[Entries, Entries]]) -> None:
    """index_update for many items at once, in one batch write: `changes` holds each
    item's postings (before, after) by its id (no two items share a posting)."""
    if not changes:
        return
    before = {key: posting for old, _ in changes.values() for key, posting in old.items()}
    after = {key: posting for _, new in changes.values() for key, posting in new.items()}
    try:
        index_write(before=before, after=after)
    except (PynamoDBException, BotoCoreError, ClientError):
        ids = ", ".join(changes)
        logger.warning("Search index not updated for media %s; search_reindex repairs it", ids, exc_info=True)


def _differs(old: Posting, new: Posting) -> bool:
    return bool(old.serialize() != new.serialize())


@dataclass(frozen=True)
class ReindexStep:
    """One batch of search_reindex: what it did, and the cursor to resume after it (None: finished)."""

    phase: str
    read: int
    written: int
    moved: int
    skipped: int
    cursor: str | None


PHASES = ("media", "postings")


def search_reindex_step(*, cursor: str | None, batch: int) -> ReindexStep:
    """Rebuild one batch of the index. Phase "media" scans the media table: it writes each
    item's postings and moves an item still on the unsharded admin feed to its shard.
    Phase "postings" scans the index and deletes postings no record stands behind. Every
    step can run again: the cursor it returns resumes after it, and redoing one changes
    nothing."""
    phase, start = _read_reindex_cursor(cursor)
    if phase == "media":
        page = next(iter(MediaItem.scan(page_size=batch, last_evaluated_key=start).page_iter))
        read, written, moved, skipped = _reindex_media([MediaItem.from_raw_data(raw) for raw in page["Items"]])
    else:
        page = next(iter(Posting.scan(page_size=batch, last_evaluated_key=start).page_iter))
        read, written, moved, skipped = _prune_postings([Posting.from_raw_data(raw) for raw in page["Items"]])
    last = page.get("LastEvaluatedKey")
    if last is None and phase == "media":
        next_cursor: str | None = _reindex_cursor("postings", None)
    else:
        next_cursor = _reindex_cursor(phase, last) if last is not None else None
    return ReindexStep(phase=phase, read=read, written=written, moved=moved, skipped=skipped, cursor=next_cursor)


def _reindex_media(items: list[MediaItem]) -> tuple[int, int, int, int]:
    written = moved = skipped = 0
    for item in items:
        if item.feed != feed_key(item.id):
            try:
                item.update(actions=[MediaItem.feed.set(feed_key(item.id))])
            except UpdateError as exc:
                if not condition_failed(exc):
                    raise
                skipped += 1  # changed meanwhile (or gone): whoever changed it indexed it
                continue
            moved += 1
        written += index_write(before=NO_ENTRIES, after=index_entries(item))
    return len(items), written, moved, skipped


def _prune_postings(postings: list[Posting]) -> tuple[int, int, int, int]:
    records = {item.id: item for item in MediaItem.batch_get({posting.media_id for posting in postings})}
    expected: dict[str, Entries] = {media_id: index_entries(item) for media_id, item in records.items()}
    stale = [p for p in postings if (p.key, p.sort) not in expected.get(p.media_id, NO_ENTRIES)]
    deleted = index_write(before={(p.key, p.sort): p for p in stale}, after=NO_ENTRIES)
    return len(postings), deleted, 0, 0


def _reindex_cursor(phase: str, key: dict[str, Any] | None) -> str:
    return base64.urlsafe_b64encode(json.dumps({"phase": phase, "key": key}).encode()).decode()


def _read_reindex_cursor(cursor: str | None) -> tuple[str, dict[str, Any] | None]:
    if not cursor:
        return "media", None
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        phase, key = state["phase"], state["key"]
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidReindexCursor from exc
    if phase not in PHASES or not (key is None or isinstance(key, dict)):
        raise InvalidReindexCursor
    return phase, key
