"""Domain errors raised by sharing services and selectors (see mediahub.exceptions)."""

from __future__ import annotations

from mediahub.exceptions import Conflict, Forbidden, InvalidInput, NotFound, Throttled, Unauthenticated


class ShareUnavailable(NotFound):
    """The link is unknown, expired or withdrawn, or its item is gone: all look the same,
    so a token cannot be probed."""

    default_message = "This link has expired or been withdrawn."


class ShareNotFound(NotFound):
    """No such share of this item (or not one the caller may see)."""

    default_message = "There is no such share link of this item."


class ShareNotAllowed(Conflict):
    """Only an item that is checked and ready can be shared."""

    default_message = "Only a checked, ready item can be shared."


class TooManyShares(Conflict):
    """The item has as many active share links as it may have."""


class InvalidShareExpiry(InvalidInput):
    """A share's expiry is outside the range a share may last."""


class SharePasswordWrong(Unauthenticated):
    """The password given for a protected link is not its password."""

    default_message = "That is not the password for this link."


class SharePasswordThrottled(Throttled):
    """Too many wrong passwords for this link or from this address; wait for the window."""

    default_message = "Too many wrong passwords for this link."


class DownloadNotAllowed(Forbidden):
    """The link lets its visitors view the file, not download it."""

    default_message = "This link lets you view the file, not download it."
