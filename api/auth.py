"""Who calls the API: a personal access token (`Authorization: Bearer …`, no CSRF: a
browser never sends it on its own), or the portal's session cookie (CSRF-checked, as
every cookie-authenticated write must be)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from accounts.models import AccessToken, User
from accounts.selectors import token_authenticate
from accounts.services import TOKEN_PREFIX, token_record_use
from accounts.throttling import Budget, attempts_reserve
from mediahub.exceptions import Forbidden, Throttled

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The steps of an upload already declared (sign parts, complete, finish, resume, cancel):
# an upload counts once against the write rate, when it is declared.
UPLOAD_STEP = re.compile(r"/api/v1/uploads/[^/]+(/(parts|complete|finish|resume))?|/api/v1/upload-batches/finish")
# A batch of uploads declared at once counts each of its uploads; the endpoint, which
# knows how many there are, counts them (writes_count).
COUNTED_BY_ENDPOINT = re.compile(r"/api/v1/upload-batches")
# Questions too long for a URL, sent as a POST: reads, whatever the method.
READ_POSTS = re.compile(r"/api/v1/media/sha256")


class TooManyWrites(Throttled):
    """The token made as many changes as it may in a minute."""

    default_message = "Too many changes through this token."


class ReadOnlyToken(Forbidden):
    """The token's scope is `read`; this would change something."""

    default_message = "This token may only read. Make a read-write token to change anything."


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        holder = token_authenticate(token, prefix=TOKEN_PREFIX)
        if holder is None:
            return None
        path = request.path_info
        if request.method not in SAFE_METHODS and not READ_POSTS.fullmatch(path):
            counted = not (UPLOAD_STEP.fullmatch(path) or COUNTED_BY_ENDPOINT.fullmatch(path))
            _count_write(holder.token, counted=counted)
        token_record_use(token=holder.token)
        _attach(request, holder.user, holder.token)
        return holder.user


class SessionCookie(APIKeyCookie):
    """The signed-in portal user (the browser's uploader, the docs page)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        _attach(request, user, None)
        return user  # type: ignore[no-any-return]


def _count_write(token: AccessToken, *, counted: bool) -> None:
    """A change through a token: allowed by its scope, and counted against its rate, which
    answers 429 with Retry-After once MEDIAHUB_API_WRITES_PER_MINUTE are used up."""
    if not token.can_write:
        raise ReadOnlyToken
    if counted:
        _reserve_writes(token, 1)


def writes_count(request: HttpRequest, count: int) -> None:
    """Count `count` changes at once against the caller's token (none for a session): all
    of them, or none and a 429 if the minute's window has no room for them all."""
    token: AccessToken | None = getattr(request, "api_token", None)
    if token is not None:
        _reserve_writes(token, count)


def _reserve_writes(token: AccessToken, count: int) -> None:
    budget = Budget(settings.MEDIAHUB_API_WRITES_PER_MINUTE, 60)
    key = f"api-writes:{token.token_hash}"
    attempts_reserve([key], now=timezone.now(), refusal=TooManyWrites, budget=budget, count=count)


def _attach(request: HttpRequest, user: User, token: AccessToken | None) -> None:
    # What views read: the PynamoDB user, as on the portal's pages, and the token if any.
    request_any: Any = request
    request_any.user, request_any.api_token = user, token
