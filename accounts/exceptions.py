"""Domain errors raised by accounts services (see mediahub.exceptions)."""

from __future__ import annotations

from mediahub.exceptions import Conflict, InvalidInput, NotFound, Throttled, Unauthenticated


class InvalidCredentials(Unauthenticated):
    """The username and password do not match an active user."""

    default_message = "That username and password do not match an active account."


class LoginThrottled(Throttled):
    """Too many failed sign-ins for this username or address; wait for the window to pass."""

    default_message = "Too many failed sign-ins."


class UsernameTaken(Conflict):
    """Another user already has this username."""

    default_message = "A user with that username exists."


class UserNotFound(NotFound):
    """No user has this username."""


class InvalidTokenExpiry(InvalidInput):
    """A token's expiry is in the past or more than a year away."""

    default_message = "A token lasts at most a year."


class TokenNotFound(NotFound):
    """No such token of the caller's."""

    default_message = "There is no such token."
