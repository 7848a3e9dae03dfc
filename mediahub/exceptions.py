"""The base of every domain error, and the HTTP status each family of them means.

Services raise the specific error (`MediaNotFound`, `StaleEdit`, ...); an interface
turns it into a status by looking at the family it belongs to, so a new error needs
no new mapping: `error.status_code` follows the class hierarchy.
"""

from __future__ import annotations

from typing import ClassVar


class MediaHubError(Exception):
    """Something the caller asked for cannot be done; the message says why."""

    status_code: ClassVar[int] = 400
    default_message: ClassVar[str] = "The request cannot be carried out."

    def __str__(self) -> str:
        return super().__str__() or self.default_message


class InvalidInput(MediaHubError):
    """The request is malformed or names something that cannot exist."""


class Unauthenticated(MediaHubError):
    """The caller must sign in (again) first."""

    status_code = 401


class Forbidden(MediaHubError):
    """The caller may not do this, whoever they are."""

    status_code = 403


class NotFound(MediaHubError):
    """No such thing, or not one the caller may see."""

    status_code = 404


class Conflict(MediaHubError):
    """The thing is not in a state that allows this; look at it again."""

    status_code = 409


class PreconditionFailed(MediaHubError):
    """The caller's copy (If-Match) is not the current one."""

    status_code = 412


class PreconditionRequired(MediaHubError):
    """A change must say which version it changes (If-Match)."""

    status_code = 428


class TooLarge(MediaHubError):
    """The content is over a configured limit."""

    status_code = 413


class UnsupportedType(MediaHubError):
    """The content is of a type the portal does not take."""

    status_code = 415


class Unprocessable(MediaHubError):
    """The content was read and found to be not what it claims to be."""

    status_code = 422


class Throttled(MediaHubError):
    """Too many attempts; wait `retry_after` seconds before trying again."""

    status_code = 429
    default_message = "Too many attempts."

    def __init__(self, retry_after: int) -> None:
        minutes = -(-retry_after // 60)
        super().__init__(f"{self.default_message} Try again in {minutes} minute{'s' if minutes != 1 else ''}.")
        self.retry_after = retry_after


class StorageUnavailable(MediaHubError):
    """S3 or DynamoDB did not answer in time; nothing was changed."""

    status_code = 503
