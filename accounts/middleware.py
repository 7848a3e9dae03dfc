"""Who is signed in, and the rule that every page needs someone to be."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.functional import SimpleLazyObject

from accounts.selectors import user_from_session


class AuthenticationMiddleware:
    """Sets `request.user`, read from DynamoDB at most once and only when used."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = SimpleLazyObject(lambda: user_from_session(request))
        return self.get_response(request)


class LoginRequiredMiddleware:
    """Sends anonymous visitors to the sign-in page, except for views marked
    with Django's `login_not_required`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True) or request.user.is_authenticated:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"error": "Sign in first."}, status=401)
        query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
