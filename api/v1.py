"""API v1: one NinjaAPI assembling each app's endpoints, authenticated by token or session,
with problem+json errors. Its schema is at /api/v1/openapi.json, its docs at /api/v1/docs."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema

from accounts.endpoints import router as accounts_router
from albums.endpoints import router as albums_router
from api import problems
from api.auth import BearerToken, SessionCookie
from api.bodies import require_json_object
from mediahub.exceptions import MediaHubError
from sharing.endpoints import router as sharing_router
from trash.endpoints import router as trash_router
from uploads.endpoints import router as uploads_router


class ProblemAPI(NinjaAPI):
    """Django Ninja, documenting error answers as the problem+json they are sent as."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if str(status)[0] in "45" and "application/json" in response.get("content", {}):
                        response["content"] = {problems.PROBLEM_TYPE: response["content"]["application/json"]}
        return schema


class PortalSwagger(Swagger):
    """Swagger UI from the portal's own static files (the CSP allows no CDN), without
    Django Ninja in INSTALLED_APPS, which would import pydantic at every cold start."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, "api/docs.html", {"swagger_settings": json.dumps(self.settings), "api": api})


BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

api = ProblemAPI(
    title="Media Hub API",
    version="1",
    description="Everything a person can do in the portal, for programs. Errors are RFC 9457 problem details.",
    auth=[BearerToken(), SessionCookie()],
    urls_namespace="api-1",
    docs=PortalSwagger(),
)
problems.install(api)
api.add_router("/", accounts_router)
api.add_router("/", uploads_router)
api.add_router("/", sharing_router)
api.add_router("/", albums_router)
api.add_router("/", trash_router)


@login_not_required
def nowhere(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /api/v1/: a 404 problem, not the portal's HTML page."""
    return problems.problem(404, "There is no such API endpoint; see /api/v1/docs.")


def urlpatterns() -> list[URLPattern | URLResolver]:
    """The API's URL patterns, each let past the portal's sign-in redirect: the API
    authenticates its callers itself and answers 401, never a sign-in page."""
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(_strict(pattern.callback))
    return [*patterns, re_path(r"^(?P<path>.*)$", nowhere)]


def _strict(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every API view: a body must be one JSON object (api.bodies says why not, with a 400),
    and a method the path does not take is a problem too (Ninja answers it in bare text)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in BODY_METHODS and (request.content_type or "").endswith("json"):
            try:
                require_json_object(request)
            except MediaHubError as exc:
                return problems.domain_problem(exc)
        response = view(request, *args, **kwargs)
        if response.status_code != HTTPStatus.METHOD_NOT_ALLOWED:
            return response
        allowed = response["Allow"]
        refused = problems.problem(405, f"{request.method} is not allowed here; use {allowed}.")
        refused["Allow"] = allowed
        return refused

    return wrapper
