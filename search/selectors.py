"""Search: the newest (or oldest) media whose words begin with every word asked, from the index.

The index is a hint and the media record the truth: every hit's record is read and
checked again (visible to the asker, filters, words) before it is shown, so a posting
left behind by a failed or racing write never shows anything it should not.
"""

from __future__ import annotations

from django.conf import settings
from pynamodb.expressions.condition import Condition

from accounts.models import User
from albums.selectors import media_list_grouped
from mediahub.paging import Key, Lane, Merge, Raw, all_of, collect, first_page
from search.exceptions import InvalidSearch
from search.models import Posting, everyone_key, owner_key
from search.tokens import MAX_PREFIX, matches, query_words, words
from uploads.models import MediaItem, feed_shard
from uploads.selectors import MediaPage, MediaQuery, lane_chunk, listing_page, listing_positions, media_list_for_user

CURSOR_KIND = "search.cursor"


def media_find(*, user: User, query: MediaQuery, cursor: str | None) -> MediaPage:
    """The page a listing query asks for: through the search index when it searches, else
    straight from the media table's indexes."""
    if query.album or query.tag:
        return media_list_grouped(user=user, query=query, cursor=cursor)
    select = media_search if query.search else media_list_for_user
    return select(user=user, query=query, cursor=cursor)


def media_search(*, user: User, query: MediaQuery, cursor: str | None) -> MediaPage:
    """One page of the media `user` may see matching `query.search` and its filters. Every
    page is full until the results run out; its cursor resumes exactly after it.

    The postings of one word are read: the longest, as the likeliest to be rare (a longer
    word begins fewer words; a count per term would cost a write to one hot item per
    upload for every common term). Other words, kind and status are checked by DynamoDB
    on the postings, dates are the range key, so only hits are read from the media table.
    """
    if query.by_taken or query.taken_from or query.taken_to:
        raise InvalidSearch("Search results come in upload order: search without a capture-time order or dates.")
    try:
        asked = query_words(query.search)
    except ValueError as exc:
        raise InvalidSearch(str(exc)) from exc
    term = max(asked, key=len)[:MAX_PREFIX]
    everyone = user.is_admin and not query.owner
    if everyone:
        keys = [everyone_key(shard, term) for shard in range(settings.MEDIAHUB_FEED_SHARDS)]
    else:
        keys = [owner_key(query.owner if user.is_admin else user.username, term)]
    filters = _posting_filters(query, [word for word in asked if word != term])
    lanes = [_posting_lane(key, query, filters) for key in keys]
    merge = Merge(
        lanes,
        listing_positions(cursor, query=query, lanes=lanes, kind=CURSOR_KIND),
        newest_first=not query.oldest_first,
        chunk=lane_chunk(query.page_size, lanes=len(lanes), filtered=filters is not None),
    )

    def recheck(raws: list[Raw]) -> list[MediaItem | None]:
        return _recheck(raws, query=query, asked=asked, term=term, everyone=everyone)

    page = collect(merge, page_size=query.page_size, resolve=recheck)
    return listing_page(page, query=query, lanes=lanes, kind=CURSOR_KIND, read=merge.read)


def _posting_lane(key: str, query: MediaQuery, filters: Condition | None) -> Lane:
    def read(start: Key | None, limit: int) -> tuple[list[Raw], Key | None, int]:
        return first_page(
            Posting.query(
                key,
                range_key_condition=_date_condition(query),
                filter_condition=filters,
                scan_index_forward=query.oldest_first,
                page_size=limit,
                last_evaluated_key=start,
            )
        )

    return Lane(
        name=key,
        read=read,
        key_of=lambda raw: {"key": raw["key"], "sort": raw["sort"]},
        order_of=lambda raw: str(raw["sort"]["S"]),
    )


def _date_condition(query: MediaQuery) -> Condition | None:
    # The range key starts with the upload time in PynamoDB's sortable form; "#~" sorts
    # after "#<any media id>", so the last moment's items are in.
    low = MediaItem.uploaded_at.serialize(query.uploaded_from) if query.uploaded_from else None
    high = MediaItem.uploaded_at.serialize(query.uploaded_to) + "#~" if query.uploaded_to else None
    sort = Posting.sort
    if low and high:
        return sort.between(low, high)
    condition: Condition | None = sort >= low if low else sort <= high if high else None
    return condition


def _posting_filters(query: MediaQuery, other_words: list[str]) -> Condition | None:
    conditions: list[Condition] = [Posting.words.contains(f" {word}") for word in other_words]
    if query.kind:
        conditions.append(Posting.kind == query.kind)
    if query.status:
        conditions.append(Posting.status == query.status)
    return all_of(conditions)


def _recheck(
    raws: list[Raw], *, query: MediaQuery, asked: list[str], term: str, everyone: bool
) -> list[MediaItem | None]:
    """Each hit's media record if it still matches what its posting promised, else None."""
    ids = {raw["media_id"]["S"] for raw in raws}
    found = {item.id: item for item in MediaItem.batch_get(ids)}
    checked: list[MediaItem | None] = []
    for raw in raws:
        item = found.get(raw["media_id"]["S"])
        fits = (
            item is not None
            and raw["key"]["S"] == _posting_key(item, term=term, everyone=everyone)
            and (not query.kind or item.kind == query.kind)
            and (not query.status or item.status == query.status)
            and matches(asked, words(*item.searchable_texts))
        )
        checked.append(item if fits else None)
    return checked


def _posting_key(item: MediaItem, *, term: str, everyone: bool) -> str:
    """Where the item's posting for `term` belongs now: a posting elsewhere (another owner's
    partition, a shard from before MEDIAHUB_FEED_SHARDS changed) is not one of its own."""
    return everyone_key(feed_shard(item.id), term) if everyone else owner_key(item.owner, term)
