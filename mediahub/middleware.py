"""Response-wide rules: domain errors become error pages (S3 or DynamoDB not answering
becomes a 503 that says so); security headers on every response."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views import defaults

from mediahub import aws
from mediahub.exceptions import MediaHubError, StorageUnavailable, Throttled
from mediahub.http import PortalRequest

logger = logging.getLogger(__name__)


class DomainErrorMiddleware:
    """The one place an HTML view's `MediaHubError` turns into a page (the JSON API has its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: PortalRequest, view_func: Callable[..., HttpResponse], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        # The first touch of storage in a request is loading its session and user, in the
        # middleware that decides who may see the view. Django turns an exception there
        # into a 500 without asking process_exception, so load it here first.
        try:
            bool(request.user.is_authenticated)
        except Exception as exc:
            return self.process_exception(request, exc)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = domain_error(exception, writing=request.method not in ("GET", "HEAD"))
        return None if error is None else error_page(request, error)


def error_page(request: HttpRequest, error: MediaHubError) -> HttpResponse:
    """The page for a domain error, with its status code."""
    status = error.status_code
    context = {"title": HTTPStatus(status).phrase, "message": str(error)}
    # Storage being down, the page must not read the session or the user again: 503.html
    # stands alone.
    template = "503.html" if isinstance(error, StorageUnavailable) else "error.html"
    return with_retry_after(render(request, template, context, status=status), error)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page, unless drawing it (which shows who is signed in) finds storage
    down: an unknown URL then answers 503 like any other page."""
    try:
        return defaults.page_not_found(request, exception)
    except Exception as exc:
        error = domain_error(exc, writing=False)
        if error is None:
            raise
        return error_page(request, error)


RETRY_AFTER_SECONDS = 30


def with_retry_after(response: HttpResponse, error: MediaHubError) -> HttpResponse:
    """Tell the client when to try again after storage did not answer or it was throttled."""
    if isinstance(error, StorageUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    elif isinstance(error, Throttled):
        response["Retry-After"] = str(error.retry_after)
    return response


def domain_error(exception: Exception, *, writing: bool) -> MediaHubError | None:
    """The domain error `exception` is or stands for (storage not answering becomes
    `StorageUnavailable`), or None for a real bug, which must stay a 500 and be logged."""
    if isinstance(exception, MediaHubError):
        return exception
    if not aws.unavailable(exception):
        return None
    logger.warning("Storage did not answer: %r", exception)
    if writing:
        return StorageUnavailable(
            "Storage is not answering right now. Your change may not have been saved: "
            "look again in a minute before you repeat it."
        )
    return StorageUnavailable("Storage is not answering right now; nothing was changed. Try again in a minute.")


def content_security_policy() -> str:
    """Scripts, styles and everything else from the portal only (no inline code); files,
    thumbnails and uploads also from the media bucket, which the signed URLs point at."""
    bucket = " ".join(aws.s3_browser_origins())
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        # data: for the empty favicon and the uploader's icons, blob: for its previews.
        "img-src": f"'self' data: blob: {bucket}",
        "media-src": f"'self' {bucket}",
        "connect-src": f"'self' {bucket}",
        # A shared PDF shows in a frame, straight from the bucket.
        "frame-src": bucket,
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response; no caching anywhere of a response to a
    signed-in user (pages and API answers carry signed links); in production every cookie
    Secure, deletions included. Static files never get here: WhiteNoise answers them first
    and keeps their long caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Under DEBUG, error pages are Django's technical pages, which style themselves inline.
        if not (settings.DEBUG and response.status_code >= HTTPStatus.BAD_REQUEST):
            response.headers.setdefault("Content-Security-Policy", content_security_policy())
        # Signed in means a session cookie, in the request or set by this response, or an
        # API token (Authorization): asking request.user could be the request's first
        # DynamoDB read, and fail if it stalls.
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or settings.SESSION_COOKIE_NAME in response.cookies
            or "Authorization" in request.headers
        ):
            patch_cache_control(response, private=True, no_store=True)
        if settings.SECURE_COOKIES:
            for cookie in response.cookies.values():
                cookie["secure"] = True
        return response
