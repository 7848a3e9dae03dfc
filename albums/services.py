"""Writes to albums, memberships and the tag index.

An album's `item_count` and its memberships change together, in one DynamoDB transaction
per item, so parallel adds and removes never make them disagree, and an item is never
added to an album deleted a moment before. Tag postings are written before the media
record names a tag and deleted after it stops naming one: the index may hold a posting
too many (every listing checks the record), never one too few.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable

from botocore.exceptions import BotoCoreError, ClientError
from django.utils import timezone
from pynamodb.exceptions import DeleteError, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite
from ulid import ULID

from activity.models import ActivityAction
from activity.services import activity_record
from albums.exceptions import AlbumNotFound, CoverNotInAlbum, TooManyAlbums
from albums.models import Album, Membership, TagEntry, everyone_posting_key, posting_key, vocabulary_key
from mediahub import aws
from uploads import bulk
from uploads.exceptions import MediaNotFound, UploadStillPending
from uploads.models import MediaItem, Status
from uploads.selectors import MEDIA_ID

logger = logging.getLogger(__name__)

# Albums one item may be in: the item page lists them all.
MAX_ALBUMS_PER_ITEM = 50


def album_create(*, owner: str, name: str, description: str = "") -> Album:
    """A new, empty album of `owner`'s."""
    now = timezone.now()
    album = Album(
        str(ULID()), owner=owner, name=name, description=description, created_at=now, updated_at=now, item_count=0
    )
    album.save(condition=Album.id.does_not_exist())
    return album


def album_update(*, album: Album, name: str, description: str, cover_media_id: str | None) -> Album:
    """Rename, describe, choose the cover (an item of the album, or None for the newest).
    The cover in use may stay as it is even if it has left the album since (the page
    falls back to the newest item): otherwise the album could not be renamed."""
    if (
        cover_media_id
        and cover_media_id != album.cover_media_id
        and not (MEDIA_ID.fullmatch(cover_media_id) and _is_member(album.id, cover_media_id))
    ):
        raise CoverNotInAlbum
    album.update(
        actions=[
            Album.name.set(name),
            Album.description.set(description),
            Album.cover_media_id.set(cover_media_id) if cover_media_id else Album.cover_media_id.remove(),
            Album.updated_at.set(timezone.now()),
        ],
        condition=Album.id.exists(),
    )
    return album


def album_delete(*, album: Album) -> None:
    """Delete the album, then its memberships; never any media. A membership a failure
    leaves behind names an album that is gone: the item page skips it, and deleting the
    album again (any listing still offers nothing to click) is not needed."""
    album.delete()
    try:
        with Membership.batch_write() as batch:
            for membership in Membership.query(album.id):
                batch.delete(membership)
    except PynamoDBException:
        logger.exception("Album %s is gone but some of its memberships remain", album.id)


def _is_member(album_id: str, media_id: str) -> bool:
    try:
        Membership.get(album_id, media_id, consistent_read=True)
    except Membership.DoesNotExist:
        return False
    return True


def album_add_item(*, album: Album, item: MediaItem, actor: str) -> bool:
    """Put `item` in `album` (`actor` doing it, for the activity log); False if it was
    there already. Only the album owner's own items go in an album (others are not
    found), and an item is in at most MAX_ALBUMS_PER_ITEM albums; an upload still
    pending goes in none."""
    album_add_check(album=album, item=item)
    membership = Membership(album.id, item.id, owner=album.owner, added_at=timezone.now())

    def add(transaction: TransactWrite) -> None:
        transaction.save(membership, condition=Membership.media_id.does_not_exist())
        transaction.update(
            album,
            actions=[Album.item_count.add(1), Album.updated_at.set(timezone.now())],
            condition=Album.id.exists(),
        )

    try:
        _transact(add)
    except TransactWriteError as exc:
        return _refused(exc, first_means=False)
    _log(actor, album=album, media_id=item.id, detail=f"added to album “{album.name}”")
    return True


def album_add_check(*, album: Album, item: MediaItem) -> None:
    """Whether `item` may go in `album` (album_add_item's rules), raising why not; bulk edit
    asks before it changes the item's record, so an item reported unchanged is."""
    if item.owner != album.owner:
        raise MediaNotFound
    if item.status == Status.PENDING:
        # A pending record expires by TTL, with nothing to take it out of its albums.
        raise UploadStillPending
    if Membership.by_media.count(item.id, limit=MAX_ALBUMS_PER_ITEM) >= MAX_ALBUMS_PER_ITEM:
        raise TooManyAlbums(f"“{item.name}” is already in {MAX_ALBUMS_PER_ITEM} albums, as many as an item may be in.")


def album_remove_item(*, album: Album, media_id: str, actor: str | None) -> bool:
    """Take the item out of the album; False if it was not in it. `actor` is who the
    activity log names; None when the item itself is gone for good (its purge is logged)."""
    membership = Membership(album.id, media_id)

    def remove(transaction: TransactWrite) -> None:
        transaction.delete(membership, condition=Membership.media_id.exists())
        transaction.update(
            album,
            actions=[Album.item_count.add(-1), Album.updated_at.set(timezone.now())],
            condition=Album.id.exists(),
        )

    try:
        _transact(remove)
    except TransactWriteError as exc:
        return _refused(exc, first_means=False)
    if album.cover_media_id == media_id:
        _cover_forget(album)
    if actor is not None:
        _log(actor, album=album, media_id=media_id, detail=f"taken out of album “{album.name}”")
    return True


def _log(actor: str, *, album: Album, media_id: str, detail: str) -> None:
    activity_record(actor=actor, action=ActivityAction.ALBUM, media_id=media_id, owner=album.owner, detail=detail)


def _refused(exc: TransactWriteError, *, first_means: bool) -> bool:
    """What a cancelled membership transaction means: its first condition failed (the
    membership was, or was not, there), so nothing changed (`first_means`); its second
    (the album is gone): AlbumNotFound. Anything else is raised as it is."""
    reasons = [reason.code if reason else None for reason in exc.cancellation_reasons]
    if len(reasons) == 2 and reasons[1] == "ConditionalCheckFailed":
        raise AlbumNotFound from exc
    if reasons and reasons[0] == "ConditionalCheckFailed":
        return first_means
    raise exc


def _transaction() -> TransactWrite:
    # The models' own connection: the project's region, endpoint, timeouts and retries.
    return TransactWrite(connection=Album._get_connection().connection)


# Tries of a membership transaction that DynamoDB cancels only because another one was
# writing the same album at that moment (TransactionConflict: parallel adds to one album).
CONFLICT_TRIES = 5


def _transact(write: Callable[[TransactWrite], None]) -> None:
    """Run `write` in one transaction, again (after a short random pause) while DynamoDB
    cancels it for a concurrent transaction on the same items and nothing else."""
    for attempt in range(1, CONFLICT_TRIES + 1):
        try:
            with _transaction() as transaction:
                write(transaction)
            return
        except TransactWriteError as exc:
            reasons = {reason.code for reason in exc.cancellation_reasons if reason}
            if attempt == CONFLICT_TRIES or reasons != {"TransactionConflict"}:
                raise
            time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 (a pause, not a secret)


def _cover_forget(album: Album) -> None:
    try:
        album.update(actions=[Album.cover_media_id.remove()], condition=Album.cover_media_id == album.cover_media_id)
    except PynamoDBException:
        logger.warning("Album %s keeps a cover that left it; the page falls back", album.id, exc_info=True)


def album_add_many(*, album: Album, items: Iterable[MediaItem], actor: str) -> list[bulk.ItemOutcome]:
    """Add each item on its own (uploads.bulk.media_each)."""

    def add(item: MediaItem) -> str:
        try:
            album_add_item(album=album, item=item, actor=actor)
        except (MediaNotFound, TooManyAlbums, AlbumNotFound, UploadStillPending) as exc:
            return str(exc)
        return ""

    return bulk.media_each(items, add, verb="added")


def memberships_forget(*, media_id: str, strict: bool = False) -> None:
    """An item deleted for good leaves every album it was in, each album's count with it.
    A failure is logged: a membership left behind names an item that is gone, which album
    pages skip, but its album's count is one too many; `strict` (a purge, which its next
    run finishes) raises it too."""
    try:
        memberships = list(Membership.by_media.query(media_id))
        for membership in memberships:
            try:
                # The album as it stands, so a cover that was this item is forgotten too.
                album = Album.get(membership.album_id, consistent_read=True)
                album_remove_item(album=album, media_id=media_id, actor=None)
            except (Album.DoesNotExist, AlbumNotFound):
                membership.delete()
    except PynamoDBException:
        logger.exception("Media %s is gone but some of its album memberships remain", media_id)
        if strict:
            raise


def tags_index_add(*, owner: str, media_id: str, tags: Iterable[str], version: int) -> None:
    """Before the record names these tags (in its `version`): their postings, for the
    owner and for admins. Raises if DynamoDB fails, so the record is not written without
    them. If the record's write then fails, they stay: one posting too many is checked
    against the record and skipped, while taking it back could take away the posting of a
    racing edit that did name the tag."""
    with TagEntry.batch_write() as batch:
        for tag in tags:
            for key in (posting_key(owner, tag), everyone_posting_key(tag)):
                batch.save(TagEntry(key, media_id, media_id=media_id, version=version))


def tags_index_remove(*, owner: str, media_id: str, tags: Iterable[str], version: int | None = None) -> None:
    """After the record (now at `version`) stopped naming these tags: their postings go,
    unless a later edit has written them again (a higher version). None: the item is gone,
    every posting goes. A failure is logged: a posting left behind is skipped by listings."""
    try:
        for tag in tags:
            for key in (posting_key(owner, tag), everyone_posting_key(tag)):
                _posting_delete(TagEntry(key, media_id), version)
    except (PynamoDBException, BotoCoreError, ClientError):
        logger.warning("Tag postings of %s not removed; listings skip them", media_id, exc_info=True)


def _posting_delete(posting: TagEntry, version: int | None) -> None:
    condition = None if version is None else TagEntry.version.does_not_exist() | (TagEntry.version <= version)
    try:
        posting.delete(condition=condition)
    except DeleteError as exc:
        if not aws.condition_failed(exc):
            raise


def vocabulary_count(*, owner: str, added: Iterable[str], removed: Iterable[str]) -> None:
    """After the record changed: how many of the owner's items carry each tag (suggestions
    offer those above zero). Suggestions only: a failure is logged."""
    changes = [(tag, 1) for tag in added] + [(tag, -1) for tag in removed]
    try:
        for tag, step in changes:
            TagEntry(vocabulary_key(owner), tag).update(actions=[TagEntry.uses.add(step)])
    except (PynamoDBException, BotoCoreError, ClientError):
        logger.warning("Tag suggestions of %s not updated", owner, exc_info=True)


def tags_forget(*, item: MediaItem, vocabulary: bool = True) -> None:
    """An item deleted for good: its postings and (unless the caller counts it out
    itself, once) its share of the vocabulary go."""
    tags = item.tag_list
    tags_index_remove(owner=item.owner, media_id=item.id, tags=tags)
    if vocabulary:
        vocabulary_count(owner=item.owner, added=(), removed=tags)
