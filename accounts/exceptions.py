"""Domain errors raised by accounts services."""

from __future__ import annotations


class InvalidCredentials(Exception):
    """The username and password do not match an active user."""


class LoginThrottled(Exception):
    """Too many failed sign-ins for this username or address; wait for the window to pass."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class UsernameTaken(Exception):
    """Another user already has this username."""


class UserNotFound(Exception):
    """No user has this username."""
