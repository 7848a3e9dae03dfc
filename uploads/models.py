"""Media records in DynamoDB (PynamoDB). The bytes live in S3 under `s3_key`."""

from __future__ import annotations

import zlib

from django.conf import settings
from django.db.models import TextChoices
from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from mediahub.aws import table_meta

# Items recorded before the feed was sharded carry this one value; the admin feed still
# reads it until `search_reindex` has moved them to their shards.
LEGACY_FEED = "all"


def feed_shard(media_id: str) -> int:
    """The shard of the admin feed (and of everybody's search postings) an item lives in:
    a stable hash of its id, over MEDIAHUB_FEED_SHARDS shards."""
    return zlib.crc32(media_id.encode()) % settings.MEDIAHUB_FEED_SHARDS


def feed_key(media_id: str) -> str:
    """The `by-time` index's partition for an item: `all#<shard>`."""
    return f"all#{feed_shard(media_id)}"


def feed_keys() -> list[str]:
    """Every partition of the admin feed, the legacy one last."""
    return [f"all#{shard}" for shard in range(settings.MEDIAHUB_FEED_SHARDS)] + [LEGACY_FEED]


class Status(TextChoices):
    """Where an item is in its life: its bytes being checked, checked and kept, or refused."""

    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    REJECTED = "rejected", "Rejected"


class Kind(TextChoices):
    """What sort of media an item is, from its sniffed content type."""

    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class ByOwnerIndex(GlobalSecondaryIndex["MediaItem"]):
    """A member's media, newest first."""

    class Meta:
        index_name = "by-owner"
        projection = AllProjection()

    owner = UnicodeAttribute(hash_key=True)
    uploaded_at = UTCDateTimeAttribute(range_key=True)


class ByTimeIndex(GlobalSecondaryIndex["MediaItem"]):
    """Everybody's media, newest first (admins), one partition per feed shard: no single
    partition key takes every upload's write."""

    class Meta:
        index_name = "by-time"
        projection = AllProjection()

    feed = UnicodeAttribute(hash_key=True)
    uploaded_at = UTCDateTimeAttribute(range_key=True)


class ByOwnerTakenIndex(GlobalSecondaryIndex["MediaItem"]):
    """A member's media by capture time; sparse: only items with one (photos with EXIF)."""

    class Meta:
        index_name = "by-owner-taken"
        projection = AllProjection()

    owner = UnicodeAttribute(hash_key=True)
    taken_at = UTCDateTimeAttribute(range_key=True)


class ByTakenIndex(GlobalSecondaryIndex["MediaItem"]):
    """Everybody's media by capture time (admins); sparse as by-owner-taken."""

    class Meta:
        index_name = "by-time-taken"
        projection = AllProjection()

    feed = UnicodeAttribute(hash_key=True)
    taken_at = UTCDateTimeAttribute(range_key=True)


class ByChecksumIndex(GlobalSecondaryIndex["MediaItem"]):
    """One owner's items with the same content (duplicate notices)."""

    class Meta:
        index_name = "by-checksum"
        projection = AllProjection()

    checksum_key = UnicodeAttribute(hash_key=True)


class MediaItem(Model):
    Meta = table_meta("media")

    id = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()
    feed = UnicodeAttribute()
    name = UnicodeAttribute()
    caption = UnicodeAttribute(default="")
    original_filename = UnicodeAttribute()
    s3_key = UnicodeAttribute()
    # The S3 multipart upload a pending direct upload is filling, if any, and the
    # fingerprint of the file it was started with (so it can be resumed from any device).
    upload_id = UnicodeAttribute(null=True)
    fingerprint = UnicodeAttribute(null=True)
    file_url = UnicodeAttribute()
    content_type = UnicodeAttribute()
    kind = UnicodeAttribute()
    size = NumberAttribute()
    # What processing reads from the file itself. The SHA-256 comes from the full-content
    # pass, after the item is ready (None meanwhile: "checksum pending"); that pass reads
    # the bytes with this ETag, the ones verified, and holds a claim while it runs.
    sha256 = UnicodeAttribute(null=True)
    etag = UnicodeAttribute(null=True)
    checksum_claimed_at = UTCDateTimeAttribute(null=True)
    # S3's own full-object checksum, "<algorithm>:<base64>", when S3 reports one.
    s3_checksum = UnicodeAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    orientation = NumberAttribute(null=True)
    taken_at = UTCDateTimeAttribute(null=True)
    duration = NumberAttribute(null=True)
    page_count = NumberAttribute(null=True)
    thumbnail_key = UnicodeAttribute(null=True)
    # A WebP rendition of a photo browsers cannot show inline (HEIC), beside the original.
    preview_key = UnicodeAttribute(null=True)
    # "<owner>#<sha256>" once the checksum lands, so one query finds an owner's copies of a file.
    checksum_key = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=Status.PENDING)
    reason = UnicodeAttribute(null=True)
    uploaded_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)
    # Normalised tags (albums.tags); the tag index in <prefix>-tags follows them.
    tags = UnicodeSetAttribute(null=True)
    version = VersionAttribute()

    by_owner = ByOwnerIndex()
    by_time = ByTimeIndex()
    by_checksum = ByChecksumIndex()
    by_owner_taken = ByOwnerTakenIndex()
    by_taken = ByTakenIndex()

    @property
    def checksum_pending(self) -> bool:
        """Ready, but the full-content pass (SHA-256, duplicate notice) has not landed yet."""
        return self.status == Status.READY and self.sha256 is None

    @property
    def tag_list(self) -> list[str]:
        """The item's tags, sorted (DynamoDB keeps them as an unordered set)."""
        return sorted(self.tags or ())

    @property
    def searchable_texts(self) -> tuple[str, ...]:
        """What search finds an item by: name, file name, caption and tags."""
        return (self.name, self.original_filename, self.caption, *self.tag_list)


TABLES = (MediaItem,)
