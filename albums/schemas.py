"""Shapes of the API's album and tag requests and answers."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field, StrictStr

from albums.models import Album
from mediahub.schemas import RequestBody


class AlbumIn(RequestBody):
    name: StrictStr
    description: StrictStr = ""


class AlbumPatch(RequestBody):
    name: StrictStr | None = None
    description: StrictStr | None = None
    cover_media_id: StrictStr | None = Field(
        None, description="An item of the album to show as its cover; an empty string: its newest item."
    )


class AlbumOut(Schema):
    id: str
    owner: str
    name: str
    description: str
    cover_media_id: str | None = None
    item_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, album: Album) -> AlbumOut:
        return cls(**{name: getattr(album, name) for name in cls.model_fields})


class AlbumPageOut(Schema):
    items: list[AlbumOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; absent on the last.")


class AlbumItemsIn(RequestBody):
    media_ids: list[StrictStr] = Field(description="At most 100 items a request.")


class AlbumItemOutcome(Schema):
    media_id: str
    added: bool
    problem: str = ""
