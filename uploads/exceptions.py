"""Domain errors raised by uploads services and selectors (see mediahub.exceptions)."""

from __future__ import annotations

from mediahub.exceptions import (
    Conflict,
    InvalidInput,
    NotFound,
    StorageUnavailable,
    TooLarge,
    Unprocessable,
    UnsupportedType,
)


class MediaNotFound(NotFound):
    """No such media item, or it belongs to someone the caller may not see."""

    default_message = "There is nothing here, or it is not yours to see."


class UploadFailed(StorageUnavailable):
    """The upload could not be stored; nothing was kept."""


class StaleEdit(Conflict):
    """The item changed since the editor loaded it."""

    default_message = "The item changed meanwhile; look at it again."


class InvalidCursor(InvalidInput):
    """A pagination cursor was forged, tampered with or belongs to another listing."""

    default_message = (
        "That page link is invalid or has been altered, or belongs to another search, filter, order or page size. "
        "Start again from the first page."
    )


class UploadTooLarge(TooLarge):
    """The declared size is above the configured maximum."""


class UnsupportedMediaType(UnsupportedType):
    """The file is not an image, video, audio file or document."""


class UploadNotPending(Conflict):
    """The upload has already finished (or was rejected); it cannot be changed as an upload."""


class UploadIncomplete(Conflict):
    """The bytes have not arrived in S3 (yet), or S3 refused the parts given."""


class UploadRejected(Unprocessable):
    """Processing found the file is not what it claims to be; the message says why."""


class TooManyPendingUploads(Conflict):
    """The member already has as many unfinished uploads as one may have."""


class NotTheSameFile(Conflict):
    """The file offered to resume an upload is not the one it started with."""


class UploadStillPending(Conflict):
    """The item's file is still being checked; it cannot be edited until that is done."""

    default_message = "This upload is still being checked; you can edit it once it is ready."


class ProcessingInterrupted(StorageUnavailable):
    """Storage stopped answering while a file was being checked; it stays pending, whole."""

    default_message = (
        "Storage stopped answering while the file was being checked. Nothing was deleted: "
        "it stays pending and can be checked again in a minute."
    )


class InvalidRequestBody(InvalidInput):
    """The JSON API's request body is not JSON, not an object, or not the shape an endpoint takes."""


class InvalidMediaType(InvalidInput):
    """The declared content type is not a bare RFC 6838 media type."""

    default_message = "Give a media type such as image/jpeg, with no parameters or spaces."


class InvalidPartNumbers(InvalidInput):
    """Part numbers outside S3's range, repeated, or none at all."""


class TooManyParts(TooLarge):
    """More parts in one request than the portal handles at once."""


class RequestTooLarge(TooLarge):
    """The request body is over Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
