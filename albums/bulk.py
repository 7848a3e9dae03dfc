"""Bulk edit: one change applied to each selected item on its own, with a report per item.

Each item is changed only if it is still the version the person saw when they chose the
change (optimistic locking, as the edit page): an item changed meanwhile is reported and
left alone, and the others are applied. Once storage stops answering, the rest are not
tried, and reported so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from albums import services
from albums.exceptions import AlbumNotFound, TooManyAlbums
from albums.forms import CAPTION_MAX
from albums.models import Album
from albums.tags import MAX_TAGS
from uploads import bulk
from uploads import services as media_services
from uploads.exceptions import MediaNotFound, StaleEdit, UploadStillPending
from uploads.models import MediaItem


@dataclass(frozen=True)
class BulkChange:
    """What to do to each item; empty parts change nothing."""

    caption_mode: str = ""  # "", "set" or "append"
    caption: str = ""
    add_tags: Sequence[str] = ()
    remove_tags: Sequence[str] = ()
    album: Album | None = None

    @property
    def edits_record(self) -> bool:
        return bool(self.caption_mode or self.add_tags or self.remove_tags)


def media_edit_many(
    *, items: Sequence[tuple[MediaItem, int]], change: BulkChange, actor: str
) -> list[bulk.ItemOutcome]:
    """Apply `change` to each (item, version seen) pair, `actor` doing it; see the module's docstring."""
    seen = {item.id: version for item, version in items}

    def edit(item: MediaItem) -> str:
        try:
            if change.album is not None:
                services.album_add_check(album=change.album, item=item)  # before any change
            problem = _edit_record(item, seen[item.id], change, actor) if change.edits_record else ""
            if not problem and change.album is not None:
                services.album_add_item(album=change.album, item=item, actor=actor)
        except StaleEdit:
            return bulk.CHANGED_MEANWHILE
        except UploadStillPending:
            return "its upload has not finished"
        except (MediaNotFound, TooManyAlbums, AlbumNotFound) as exc:
            return str(exc)
        return problem

    return bulk.media_each([item for item, _ in items], edit, verb="changed")


def _edit_record(item: MediaItem, seen: int, change: BulkChange, actor: str) -> str:
    """Change caption and tags under the version seen; a problem to report, or ""."""
    caption = item.caption
    if change.caption_mode == "set":
        caption = change.caption
    elif change.caption_mode == "append":
        caption = f"{item.caption}\n{change.caption}" if item.caption else change.caption
    if len(caption) > CAPTION_MAX:
        return f"its caption would be longer than {CAPTION_MAX:,} characters"
    tags = [tag for tag in item.tag_list if tag not in change.remove_tags]
    tags += [tag for tag in change.add_tags if tag not in tags]
    if len(tags) > MAX_TAGS:
        return f"it would have more than {MAX_TAGS} tags"
    media_services.media_update(item=item, name=item.name, caption=caption, version=seen, tags=tags, actor=actor)
    return ""
