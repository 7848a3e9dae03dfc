"""Who is signed in, and the rule that every page needs someone to be."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.functional import SimpleLazyObject

from accounts.models import AnonymousUser, User
from accounts.selectors import user_for_session
from accounts.services import logout
from accounts.sessions import SESSION_USER_KEY
from mediahub.http import PortalRequest


class AuthenticationMiddleware:
    """Sets `request.user`, read from DynamoDB at most once and only when used."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        portal_request = cast(PortalRequest, request)
        portal_request.user = cast(User, SimpleLazyObject(lambda: _request_user(portal_request)))
        return self.get_response(request)


def _request_user(request: PortalRequest) -> User | AnonymousUser:
    """The signed-in user, or an anonymous one; a session whose sign-in no longer holds
    (user deactivated or deleted, password changed) is ended."""
    user = user_for_session(request.session)
    if user is not None:
        return user
    if request.session.get(SESSION_USER_KEY):
        logout(request)
    return AnonymousUser()


class LoginRequiredMiddleware:
    """Sends anonymous visitors to the sign-in page, except for views marked
    with Django's `login_not_required`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: PortalRequest, view_func: Callable[..., HttpResponse], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True) or request.user.is_authenticated:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"error": "Sign in first."}, status=401)
        query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
