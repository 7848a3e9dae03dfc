"""Helpers the tests share: signing in, reading pages, uploading through the form."""

from __future__ import annotations

from django.test import Client

from tests.factories import PASSWORD


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Client:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return client
