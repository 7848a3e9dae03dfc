"""Share links in DynamoDB (PynamoDB): a hash of each link's token, never the token itself."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from mediahub.aws import table_meta

# How long a link may work: from an hour to 90 days.
SHORTEST = timedelta(hours=1)
LONGEST = timedelta(days=90)
# Every share carries this constant so one index lists all of them by time (admins). Shares
# are made by hand, far below the 1,000 writes a second one partition key takes.
ALL_SHARES = "all"


class ByMediaIndex(GlobalSecondaryIndex["Share"]):
    """One item's shares, newest first (the item page; ending them when the item goes)."""

    class Meta:
        index_name = "by-media"
        projection = AllProjection()

    media_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ByTimeIndex(GlobalSecondaryIndex["Share"]):
    """Everybody's shares, newest first (the admins' Shares page)."""

    class Meta:
        index_name = "by-time"
        projection = AllProjection()

    feed = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Share(Model):
    """A link that shows one media item to anyone holding its token, until it expires or
    is withdrawn. Keyed by the token's SHA-256, so a leaked table opens no media."""

    Meta = table_meta("shares")

    token_hash = UnicodeAttribute(hash_key=True)
    media_id = UnicodeAttribute()
    # The item's owner, and who made the link (the owner, or an admin).
    owner = UnicodeAttribute()
    created_by = UnicodeAttribute()
    feed = UnicodeAttribute(default=ALL_SHARES)
    created_at = UTCDateTimeAttribute()
    # DynamoDB's TTL deletes an expired share up to days late: every read checks it too.
    expires_at = TTLAttribute()
    # A Django password hash, when the link asks for a password.
    password = UnicodeAttribute(null=True)
    allow_download = BooleanAttribute(default=True)
    views = NumberAttribute(default=0)
    last_viewed_at = UTCDateTimeAttribute(null=True)

    by_media = ByMediaIndex()
    by_time = ByTimeIndex()

    @property
    def has_password(self) -> bool:
        return bool(self.password)


TABLES = (Share,)
