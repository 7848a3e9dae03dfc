"""Writes to the activity log: one entry per action, never failing the action itself."""

from __future__ import annotations

import logging

from django.utils import timezone
from ulid import ULID

from activity.models import ActivityAction, ActivityEntry, feed_key

logger = logging.getLogger(__name__)

# Longest detail kept (a name, a reason); DynamoDB items stay far below 400 KB.
DETAIL_LIMIT = 500


def activity_record(*, actor: str, action: ActivityAction, media_id: str, owner: str, detail: str = "") -> None:
    """Append one entry. Never raises: the action it records has happened already, so a
    log that cannot be written is logged and the action stands."""
    try:
        now = timezone.now()
        entry = str(ULID.from_datetime(now))
        ActivityEntry(
            media_id=media_id,
            entry=entry,
            at=now,
            actor=actor,
            action=action,
            owner=owner,
            feed=feed_key(entry),
            detail=detail[:DETAIL_LIMIT],
        ).save(condition=ActivityEntry.entry.does_not_exist())
    except Exception:
        logger.exception("Could not log %s of %s by %s", action, media_id, actor)
