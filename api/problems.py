"""One error shape for the whole API: RFC 9457 problem details (`type`, `title`, `status`,
`detail`), mapped here, and only here, from the domain errors and from what Django Ninja
raises. No HTML page and no bare 500 reaches an API client."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from mediahub.exceptions import MediaHubError
from mediahub.middleware import domain_error, with_retry_after

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str, **extra: Any) -> HttpResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type=PROBLEM_TYPE)


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every error into a problem response."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))} for error in exc.errors]
        return problem(422, "Some fields are missing or invalid.", errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(401, "Sign in, or send a valid token: Authorization: Bearer <token>.")
        response["WWW-Authenticate"] = 'Bearer realm="mediahub"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "There is nothing here.")

    @api.exception_handler(Exception)
    def anything_else(request: HttpRequest, exc: Exception) -> HttpResponse:
        error = domain_error(exc, writing=request.method not in ("GET", "HEAD"))
        if error is None:
            logger.exception("API request %s %s failed", request.method, request.path)
            return problem(500, "Something went wrong on our side; it has been logged.")
        return domain_problem(error)

    @api.exception_handler(MediaHubError)
    def domain(request: HttpRequest, exc: MediaHubError) -> HttpResponse:
        return domain_problem(exc)


def domain_problem(error: MediaHubError) -> HttpResponse:
    return with_retry_after(problem(error.status_code, str(error)), error)
