"""Reads of users and of the signed-in user behind a request."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.exceptions import TokenNotFound, UserNotFound
from accounts.models import USERNAME_MAX_LENGTH, AccessToken, Role, User
from accounts.sessions import SESSION_HASH_KEY, SESSION_USER_KEY
from mediahub import tokens


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


@dataclass(frozen=True)
class TokenHolder:
    """The active user a working token belongs to, with the token."""

    user: User
    token: AccessToken


def token_authenticate(token: str, *, prefix: str) -> TokenHolder | None:
    """Who `token` signs in, if it is well formed, known, unexpired and its user active.
    Two DynamoDB reads; a malformed token costs none."""
    if not tokens.token_well_formed(token, prefix):
        return None
    try:
        record = AccessToken.get(tokens.token_hash(token), consistent_read=True)
        user = User.get(record.username)
    except (AccessToken.DoesNotExist, User.DoesNotExist):
        return None
    if record.expires_at <= timezone.now() or not user.is_active:
        return None
    return TokenHolder(user=user, token=record)


def tokens_for_user(username: str) -> list[AccessToken]:
    """The user's tokens that still work, newest first."""
    still = AccessToken.expires_at > timezone.now()
    return list(AccessToken.by_username.query(username, filter_condition=still, scan_index_forward=False))


def token_get_for_user(*, token_hash: str, user: User) -> AccessToken:
    """One of the user's own tokens, by the hash their tokens page names it with."""
    record = tokens.record_for_hash(AccessToken, token_hash)
    if record is None or record.username != user.username:
        raise TokenNotFound
    return record
