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
