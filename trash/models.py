"""Trashed media in DynamoDB (PynamoDB): a media record moved out of the media table whole,
so every reader of media stops seeing it, until it is restored or purged.

Keys: hash `owner`, range `media_id`, so a lookup by the caller's own name is also the
ownership check. `by-trashed` (a local index: owner + trashed_at, read consistently) lists
one owner's trash, newest first; `by-purge` (a global index: `purge#<shard>` + purge_at,
sharded like the admin feed) finds what is due without a scan.
"""

from __future__ import annotations

import zlib

from django.conf import settings
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection, LocalSecondaryIndex
from pynamodb.models import Model

from mediahub.aws import table_meta


def purge_shard(media_id: str) -> str:
    """The `by-purge` partition of an item: `purge#<n>`, a stable hash of its id."""
    return f"purge#{zlib.crc32(media_id.encode()) % settings.MEDIAHUB_FEED_SHARDS}"


def purge_shards() -> list[str]:
    return [f"purge#{shard}" for shard in range(settings.MEDIAHUB_FEED_SHARDS)]


class ByTrashedIndex(LocalSecondaryIndex["TrashedItem"]):
    """One owner's trash, newest first (the Trash page); local, so it reads consistently:
    an item trashed a moment ago is on the page it redirects to."""

    class Meta:
        index_name = "by-trashed"
        projection = AllProjection()

    owner = UnicodeAttribute(hash_key=True)
    trashed_at = UTCDateTimeAttribute(range_key=True)


class ByPurgeIndex(GlobalSecondaryIndex["TrashedItem"]):
    """Everybody's trash by when it falls due (the purge job): keys only, the job reads
    each record again before it acts."""

    class Meta:
        index_name = "by-purge"
        projection = KeysOnlyProjection()

    purge_shard = UnicodeAttribute(hash_key=True)
    purge_at = UTCDateTimeAttribute(range_key=True)


class TrashedItem(Model):
    """A media item in the trash: its whole record as it was, and who trashed it when."""

    Meta = table_meta("trash")

    owner = UnicodeAttribute(hash_key=True)
    media_id = UnicodeAttribute(range_key=True)
    # The media record exactly as DynamoDB held it (its attribute values, as JSON), so a
    # restore puts back the same item: id, name, caption, dates, version, everything.
    record = UnicodeAttribute()
    # What the Trash page shows and the purge removes, copied out of the record.
    name = UnicodeAttribute()
    original_filename = UnicodeAttribute()
    size = NumberAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    s3_key = UnicodeAttribute()
    thumbnail_key = UnicodeAttribute(null=True)
    trashed_by = UnicodeAttribute()
    trashed_at = UTCDateTimeAttribute()
    purge_at = UTCDateTimeAttribute()
    purge_shard = UnicodeAttribute()
    # Set when a purge starts: from then on no restore may take the item back, as its
    # bytes may already be going. A purge that stopped halfway is finished by the next.
    purging_at = UTCDateTimeAttribute(null=True)
    # Set by the purge run that took the item's tags out of its owner's suggestions (an
    # ADD, not idempotent): a run finishing a purge that stopped later does not again.
    uncounted_at = UTCDateTimeAttribute(null=True)

    by_trashed = ByTrashedIndex()
    by_purge = ByPurgeIndex()


TABLES = (TrashedItem,)
