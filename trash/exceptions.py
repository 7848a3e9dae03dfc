"""Domain errors raised by trash services and selectors (see mediahub.exceptions)."""

from __future__ import annotations

from mediahub.exceptions import Conflict, InvalidInput, NotFound


class TrashNotFound(NotFound):
    """No such item in the caller's trash: never there, not theirs, restored or purged."""

    default_message = "This item is not in your trash: it may have been restored or deleted forever."


class RestoreConflict(Conflict):
    """An item with this id is in the media table already; the trashed copy stays put."""

    default_message = "An item with this id exists already, so this one stays in the trash."


class BeingPurged(Conflict):
    """A purge of the item has started: its files may be going, so it cannot come back."""

    default_message = "This item is being deleted forever and can no longer be restored."


class InvalidTrashCursor(InvalidInput):
    """A Trash page link was forged, tampered with, or belongs to someone else's trash."""

    default_message = "That page link is invalid or has been altered. Start again from the first page."
