"""Which URLs a request resolves in: the API's only for the API's requests."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix

API_PREFIX = "/api/v1/"


def api_path(path: str) -> str:
    """The path of an API v1 URL, under the stage's prefix on API Gateway. Portal pages link
    to the API this way: its URLs are not among theirs (see ApiUrlconfMiddleware)."""
    return get_script_prefix() + API_PREFIX.lstrip("/") + path


class ApiUrlconfMiddleware:
    """Requests under /api/v1/ resolve in `api.urls`, the portal's URLs plus the API's;
    every other request in the portal's own, which never import Django Ninja and pydantic.
    Django builds every URL an included URLconf holds on the first link a page makes, so
    the API could not load lazily otherwise: that import is about a third of a cold start
    (bench/README.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            # Django's documented per-request URLconf, which django-stubs does not declare.
            request.urlconf = "api.urls"  # type: ignore[attr-defined]
        return self.get_response(request)
