"""Domain errors raised under an HTML view become an error page with their status code."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
