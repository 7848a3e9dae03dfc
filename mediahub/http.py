"""Request types: what middleware has attached to a request by the time a view sees it.

Django types `request.user` as its own user model; here it is the PynamoDB `User`
(accounts.models). As django-htmx types `HtmxHttpRequest`, views annotate their
request with the class that says what is really there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import AnonymousUser, User


class PortalRequest(HttpRequest):
    """Any request: signed in or not (sign-in page, error pages)."""

    user: User | AnonymousUser  # type: ignore[assignment]


class AuthedRequest(HttpRequest):
    """A request LoginRequiredMiddleware let through: someone is signed in."""

    user: User  # type: ignore[assignment]


def client_address(request: HttpRequest) -> str:
    """The address API Gateway saw. Behind it, REMOTE_ADDR comes from X-Forwarded-For,
    whose first entries the client can forge; the event's sourceIp it cannot."""
    context = request.META.get("lambda.event", {}).get("requestContext", {})
    source = context.get("identity", {}).get("sourceIp") or context.get("http", {}).get("sourceIp")
    return str(source or request.META.get("REMOTE_ADDR", ""))
