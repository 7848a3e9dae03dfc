"""Shapes of the API's media requests and answers (pydantic, through Django Ninja)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from mediahub.schemas import RequestBody
from uploads import storage
from uploads.models import MediaItem


class MediaOut(Schema):
    id: str
    owner: str
    name: str
    caption: str
    original_filename: str
    content_type: str
    kind: str
    size: int
    status: str
    reason: str | None = None
    sha256: str | None = None
    width: int | None = None
    height: int | None = None
    orientation: int | None = None
    taken_at: datetime | None = None
    duration: float | None = None
    page_count: int | None = None
    uploaded_at: datetime
    updated_at: datetime
    version: int = Field(description="Send it back as If-Match to change or delete the item.")
    thumbnail_url: str | None = Field(None, description="A signed link to the thumbnail, valid for minutes.")

    @classmethod
    def of(cls, item: MediaItem) -> MediaOut:
        return cls(
            **{name: getattr(item, name) for name in cls.model_fields if name != "thumbnail_url"},
            thumbnail_url=storage.thumbnail_url(item.thumbnail_key) if item.thumbnail_key else None,
        )


class MediaPageOut(Schema):
    items: list[MediaOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; absent on the last.")


class MediaPatch(RequestBody):
    name: str | None = None
    caption: str | None = None


class DownloadOut(Schema):
    url: str
    expires_in: int = Field(description="Seconds the signed link works for.")
