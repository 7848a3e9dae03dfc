"""View decorators for who may use a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from mediahub.http import AuthedRequest


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only admins may use the view; members get 403."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
