"""API v1: one NinjaAPI assembling each app's endpoints, authenticated by token or session,
with problem+json errors. Its schema is at /api/v1/openapi.json, its docs at /api/v1/docs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from accounts.endpoints import router as accounts_router
from api import problems
from api.auth import BearerToken, SessionCookie
from sharing.endpoints import router as sharing_router
from uploads.endpoints import router as uploads_router

api = NinjaAPI(
    title="Media Hub API",
    version="1",
    description="Everything a person can do in the portal, for programs. Errors are RFC 9457 problem details.",
    auth=[BearerToken(), SessionCookie()],
    urls_namespace="api-1",
)
problems.install(api)
api.add_router("/", accounts_router)
api.add_router("/", uploads_router)
api.add_router("/", sharing_router)


@login_not_required
def nowhere(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /api/v1/: a 404 problem, not the portal's HTML page."""
    return problems.problem(404, "There is no such API endpoint; see /api/v1/docs.")


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URLs for `path(…, include)`, each let past the portal's sign-in redirect:
    the API authenticates its callers itself and answers 401, never a sign-in page."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(_problem_for_wrong_method(pattern.callback))
    return [*patterns, re_path(r"^(?P<path>.*)$", nowhere)], app_name, namespace


def _problem_for_wrong_method(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a method a path does not take with a bare text 405; make it a problem."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != HTTPStatus.METHOD_NOT_ALLOWED:
            return response
        allowed = response["Allow"]
        refused = problems.problem(405, f"{request.method} is not allowed here; use {allowed}.")
        refused["Allow"] = allowed
        return refused

    return wrapper
