"""Domain errors raised by uploads services and selectors."""

from __future__ import annotations


class MediaNotFound(Exception):
    """No such media item, or it belongs to someone the caller may not see."""


class UploadFailed(Exception):
    """The upload could not be stored; nothing was kept."""


class StaleEdit(Exception):
    """The item changed since the editor loaded it."""


class InvalidCursor(Exception):
    """A pagination cursor was forged, tampered with or belongs to another listing."""


class UploadTooLarge(Exception):
    """The declared size is above the configured maximum."""


class UnsupportedMediaType(Exception):
    """The file is not an image, video, audio file or document."""


class UploadNotPending(Exception):
    """The upload has already finished (or was rejected); it cannot be changed as an upload."""


class UploadIncomplete(Exception):
    """The bytes have not arrived in S3 (yet), or S3 refused the parts given."""


class UploadRejected(Exception):
    """Processing found the file is not what it claims to be; the message says why."""
