"""Shapes of the API's media requests and answers (pydantic, through Django Ninja)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr, StringConstraints

from mediahub.schemas import RequestBody
from uploads import storage
from uploads.models import MediaItem
from uploads.services import MAX_BATCH


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
    tags: list[str] = Field(default_factory=list, description="Normalised tags, sorted.")

    @classmethod
    def of(cls, item: MediaItem) -> MediaOut:
        return cls(
            **{name: getattr(item, name) for name in cls.model_fields if name not in ("thumbnail_url", "tags")},
            thumbnail_url=storage.thumbnail_url(item.thumbnail_key) if item.thumbnail_key else None,
            tags=item.tag_list,
        )


class MediaPageOut(Schema):
    items: list[MediaOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; absent on the last.")


class MediaPatch(RequestBody):
    name: str | None = None
    caption: str | None = None
    tags: list[StrictStr] | None = Field(
        None, description="The item's tags, replacing its own: normalised, at most 20 of up to 40 characters."
    )


class DownloadOut(Schema):
    url: str
    expires_in: int = Field(description="Seconds the signed link works for.")


class UploadIn(RequestBody):
    """A file about to be sent straight to S3 (the same fields as the portal's uploader)."""

    name: StrictStr
    caption: StrictStr = ""
    filename: StrictStr
    size: StrictInt = Field(description="The file's exact size in bytes.")
    type: StrictStr = Field("", description="Its media type, e.g. image/jpeg; empty: the filename decides.")
    fingerprint: StrictStr = Field(
        "", description="SHA-256 (hex) of the file's first and last MiB; needed to resume the upload later."
    )


class PostOut(Schema):
    url: str
    fields: dict[str, str]


class MultipartOut(Schema):
    upload_id: str
    key: str = Field(description="The object's key in the bucket, which S3's multipart calls name.")


class UploadOut(Schema):
    item: MediaOut
    key: str = Field(description="The object's key in the bucket.")
    post: PostOut | None = Field(None, description="Send the file here as one multipart/form-data POST.")
    multipart: MultipartOut | None = Field(None, description="Sign parts, PUT them, then complete.")


class UnfinishedOut(Schema):
    item: MediaOut
    arrived: int | None = Field(None, description="Bytes S3 holds so far (multipart uploads).")
    resumable: bool
    fingerprint: str | None = None


class FileIdentityIn(RequestBody):
    filename: StrictStr
    size: StrictInt
    fingerprint: StrictStr


class PartNumbersIn(RequestBody):
    # How many, and which, the service checks, with its own messages (413 above 100).
    part_numbers: list[StrictInt]


class PartOut(Schema):
    part_number: int
    etag: str
    size: int | None = None


class SignedPartsOut(Schema):
    urls: dict[str, str] = Field(description="Part number → a signed PUT URL.")


class PartIn(RequestBody):
    part_number: StrictInt
    etag: StrictStr = Field(min_length=1, max_length=128)


class CompleteIn(RequestBody):
    parts: list[PartIn]


SHA256_HEX = r"^[0-9a-fA-F]{64}$"


class ChecksumsIn(RequestBody):
    sha256: list[Annotated[StrictStr, StringConstraints(pattern=SHA256_HEX)]] = Field(
        min_length=1, max_length=MAX_BATCH, description=f"Up to {MAX_BATCH} SHA-256s (hex) of files you may upload."
    )


class ChecksumsOut(Schema):
    found: dict[str, list[str]] = Field(
        description="Each SHA-256 asked about (lower-case hex) that one of your items has → those items' ids."
    )


class UploadBatchIn(RequestBody):
    files: list[UploadIn] = Field(min_length=1, max_length=MAX_BATCH)


class Outcome(Schema):
    status: int = Field(description="This file's own outcome as an HTTP status: 2xx done; else `detail` says why.")
    detail: str | None = None


class DeclaredOut(Outcome):
    upload: UploadOut | None = Field(None, description="As POST /uploads answers, when the file was declared.")


class UploadBatchOut(Schema):
    uploads: list[DeclaredOut] = Field(description="One per file, in the order sent.")


class MediaIdsIn(RequestBody):
    ids: list[StrictStr] = Field(min_length=1, max_length=MAX_BATCH)


class FinishedOut(Outcome):
    id: str
    item: MediaOut | None = Field(None, description="The item after its check (ready, or rejected with a reason).")


class FinishBatchOut(Schema):
    items: list[FinishedOut] = Field(description="One per id, in the order sent.")
