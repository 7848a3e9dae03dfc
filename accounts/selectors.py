"""Reads of users and of the signed-in user behind a request."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from accounts.exceptions import UserNotFound
from accounts.models import AnonymousUser, Role, User
from accounts.sessions import SESSION_HASH_KEY, SESSION_USER_KEY


def normalize_username(username: str) -> str:
    return username.strip().lower()


def user_get(username: str) -> User:
    try:
        return User.get(normalize_username(username))
    except User.DoesNotExist as exc:
        raise UserNotFound from exc


def user_list() -> list[User]:
    """Every user, by username. The users table is small, so a Scan is fine here."""
    return sorted(User.scan(), key=lambda user: user.username)


def admin_exists() -> bool:
    return any(user.role == Role.ADMIN and user.is_active for user in User.scan())


def user_from_session(request: HttpRequest) -> User | AnonymousUser:
    """The active user whose session this is (one DynamoDB read), or an anonymous one.

    A session whose user was deactivated, deleted or changed password is ended.
    """
    username = request.session.get(SESSION_USER_KEY)
    if not username:
        return AnonymousUser()
    try:
        user = User.get(username)
    except User.DoesNotExist:
        user = None
    session_hash = request.session.get(SESSION_HASH_KEY, "")
    if user is None or not user.is_active or not constant_time_compare(session_hash, user.session_auth_hash()):
        request.session.flush()
        return AnonymousUser()
    return user
