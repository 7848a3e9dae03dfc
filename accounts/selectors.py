"""Reads of users and of the signed-in user behind a request."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase
from django.utils.crypto import constant_time_compare

from accounts.exceptions import UserNotFound
from accounts.models import USERNAME_MAX_LENGTH, Role, User
from accounts.sessions import SESSION_HASH_KEY, SESSION_USER_KEY


def normalize_username(username: str) -> str:
    return username.strip().lower()


def user_get(username: str) -> User:
    """The user with this username (any case); UserNotFound if there is none."""
    username = normalize_username(username)
    if len(username) > USERNAME_MAX_LENGTH:
        raise UserNotFound
    try:
        return User.get(username)
    except User.DoesNotExist as exc:
        raise UserNotFound from exc


def user_list() -> list[User]:
    """Every user, by username. The users table is small, so a Scan is fine here."""
    return sorted(User.scan(), key=lambda user: user.username)


def admin_exists() -> bool:
    return any(user.role == Role.ADMIN and user.is_active for user in User.scan())


def user_for_session(session: SessionBase) -> User | None:
    """The active user this session signed in, while that sign-in still holds: the
    user exists, is active and has not changed password since. One DynamoDB read."""
    username = session.get(SESSION_USER_KEY)
    if not username:
        return None
    try:
        user = User.get(username)
    except User.DoesNotExist:
        return None
    session_hash = session.get(SESSION_HASH_KEY, "")
    if not user.is_active or not constant_time_compare(session_hash, user.session_auth_hash()):
        return None
    return user
