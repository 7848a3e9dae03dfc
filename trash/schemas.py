"""Shapes of the API's trash answers."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from trash.models import TrashedItem


class TrashedOut(Schema):
    id: str
    owner: str
    name: str
    original_filename: str
    kind: str
    size: int
    trashed_by: str
    trashed_at: datetime
    purge_at: datetime = Field(description="When it will be deleted forever, unless restored first.")
    purging: bool = Field(description="A purge has started: it can no longer be restored.")

    @classmethod
    def of(cls, trashed: TrashedItem) -> TrashedOut:
        fields = {name: getattr(trashed, name) for name in cls.model_fields if name not in ("id", "purging")}
        return cls(id=trashed.media_id, purging=trashed.purging_at is not None, **fields)


class TrashPageOut(Schema):
    items: list[TrashedOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; absent on the last.")


class PurgeOut(Schema):
    purged: int
    failed: int = Field(description="Items that could not be deleted now; they stay, due, for the next purge.")
