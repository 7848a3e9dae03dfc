"""Domain errors raised under an HTML view become an error page with their status code;
S3 or DynamoDB not answering becomes a 503 that says so."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mediahub.aws import unavailable
from mediahub.exceptions import MediaHubError, StorageUnavailable
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
        if error is None:
            return None
        status = error.status_code
        context = {"title": HTTPStatus(status).phrase, "message": str(error)}
        # Storage being down, the page must not read the session or the user again: 503.html
        # stands alone.
        template = "503.html" if isinstance(error, StorageUnavailable) else "error.html"
        return with_retry_after(render(request, template, context, status=status), error)


RETRY_AFTER_SECONDS = 30


def with_retry_after(response: HttpResponse, error: MediaHubError) -> HttpResponse:
    """Tell the client when to try again after storage did not answer."""
    if isinstance(error, StorageUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def domain_error(exception: Exception, *, writing: bool) -> MediaHubError | None:
    """The domain error `exception` is or stands for (storage not answering becomes
    `StorageUnavailable`), or None for a real bug, which must stay a 500 and be logged."""
    if isinstance(exception, MediaHubError):
        return exception
    if not unavailable(exception):
        return None
    logger.warning("Storage did not answer: %r", exception)
    if writing:
        return StorageUnavailable(
            "Storage is not answering right now. Your change may not have been saved: "
            "look again in a minute before you repeat it."
        )
    return StorageUnavailable("Storage is not answering right now; nothing was changed. Try again in a minute.")
