"""Reads of the activity log: one item's history, and the admins' feed across users."""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass

from django.core import signing
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition

from activity.exceptions import InvalidActivityCursor
from activity.models import ActivityEntry, feed_keys

logger = logging.getLogger(__name__)

CURSOR_SALT = "activity.cursor"
# How many entries the item page shows.
ITEM_PAGE = 20


@dataclass(frozen=True)
class ActivityPage:
    entries: list[ActivityEntry]
    next_cursor: str | None


def activity_for_media(*, media_id: str, size: int = ITEM_PAGE) -> list[ActivityEntry] | None:
    """The item's latest entries, newest first: one Query of its partition. None if the log
    cannot be read just now: the item's page works without it."""
    try:
        return list(ActivityEntry.query(media_id, scan_index_forward=False, limit=size))
    except PynamoDBException:
        logger.warning("Could not read the activity of %s", media_id, exc_info=True)
        return None


def activity_page(*, actor: str = "", action: str = "", cursor: str | None = None, size: int = 25) -> ActivityPage:
    """A page of everybody's activity (admins), newest first, optionally one person's
    (`by-actor`) and one action (a filter on the query). Without a person it merges the
    `by-time` shards, reading at most size + 1 entries from each."""
    salt = f"{CURSOR_SALT}:{actor}:{action}"
    before = _read_cursor(cursor, salt=salt) if cursor else None
    filter_condition = ActivityEntry.action == action if action else None
    range_condition = ActivityEntry.entry < before if before else None
    if actor:
        lanes = [_lane(ActivityEntry.by_actor.query, actor, range_condition, filter_condition, size)]
    else:
        lanes = [
            _lane(ActivityEntry.by_time.query, feed, range_condition, filter_condition, size) for feed in feed_keys()
        ]
    newest = heapq.nlargest(size + 1, (entry for lane in lanes for entry in lane), key=lambda entry: entry.entry)
    entries = newest[:size]
    more = len(newest) > size
    return ActivityPage(entries=entries, next_cursor=signing.dumps(entries[-1].entry, salt=salt) if more else None)


def _lane(query, key: str, range_condition: Condition | None, filter_condition: Condition | None, size: int):  # type: ignore[no-untyped-def]
    return list(
        query(key, range_condition, filter_condition=filter_condition, scan_index_forward=False, limit=size + 1)
    )


def _read_cursor(cursor: str, *, salt: str) -> str:
    try:
        before = signing.loads(cursor, salt=salt)
    except signing.BadSignature as exc:
        raise InvalidActivityCursor from exc
    if not isinstance(before, str):
        raise InvalidActivityCursor
    return before
