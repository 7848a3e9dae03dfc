"""Response-wide rules: domain errors become error pages; security headers on every response."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from mediahub import aws
from mediahub.exceptions import MediaHubError


class DomainErrorMiddleware:
    """The one place an HTML view's `MediaHubError` turns into a page (the JSON API has its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MediaHubError):
            return None
        status = exception.status_code
        context = {"title": HTTPStatus(status).phrase, "message": str(exception)}
        return render(request, "error.html", context, status=status)


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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        if settings.SECURE_COOKIES:
            for cookie in response.cookies.values():
                cookie["secure"] = True
        return response
