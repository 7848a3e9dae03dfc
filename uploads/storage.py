"""S3 object keys, URLs and transfers for media files: the portal's one path to S3.

Every S3 call goes through the boto3 client `mediahub.aws.s3()` builds, so one retry
and timeout policy covers them all. django-storages is not used: the portal has no
FileFields, and what it needs (presigned POSTs, multipart uploads, ranged reads,
response headers on signed GETs) is boto3's API, not Django's Storage API.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, BinaryIO
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename

from mediahub import aws
from uploads import metadata

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef

logger = logging.getLogger(__name__)

MEDIA_PREFIX = "media"
THUMBNAIL_PREFIX = "thumbnails"
PREVIEW_PREFIX = "previews"
# What the portal derives from a media file, one WebP per item under each prefix.
RENDITION_PREFIXES = (THUMBNAIL_PREFIX, PREVIEW_PREFIX)
MAX_FILENAME_LENGTH = 150
READ_BLOCK = 256 * 1024
# Types a browser may show inline from our bucket; everything else downloads.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/heic",
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/x-wav",
        "audio/wav",
        "audio/x-flac",
        "application/pdf",
    }
)


def safe_filename(filename: str) -> str:
    """The client's filename reduced to characters that are safe in an S3 key."""
    try:
        cleaned = get_valid_filename(filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    except SuspiciousFileOperation:
        cleaned = "file"
    stem, dot, ext = cleaned.rpartition(".")
    if dot and len(ext) < 16:
        return f"{stem[: MAX_FILENAME_LENGTH - len(ext) - 1]}.{ext}"
    return cleaned[:MAX_FILENAME_LENGTH]


def media_key(*, media_id: str, filename: str) -> str:
    return f"{MEDIA_PREFIX}/{media_id}/{safe_filename(filename)}"


def thumbnail_key(media_id: str) -> str:
    return f"{THUMBNAIL_PREFIX}/{media_id}.webp"


def preview_key(media_id: str) -> str:
    return f"{PREVIEW_PREFIX}/{media_id}.webp"


def object_url(key: str) -> str:
    """The object's plain S3 URL (not signed: the bucket is private)."""
    if settings.AWS_ENDPOINT_URL:
        return f"{settings.AWS_ENDPOINT_URL.rstrip('/')}/{settings.MEDIAHUB_BUCKET}/{quote(key)}"
    bucket, region = settings.MEDIAHUB_BUCKET, settings.AWS_REGION
    return f"https://{bucket}.s3.{region}.amazonaws.com/{quote(key)}"


def presigned_url(
    key: str, *, content_type: str, filename: str, download: bool = False, expires: int | None = None
) -> str:
    """A GET URL that serves the object with our (sniffed) type, inline only when the
    type is safe to show in a browser, else as an attachment under `filename`. It lasts
    MEDIAHUB_PRESIGNED_URL_SECONDS unless `expires` says otherwise."""
    attachment = download or content_type not in INLINE_TYPES
    return _signed_get(
        key,
        expires=expires,
        ResponseContentType=content_type,
        # Cleaned here too, for records made before names were cleaned at creation.
        ResponseContentDisposition=content_disposition_header(
            as_attachment=attachment, filename=metadata.clean_filename(filename)
        )
        or "",
    )


def shows_inline(content_type: str) -> bool:
    return content_type in INLINE_TYPES


def thumbnail_url(key: str) -> str:
    return _signed_get(key, expires=None)


def _signed_get(key: str, *, expires: int | None, **response_headers: str) -> str:
    return aws.s3().generate_presigned_url(
        "get_object",
        Params={"Bucket": settings.MEDIAHUB_BUCKET, "Key": key, **response_headers},
        ExpiresIn=expires or settings.MEDIAHUB_PRESIGNED_URL_SECONDS,
    )


def save_bytes(key: str, data: bytes, *, content_type: str) -> None:
    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key, Body=data, ContentType=content_type)


def save(key: str, content: IO[bytes], *, content_type: str) -> None:
    """Stream `content` to S3 under `key` (in parts, if it is large)."""
    content.seek(0)
    aws.s3().upload_fileobj(content, settings.MEDIAHUB_BUCKET, key, ExtraArgs={"ContentType": content_type})


def delete(key: str) -> None:
    """Remove the object; a key that is already gone is fine."""
    aws.s3().delete_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key)


@dataclass(frozen=True)
class Part:
    """One part of a multipart upload, as S3 holds it (size is known only when listed)."""

    number: int
    etag: str
    size: int | None = None


@dataclass(frozen=True)
class PresignedPost:
    """Where and how a browser POSTs one object straight to S3."""

    url: str
    fields: dict[str, str]


def presigned_post(key: str, *, content_type: str, size: int) -> PresignedPost:
    """A POST policy for exactly this key, this Content-Type and exactly `size` bytes."""
    signed = aws.s3().generate_presigned_post(
        Bucket=settings.MEDIAHUB_BUCKET,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
        ExpiresIn=settings.MEDIAHUB_UPLOAD_SIGNATURE_SECONDS,
    )
    return PresignedPost(url=signed["url"], fields=signed["fields"])


def multipart_create(key: str, *, content_type: str) -> str:
    """Start an S3 multipart upload; returns its UploadId."""
    response = aws.s3().create_multipart_upload(Bucket=settings.MEDIAHUB_BUCKET, Key=key, ContentType=content_type)
    return response["UploadId"]


def multipart_part_url(key: str, *, upload_id: str, part_number: int) -> str:
    return aws.s3().generate_presigned_url(
        "upload_part",
        Params={"Bucket": settings.MEDIAHUB_BUCKET, "Key": key, "UploadId": upload_id, "PartNumber": part_number},
        ExpiresIn=settings.MEDIAHUB_UPLOAD_SIGNATURE_SECONDS,
    )


def multipart_parts(key: str, *, upload_id: str) -> list[Part]:
    """The parts S3 has received so far."""
    paginator = aws.s3().get_paginator("list_parts")
    pages = paginator.paginate(Bucket=settings.MEDIAHUB_BUCKET, Key=key, UploadId=upload_id)
    return [
        Part(number=part["PartNumber"], etag=part["ETag"], size=part["Size"])
        for page in pages
        for part in page.get("Parts", [])
    ]


def multipart_complete(key: str, *, upload_id: str, parts: list[Part]) -> None:
    ordered = sorted(parts, key=lambda part: part.number)
    # S3 may take a while to assemble a large object before it answers.
    aws.s3(read_seconds=settings.MEDIAHUB_AWS_ASSEMBLY_TIMEOUT).complete_multipart_upload(
        Bucket=settings.MEDIAHUB_BUCKET,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": part.number, "ETag": part.etag} for part in ordered]},
    )


def multipart_abort(key: str, *, upload_id: str) -> None:
    """Abort the upload and free its parts; an upload S3 no longer knows is fine."""
    try:
        aws.s3().abort_multipart_upload(Bucket=settings.MEDIAHUB_BUCKET, Key=key, UploadId=upload_id)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchUpload":
            raise


# The full-object checksums S3 may report, strongest default first (S3 computes a CRC64NVME
# for an object whose uploader sent none; boto3 itself sends a CRC32).
S3_CHECKSUMS = ("CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256")


@dataclass(frozen=True)
class ObjectHead:
    """What HeadObject tells of a stored object: its size, the ETag that pins these exact
    bytes, and S3's own full-object checksum ("crc64nvme:<base64>") when it reports one."""

    size: int
    etag: str
    checksum: str | None


def object_head(key: str) -> ObjectHead | None:
    """The stored object's size, ETag and full-object checksum, or None if there is no such object.

    S3 reports a multipart object's checksum as COMPOSITE (a checksum of the parts'
    checksums) unless the upload asked for a full-object one; only FULL_OBJECT is kept.
    """
    try:
        head: dict[str, Any] = dict(
            aws.s3().head_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key, ChecksumMode="ENABLED")
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return _head_of(head)


def _head_of(answer: dict[str, Any]) -> ObjectHead:
    """The ObjectHead in a HeadObject answer, or in a GetObject answer of the whole object."""
    found = [name for name in S3_CHECKSUMS if answer.get(f"Checksum{name}")]
    full = found and answer.get("ChecksumType", "FULL_OBJECT") == "FULL_OBJECT"
    checksum = f"{found[0].lower()}:{answer[f'Checksum{found[0]}']}" if full else None
    return ObjectHead(size=answer["ContentLength"], etag=answer["ETag"], checksum=checksum)


@dataclass(frozen=True)
class WholeObject:
    """A small object read in one GET: what a HEAD tells, and its bytes (None: over the
    size asked for, so not read)."""

    head: ObjectHead
    data: bytes | None


def read_whole(key: str, *, most: int) -> WholeObject | None:
    """The object's head and, if it is at most `most` bytes, its bytes, in one GET; None
    if there is no such object."""
    try:
        answer: dict[str, Any] = dict(
            aws.s3().get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key, ChecksumMode="ENABLED")
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    head, body = _head_of(answer), answer["Body"]
    try:
        return WholeObject(head=head, data=body.read() if head.size <= most else None)
    finally:
        body.close()


def object_size(key: str) -> int | None:
    """The stored object's size in bytes, or None if there is no such object."""
    head = object_head(key)
    return head.size if head else None


def _get(key: str, *, byte_range: str, etag: str | None) -> GetObjectOutputTypeDef:
    """A ranged GET, pinned to the bytes with this ETag when one is given (S3 answers 412
    PreconditionFailed if the object was replaced meanwhile)."""
    if etag:
        return aws.s3().get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key, Range=byte_range, IfMatch=etag)
    return aws.s3().get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key, Range=byte_range)


def read_head(key: str, length: int, *, etag: str | None = None) -> bytes:
    """The first `length` bytes of the object, with one ranged GET."""
    return _get(key, byte_range=f"bytes=0-{length - 1}", etag=etag)["Body"].read()


def iter_object(
    key: str, *, size: int, etag: str | None = None, chunk_size: int = 1024 * 1024, attempts: int = 3
) -> Iterator[bytes]:
    """The object's `size` bytes, streamed in chunks (for checksums of files of any size).

    botocore retries a request, not a body that breaks off halfway: a dropped or stalled
    stream is picked up where it stopped, up to `attempts` times in a row, pinned to the
    same object by its ETag (the one given, else the first answer's). Then the storage
    error goes to the caller.
    """
    offset, failures = 0, 0
    while offset < size:
        try:
            response = _get(key, byte_range=f"bytes={offset}-{size - 1}", etag=etag)
            etag = etag or response["ETag"]
            for chunk in response["Body"].iter_chunks(chunk_size):
                offset += len(chunk)
                failures = 0
                yield chunk
        except (BotoCoreError, ClientError) as exc:
            failures += 1
            if failures >= attempts or not aws.unavailable(exc):
                raise
            logger.warning("Reading %s broke off at byte %d (%r); resuming", key, offset, exc)


class RangeReader(io.RawIOBase):
    """A read-only, seekable file over an S3 object that fetches only the ranges read.

    Parsers that seek (MP4 atoms, a PDF's cross-reference table at the end) read a few
    blocks of a large file instead of all of it. The last block read is kept.
    """

    def __init__(self, key: str, size: int, etag: str | None = None) -> None:
        self.key, self.size, self.etag, self.position = key, size, etag, 0
        self.block_start, self.block = -1, b""
        self.bytes_fetched = 0
        self.storage_error: BotoCoreError | ClientError | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self.size - self.position)
        if wanted <= 0:
            return 0
        offset = self.position - self.block_start
        if offset < 0 or offset + wanted > len(self.block):
            self._fetch(self.position, max(wanted, READ_BLOCK))
            offset = 0
        buffer[:wanted] = self.block[offset : offset + wanted]
        self.position += wanted
        return wanted

    def _fetch(self, start: int, length: int) -> None:
        end = min(self.size, start + length) - 1
        try:
            block = _get(self.key, byte_range=f"bytes={start}-{end}", etag=self.etag)["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            # Parsers catch broad exceptions and report "damaged"; open_range asks here
            # whether storage was to blame instead.
            self.storage_error = exc
            raise
        self.block_start, self.block = start, block
        self.bytes_fetched += len(self.block)


@contextmanager
def open_range(key: str, size: int, *, etag: str | None = None) -> Iterator[BinaryIO]:
    """A buffered, seekable reader over the object (see RangeReader), pinned to `etag` if
    given. If reading failed because storage did not answer, that error is raised when the
    block ends, whatever the code that read made of it (a parser reports it as a damaged file)."""
    raw = RangeReader(key, size, etag)
    with io.BufferedReader(raw, READ_BLOCK) as reader:
        try:
            yield reader
        except Exception:
            if raw.storage_error is not None:
                raise raw.storage_error from None
            raise
        if raw.storage_error is not None:
            raise raw.storage_error


@dataclass(frozen=True)
class StoredObject:
    """One object as a bucket listing shows it."""

    key: str
    size: int
    last_modified: datetime


def list_objects(prefix: str, *, page_size: int = 1000) -> Iterator[list[StoredObject]]:
    """The objects under `prefix`, one listing page (up to `page_size`) at a time."""
    paginator = aws.s3().get_paginator("list_objects_v2")
    pages = paginator.paginate(Bucket=settings.MEDIAHUB_BUCKET, Prefix=prefix, PaginationConfig={"PageSize": page_size})
    for page in pages:
        yield [
            StoredObject(key=obj["Key"], size=obj["Size"], last_modified=obj["LastModified"])
            for obj in page.get("Contents", [])
        ]


@dataclass(frozen=True)
class MultipartUpload:
    """A multipart upload S3 holds parts for: started, neither completed nor aborted."""

    key: str
    upload_id: str
    initiated: datetime


def list_multipart_uploads(*, page_size: int = 1000) -> Iterator[list[MultipartUpload]]:
    """Every unfinished multipart upload in the bucket, one listing page at a time."""
    paginator = aws.s3().get_paginator("list_multipart_uploads")
    pages = paginator.paginate(Bucket=settings.MEDIAHUB_BUCKET, PaginationConfig={"PageSize": page_size})
    for page in pages:
        yield [
            MultipartUpload(key=upload["Key"], upload_id=upload["UploadId"], initiated=upload["Initiated"])
            for upload in page.get("Uploads", [])
        ]


def media_id_of(key: str) -> str | None:
    """The media id a key belongs to (media/<id>/<file>, thumbnails/<id>.webp or
    previews/<id>.webp), if it has one."""
    prefix, _, rest = key.partition("/")
    if prefix == MEDIA_PREFIX:
        media_id, slash, filename = rest.partition("/")
        return media_id if media_id and slash and filename else None
    if prefix in RENDITION_PREFIXES and rest.endswith(".webp"):
        return rest.removesuffix(".webp") or None
    return None
