"""Template filters for showing media and its metadata to people."""

from __future__ import annotations

from django import template

from uploads import storage
from uploads.models import MediaItem

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as m:ss (or h:mm:ss)."""
    if seconds is None:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key, "")


@register.filter
def thumbnail_url(item: MediaItem) -> str:
    """A short-lived link to the item's thumbnail, or "" if it has none."""
    return storage.thumbnail_url(item.thumbnail_key) if item.thumbnail_key else ""
