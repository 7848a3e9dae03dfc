"""The search index: an inverted index of folded terms in its own DynamoDB table.

One posting says "this item has a word starting with this term". Its hash key names a
scope and a term: `u#<owner>#<term>` for the owner's own searches, and
`all#<shard>#<term>` for admins', spread over the same shards as the admin feed
(uploads.models.feed_shard) so that no common term takes every upload's write. Its
range key `<uploaded_at>#<media id>` sorts a term's postings by upload time, so one
Query reads the newest (or oldest) matches first. Each posting carries what a listing
filters on (kind, status; the date is in the range key) and the item's words, so the
other words of a search and every filter are checked in DynamoDB before any media
record is read. Postings are a hint: search reads the media record of every hit and
checks it again (search.selectors).
"""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from mediahub.aws import table_meta


class Posting(Model):
    Meta = table_meta("search")

    key = UnicodeAttribute(hash_key=True)
    sort = UnicodeAttribute(range_key=True)
    media_id = UnicodeAttribute()
    owner = UnicodeAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    # The item's words, each after a space (" harbour at dawn"), so that
    # contains(words, " harb") holds exactly when a word begins with "harb".
    words = UnicodeAttribute()
    # A pending item's expiry: DynamoDB's TTL removes its postings with its record.
    expires_at = TTLAttribute(null=True)


def owner_key(owner: str, term: str) -> str:
    """The partition of one owner's postings for `term` (usernames hold no "#")."""
    return f"u#{owner}#{term}"


def everyone_key(shard: int, term: str) -> str:
    """The partition of one shard of everybody's postings for `term` (admins search these)."""
    return f"all#{shard}#{term}"


TABLES = (Posting,)
