"""Every form POST is refused without a CSRF token."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.selectors import user_get
from tests.factories import PASSWORD, MediaItemFactory
from uploads.models import MediaItem


@pytest.fixture
def strict_admin(admin, member):
    client = Client(enforce_csrf_checks=True)
    # Sign in with a token, as a browser would; the requests under test then omit it.
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    credentials = {"username": "root", "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert client.post("/accounts/login/", credentials).status_code == 302
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/logout/",
        "/accounts/password/",
        "/accounts/users/new/",
        "/accounts/users/alice/role/",
        "/accounts/users/alice/active/",
        "/accounts/users/alice/password/",
        "/upload/",
        "/media/{id}/edit/",
        "/media/{id}/delete/",
        "/media/{id}/shares/new/",
    ],
)
def test_post_without_csrf_token_is_forbidden_and_changes_nothing(strict_admin, path):
    item = MediaItemFactory(owner="root")
    data = {"name": "changed", "version": "1", "active": "0", "role": "admin", "password": "Another-pass-42"}

    response = strict_admin.post(path.format(id=item.id), data)

    assert response.status_code == 403
    assert b"CSRF verification failed" in response.content
    assert MediaItem.get(item.id).name == item.name
    alice = user_get("alice")
    assert (alice.is_active, alice.role) == (True, "member")
    assert strict_admin.get("/").status_code == 200  # still signed in


def test_sign_in_without_csrf_token_is_forbidden(member):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 403
