"""Shapes of the API's share-link requests and answers."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import AwareDatetime, Field

from mediahub.schemas import RequestBody
from sharing.models import Share


class ShareIn(RequestBody):
    # With its time zone: a naive time names no moment (and cannot be compared with one).
    expires_at: AwareDatetime = Field(description="When the link stops working: 1 hour to 90 days from now.")
    # No control characters: the link's password form refuses NUL and a browser's
    # password field drops line breaks, so such a password could never be entered.
    password: str = Field(
        "", max_length=128, pattern=r"^[^\x00-\x1f\x7f]*$", description="Visitors must enter it first; empty for none."
    )
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
