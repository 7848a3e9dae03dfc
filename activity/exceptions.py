"""Domain errors of the activity log (see mediahub.exceptions)."""

from __future__ import annotations

from mediahub.exceptions import InvalidInput, NotFound


class ActivityNotFound(NotFound):
    """The log is for admins only (and each item's owner, on the item's page)."""

    default_message = "There is nothing here, or it is not yours to see."


class InvalidActivityCursor(InvalidInput):
    """A page link was forged, altered, or belongs to another filter."""

    default_message = "That page link is invalid or belongs to another filter. Start again from the first page."
