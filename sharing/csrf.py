"""CSRF for the share pages' password form.

Share pages send `Referrer-Policy: no-referrer` (their URL holds the token), and with that
policy browsers send `Origin: null` on a form POST, which Django's CSRF check refuses as a
foreign origin. Here `null` is let through the origin check only: the CSRF token in the
form must still match the cookie, as on every other form. Django's own check stays in
force for every other page (an `Origin: null` also comes from sandboxed frames).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt


class NoReferrerCsrfMiddleware(CsrfViewMiddleware):
    # Django's own hook for the origin check (private, so django-stubs leaves it out).
    def _origin_verified(self, request: HttpRequest) -> bool:
        verified: bool = super()._origin_verified(request)  # type: ignore[misc]
        return verified or request.META.get("HTTP_ORIGIN") == "null"


def csrf_protect_without_referrer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Django's CSRF protection for `view`, accepting the `Origin: null` of a no-referrer page."""
    protected = decorator_from_middleware(NoReferrerCsrfMiddleware)(view)
    return csrf_exempt(cast("Callable[..., HttpResponse]", protected))
