"""Albums, their memberships, and the tag index, in DynamoDB (PynamoDB).

An album is a record of its own; which items it holds is one membership record per item,
keyed (album, media id), so an album page reads its items in upload order (media ids are
ULIDs) straight from one partition, and `by-media` gives an item's albums. Tags live on
the media record (`MediaItem.tags`); this table only indexes them: postings per owner and
for admins, keyed by media id, and each owner's vocabulary for suggestions.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from mediahub.aws import table_meta

# Every album carries this constant so one index lists all of them by time (admins). The
# index is written when an album is made or deleted, by hand, far below the 1,000 writes a
# second one partition key takes (its keys only: adds and removes do not touch it).
ALL_ALBUMS = "all"


class ByOwnerIndex(GlobalSecondaryIndex["Album"]):
    """A member's albums, newest first. Keys only: adding an item changes the album's
    count, which would otherwise rewrite its entry here (and in by-time) every time."""

    class Meta:
        index_name = "by-owner"
        projection = KeysOnlyProjection()

    owner = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ByTimeIndex(GlobalSecondaryIndex["Album"]):
    """Everybody's albums, newest first (the admins' Albums page); keys only, as by-owner."""

    class Meta:
        index_name = "by-time"
        projection = KeysOnlyProjection()

    feed = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Album(Model):
    """A named set of one owner's media. Deleting it never deletes media."""

    Meta = table_meta("albums")

    id = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()
    feed = UnicodeAttribute(default=ALL_ALBUMS)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    # The item chosen as cover; None: the newest item of the album.
    cover_media_id = UnicodeAttribute(null=True)
    # Kept equal to the number of memberships: each add or remove changes both in one
    # DynamoDB transaction.
    item_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    by_owner = ByOwnerIndex()
    by_time = ByTimeIndex()


class ByMediaIndex(GlobalSecondaryIndex["Membership"]):
    """The albums one item is in (the item page; forgetting an item deleted for good)."""

    class Meta:
        index_name = "by-media"
        projection = AllProjection()

    media_id = UnicodeAttribute(hash_key=True)
    album_id = UnicodeAttribute(range_key=True)


class Membership(Model):
    """One item in one album. Kept while the item is in the trash, so a restore is exact."""

    Meta = table_meta("album-items")

    album_id = UnicodeAttribute(hash_key=True)
    # A ULID: the album's partition sorts in upload order.
    media_id = UnicodeAttribute(range_key=True)
    owner = UnicodeAttribute()
    added_at = UTCDateTimeAttribute()

    by_media = ByMediaIndex()


class TagEntry(Model):
    """The tag index. A posting, `t#<owner>#<tag>` or `all#<tag>` (admins) with the media id
    as sort key, says an item may carry the tag (the record is the truth, and checked); a
    vocabulary entry, `v#<owner>` with the tag as sort key, counts the owner's items that
    carry it, for suggestions."""

    Meta = table_meta("tags")

    key = UnicodeAttribute(hash_key=True)
    sort = UnicodeAttribute(range_key=True)
    media_id = UnicodeAttribute(null=True)
    # A posting: the item's version that names the tag (a removal deletes only postings
    # of its own version or older, so it never takes away one a later edit wrote).
    version = NumberAttribute(null=True)
    uses = NumberAttribute(null=True)


def posting_key(owner: str, tag: str) -> str:
    return f"t#{owner}#{tag}"


def everyone_posting_key(tag: str) -> str:
    return f"all#{tag}"


def vocabulary_key(owner: str) -> str:
    return f"v#{owner}"


TABLES = (Album, Membership, TagEntry)
