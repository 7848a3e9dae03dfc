"""Domain errors raised by accounts services (see mediahub.exceptions)."""

from __future__ import annotations

from mediahub.exceptions import Conflict, NotFound, Throttled, Unauthenticated


class InvalidCredentials(Unauthenticated):
    """The username and password do not match an active user."""

    default_message = "That username and password do not match an active account."


class LoginThrottled(Throttled):
    """Too many failed sign-ins for this username or address; wait for the window to pass."""

    def __init__(self, retry_after: int) -> None:
        minutes = -(-retry_after // 60)
        super().__init__(f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes != 1 else ''}.")
        self.retry_after = retry_after


class UsernameTaken(Conflict):
    """Another user already has this username."""

    default_message = "A user with that username exists."


class UserNotFound(NotFound):
    """No user has this username."""
