"""The activity log in DynamoDB (PynamoDB): who did what to which item, and when.

Append-only: entries are written once and never changed or expired, and they outlive
their item (a purge removes the item, not its history). Keys: hash `media_id`, range
`entry`, a ULID (time-ordered and unique), so one Query reads an item's history newest
first (the item page). `by-time` (`act#<shard>` + entry, sharded by a hash of the entry
like the media feed, so no partition takes every write) is the admins' feed across
users; `by-actor` (actor + entry) is that feed for one person. The action is a filter on
either, as few actions are rare enough to deserve a partition of their own.
"""

from __future__ import annotations

import zlib

from django.conf import settings
from django.db.models import TextChoices
from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from mediahub.aws import table_meta

# The actor of what the system does by itself: a refused file, the scheduled purge.
SYSTEM = "(system)"


class ActivityAction(TextChoices):
    """What someone did to an item."""

    UPLOAD = "upload", "Uploaded"
    REJECT = "reject", "Refused by the check"
    EDIT = "edit", "Edited"
    TAG = "tag", "Tagged"
    ALBUM = "album", "Album changed"
    SHARE = "share", "Shared"
    UNSHARE = "unshare", "Share withdrawn"
    TRASH = "trash", "Moved to the trash"
    RESTORE = "restore", "Restored"
    PURGE = "purge", "Deleted forever"


def feed_key(entry: str) -> str:
    """The `by-time` partition of an entry: `act#<n>`."""
    return f"act#{zlib.crc32(entry.encode()) % settings.MEDIAHUB_FEED_SHARDS}"


def feed_keys() -> list[str]:
    return [f"act#{shard}" for shard in range(settings.MEDIAHUB_FEED_SHARDS)]


class ByTimeIndex(GlobalSecondaryIndex["ActivityEntry"]):
    """Everybody's activity, newest first, one partition per shard (admins)."""

    class Meta:
        index_name = "by-time"
        projection = AllProjection()

    feed = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)


class ByActorIndex(GlobalSecondaryIndex["ActivityEntry"]):
    """One person's activity, newest first (admins filtering by user)."""

    class Meta:
        index_name = "by-actor"
        projection = AllProjection()

    actor = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)


class ActivityEntry(Model):
    """One thing someone did to one item."""

    Meta = table_meta("activity")

    media_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    # The item's owner when it happened (admins act on members' items).
    owner = UnicodeAttribute()
    feed = UnicodeAttribute()
    detail = UnicodeAttribute(default="")

    by_time = ByTimeIndex()
    by_actor = ByActorIndex()

    @property
    def action_label(self) -> str:
        return str(ActivityAction(self.action).label) if self.action in ActivityAction.values else self.action


TABLES = (ActivityEntry,)
