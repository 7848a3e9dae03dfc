"""Shapes of the API's share-link requests and answers."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from mediahub.schemas import RequestBody
from sharing.models import Share


class ShareIn(RequestBody):
    expires_at: datetime = Field(description="When the link stops working: 1 hour to 90 days from now.")
    password: str = Field("", max_length=128, description="Visitors must enter it first; empty for none.")
    allow_download: bool = True


class ShareOut(Schema):
    id: str = Field(description="The token's SHA-256: names the link to withdraw it. The token is not kept.")
    media_id: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    has_password: bool
    allow_download: bool
    views: int
    last_viewed_at: datetime | None = None

    @classmethod
    def of(cls, share: Share) -> ShareOut:
        fields = {name: getattr(share, name) for name in cls.model_fields if name != "id"}
        return cls(id=share.token_hash, **fields)


class ShareCreatedOut(ShareOut):
    url: str = Field(description="The link. Shown this once: only its hash is kept.")
