"""Reads of albums and tags: every one through a key or an index, none scans.

An album page reads the album's memberships, a tag filter the tag's postings, both in
upload order (their sort key is the media id, a ULID), a page and one more at a time,
and then the records of just those items in one BatchGetItem. The record is the truth:
an id whose record is missing (in the trash, deleted) or no longer matches is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing

from accounts.models import User
from albums.exceptions import AlbumNotFound
from albums.models import ALL_ALBUMS, Album, Membership, TagEntry, everyone_posting_key, posting_key, vocabulary_key
from mediahub.paging import Key, Lane, Merge, Raw, collect, first_page
from search.tokens import matches, query_words, words
from uploads.exceptions import InvalidCursor
from uploads.models import MediaItem
from uploads.selectors import MEDIA_ID, MediaPage, MediaQuery, lane_chunk, listing_page, listing_positions

CURSOR_KIND = "albums.cursor"
ALBUMS_CURSOR = "albums.list"
ALBUMS_PAGE = 50
# Albums offered in pickers (bulk edit, the item page, the list's filter).
PICKER_LIMIT = 200
# Tags offered as suggestions.
SUGGESTIONS = 300
# An album's newest memberships read for its cover (when none is chosen, or it is gone):
# the newest may be in the trash.
COVER_CANDIDATES = 10


def album_get_for_user(*, album_id: str, user: User) -> Album:
    """The album if `user` may see it: its owner, or any admin."""
    if not MEDIA_ID.fullmatch(album_id):  # album ids are ULIDs too
        raise AlbumNotFound
    try:
        album = Album.get(album_id, consistent_read=True)
    except Album.DoesNotExist as exc:
        raise AlbumNotFound from exc
    if album.owner != user.username and not user.is_admin:
        raise AlbumNotFound
    return album


@dataclass(frozen=True)
class AlbumPage:
    albums: list[Album]
    next_cursor: str | None


def albums_for_user(*, user: User, cursor: str | None = None, size: int = ALBUMS_PAGE) -> AlbumPage:
    """One page of the albums `user` may see, newest first: their own (the by-owner
    index), or everybody's for an admin (by-time)."""
    salt = f"{ALBUMS_CURSOR}:{user.username}:{user.is_admin}:{size}"
    start = None
    if cursor:
        try:
            start = signing.loads(cursor, salt=salt)
        except signing.BadSignature as exc:
            raise InvalidCursor from exc
    if user.is_admin:
        found = Album.by_time.query(ALL_ALBUMS, scan_index_forward=False, page_size=size, last_evaluated_key=start)
    else:
        found = Album.by_owner.query(user.username, scan_index_forward=False, page_size=size, last_evaluated_key=start)
    raws, last, _ = first_page(found)
    following = signing.dumps(last, salt=salt, compress=True) if last else None
    return AlbumPage(_albums([raw["id"]["S"] for raw in raws]), following)


def albums_of_owner(*, owner: str) -> list[Album]:
    """The owner's albums to pick from, newest first (at most PICKER_LIMIT)."""
    keys = Album.by_owner.query(owner, scan_index_forward=False, limit=PICKER_LIMIT)
    return _albums([album.id for album in keys])


def _albums(ids: list[str]) -> list[Album]:
    """The albums of `ids` (their indexes hold keys only), in that order; one deleted since is left out."""
    found = {album.id: album for album in Album.batch_get(ids)} if ids else {}
    return [found[album_id] for album_id in ids if album_id in found]


def albums_for_media(*, media_id: str) -> list[Album]:
    """The albums an item is in, by name; memberships of an album deleted meanwhile are skipped."""
    ids = [membership.album_id for membership in Membership.by_media.query(media_id)]
    return sorted(Album.batch_get(ids), key=lambda album: album.name.casefold()) if ids else []


def album_cover(album: Album) -> MediaItem | None:
    """The chosen cover if it is still there, else the album's newest item (of its newest
    COVER_CANDIDATES memberships, skipping those in the trash), else None."""
    candidates = [album.cover_media_id] if album.cover_media_id else []
    newest = Membership.query(album.id, scan_index_forward=False, limit=COVER_CANDIDATES)
    candidates += [membership.media_id for membership in newest]
    found = {item.id: item for item in MediaItem.batch_get(set(candidates))} if candidates else {}
    for media_id in candidates:
        item = found.get(media_id)
        if item is not None and item.owner == album.owner:
            return item
    return None


def tag_suggestions(*, owner: str) -> list[str]:
    """The tags the owner's items carry now, alphabetically: their vocabulary partition."""
    found = TagEntry.query(vocabulary_key(owner), filter_condition=TagEntry.uses > 0, limit=SUGGESTIONS)
    return [entry.sort for entry in found]


def media_list_grouped(*, user: User, query: MediaQuery, cursor: str | None) -> MediaPage:
    """One page of an album's items (`query.album`) or of the items with a tag
    (`query.tag`), in upload order. The album's membership partition, or the tag's posting
    partition (the owner's; everybody's for an admin not filtering by owner), is read a
    page and one more at a time; the other filters (kind, status, dates, words, a tag
    within an album) are checked on the records, with the listing's read limit."""
    if query.album:
        album = album_get_for_user(album_id=query.album, user=user)
        lane = _lane(album.id, hash_name="album_id", sort_name="media_id", model=Membership, query=query)
        visible_owner: str | None = album.owner
    else:
        everyone = user.is_admin and not query.owner
        owner = query.owner if user.is_admin else user.username
        key = everyone_posting_key(query.tag) if everyone else posting_key(owner, query.tag)
        lane = _lane(key, hash_name="key", sort_name="sort", model=TagEntry, query=query)
        visible_owner = None if everyone else owner
    checks = _record_checks(query, with_tag=bool(query.tag))
    merge = Merge(
        [lane],
        listing_positions(cursor, query=query, lanes=[lane], kind=CURSOR_KIND),
        newest_first=not query.oldest_first,
        chunk=lane_chunk(query.page_size, lanes=1, filtered=checks),
        budget=query.max_read if checks else 0,
    )

    def resolve(raws: list[Raw]) -> list[MediaItem | None]:
        return _resolve(raws, query=query, owner=visible_owner)

    page = collect(merge, page_size=query.page_size, resolve=resolve)
    return listing_page(page, query=query, lanes=[lane], kind=CURSOR_KIND, read=merge.read)


def _lane(
    hash_value: str, *, hash_name: str, sort_name: str, model: type[Membership] | type[TagEntry], query: MediaQuery
) -> Lane:
    def read(start: Key | None, limit: int) -> tuple[list[Raw], Key | None, int]:
        return first_page(
            model.query(hash_value, scan_index_forward=query.oldest_first, page_size=limit, last_evaluated_key=start)
        )

    return Lane(
        name=f"{model.Meta.table_name.rsplit('-', 1)[-1]}:{hash_value}",
        read=read,
        key_of=lambda raw: {name: raw[name] for name in (hash_name, sort_name)},
        order_of=lambda raw: str(raw[sort_name]["S"]),
    )


def _record_checks(query: MediaQuery, *, with_tag: bool) -> bool:
    """Whether the records are checked for more than being there and visible."""
    dates = (query.uploaded_from, query.uploaded_to, query.taken_from, query.taken_to)
    return bool(query.kind or query.status or query.search or any(dates) or (with_tag and query.album))


def _resolve(raws: list[Raw], *, query: MediaQuery, owner: str | None) -> list[MediaItem | None]:
    """Each id's record if it exists and matches the listing, else None (skipped)."""
    ids = [raw["media_id"]["S"] for raw in raws]
    found = {item.id: item for item in MediaItem.batch_get(set(ids))} if ids else {}
    asked = query_words(query.search) if query.search.strip() else []
    return [_fits(found.get(media_id), query=query, owner=owner, asked=asked) for media_id in ids]


def _fits(item: MediaItem | None, *, query: MediaQuery, owner: str | None, asked: list[str]) -> MediaItem | None:
    if item is None or (owner is not None and item.owner != owner):
        return None
    checks = (
        not query.tag or query.tag in (item.tags or ()),
        not query.kind or item.kind == query.kind,
        not query.status or item.status == query.status,
        _within(item.uploaded_at, query.uploaded_from, query.uploaded_to),
        _within(item.taken_at, query.taken_from, query.taken_to, needed=bool(query.taken_from or query.taken_to)),
        not asked or matches(asked, words(*item.searchable_texts)),
    )
    return item if all(checks) else None


def _within(moment: datetime | None, start: datetime | None, end: datetime | None, *, needed: bool = True) -> bool:
    if not needed or (start is None and end is None):
        return True
    if moment is None:
        return False
    return (start is None or start <= moment) and (end is None or moment <= end)
