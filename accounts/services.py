"""Writes to users and sessions: sign-in with throttling, sign-out, user management."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django.utils import timezone
from pynamodb.exceptions import PutError, PynamoDBException

from accounts import throttling
from accounts.exceptions import InvalidCredentials, InvalidTokenExpiry, UsernameTaken, UserNotFound
from accounts.models import USERNAME_MAX_LENGTH, AccessToken, Role, SessionRecord, User
from accounts.selectors import normalize_username, user_get
from accounts.sessions import SESSION_HASH_KEY, SESSION_USER_KEY
from mediahub import tokens
from mediahub.aws import condition_failed
from mediahub.http import PortalRequest

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

logger = logging.getLogger(__name__)

# Checked against when the username is unknown: Django then runs the hasher on a
# random password, so a miss costs as long as a hit.
_UNUSABLE_HASH = make_password(None)


def user_create(*, username: str, password: str, email: str = "", role: str = Role.MEMBER) -> User:
    """Create a user; the username must fit USERNAME_MAX_LENGTH and the password pass the
    configured validators."""
    if len(normalize_username(username)) > USERNAME_MAX_LENGTH:
        raise ValidationError(f"A username has at most {USERNAME_MAX_LENGTH} characters.")
    user = User(
        username=normalize_username(username),
        email=email.strip(),
        role=role,
        date_joined=timezone.now(),
        password="",
    )
    validate_password(password, _as_django_user(user))
    user.password = make_password(password)
    try:
        user.save(condition=User.username.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            raise UsernameTaken from exc
        raise
    return user


def _as_django_user(user: User) -> AbstractBaseUser:
    # Django's password validators read only the attributes they name (username,
    # email), which the PynamoDB User has; its type is not Django's user model.
    return cast("AbstractBaseUser", user)


def check_user_password(*, user: User, password: str) -> bool:
    return check_password(password, user.password)


def user_set_password(*, user: User, password: str) -> None:
    """Set a new password. Every session of the user ends, except one the caller renews."""
    validate_password(password, _as_django_user(user))
    user.update(actions=[User.password.set(make_password(password))])


def user_set_role(*, user: User, role: str) -> None:
    user.update(actions=[User.role.set(role)])


def user_set_active(*, user: User, active: bool) -> None:
    """(De)activate a user; deactivation ends all of the user's sessions and API tokens at once."""
    user.update(actions=[User.is_active.set(active)])
    if not active:
        user_end_sessions(username=user.username)
        tokens_end_for_user(username=user.username)


def user_end_sessions(*, username: str) -> None:
    with SessionRecord.batch_write() as batch:
        for record in SessionRecord.by_username.query(username):
            batch.delete(record)


def user_authenticate(*, username: str, password: str, address: str) -> User:
    """The active user with these credentials. The attempt is first reserved against the
    username's and the address's throttle (LoginThrottled when either is used up); a
    success clears the username's count and gives the address its attempt back."""
    username_key, address_key = f"username:{normalize_username(username)}", f"address:{address}"
    _, address_attempt = throttling.attempts_reserve((username_key, address_key), now=timezone.now())
    user = _user_matching(username=username, password=password)
    if user is None:
        raise InvalidCredentials
    throttling.failures_reset(username_key)
    throttling.attempt_release(address_attempt)
    return user


def _user_matching(*, username: str, password: str) -> User | None:
    """The active user with this password, or None. The hasher runs exactly once whether the
    user is unknown, inactive, or gave a wrong or the right password: timing tells nothing."""
    try:
        user: User | None = user_get(username)
    except UserNotFound:
        user = None
    matches = check_password(password, user.password if user is not None else _UNUSABLE_HASH)
    return user if user is not None and user.is_active and matches else None


def login(request: PortalRequest, user: User) -> None:
    """Attach `user` to a fresh session key, so a key planted before sign-in is worthless."""
    request.session.cycle_key()
    request.session[SESSION_USER_KEY] = user.username
    request.session[SESSION_HASH_KEY] = user.session_auth_hash()
    rotate_token(request)
    user.update(actions=[User.last_login.set(timezone.now())])
    request.user = user


def logout(request: HttpRequest) -> None:
    """Delete the session server-side, so a replayed cookie no longer signs anyone in."""
    request.session.flush()


def session_renew_after_password_change(request: HttpRequest, user: User) -> None:
    """Keep the current session signed in after its own user changed password."""
    request.session.cycle_key()
    request.session[SESSION_HASH_KEY] = user.session_auth_hash()


TOKEN_PREFIX = "mhp_"  # noqa: S105 - a public prefix, not a secret
TOKEN_LONGEST = timedelta(days=365)
# A token's last use is written at most this often: reads through the API stay reads.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def token_create(*, user: User, name: str, scope: str, expires_at: datetime) -> tuple[AccessToken, str]:
    """A new personal access token for `user`, and the token itself: the only time it exists
    outside the client that keeps it, since the table holds its hash."""
    now = timezone.now()
    if not now < expires_at <= now + TOKEN_LONGEST + timedelta(minutes=1):
        raise InvalidTokenExpiry
    token = tokens.token_new(TOKEN_PREFIX)
    record = AccessToken(
        token_hash=tokens.token_hash(token),
        username=user.username,
        name=name,
        scope=scope,
        created_at=now,
        expires_at=expires_at,
    )
    record.save(condition=AccessToken.token_hash.does_not_exist())
    return record, token


def token_revoke(*, token: AccessToken) -> None:
    token.delete()


def tokens_end_for_user(*, username: str) -> None:
    """End every token of the user (a deactivated user's tokens are refused anyway)."""
    with AccessToken.batch_write() as batch:
        for token in AccessToken.by_username.query(username):
            batch.delete(token)


def token_record_use(*, token: AccessToken) -> None:
    """Note that the token was used, at most once a minute; never fails the request, and
    never brings a revoked token back."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    try:
        token.update(actions=[AccessToken.last_used_at.set(now)], condition=AccessToken.token_hash.exists())
    except PynamoDBException as exc:
        if not condition_failed(exc):
            logger.warning("Could not record the use of a token of %s: %r", token.username, exc)
