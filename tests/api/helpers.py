"""Helpers the API tests share: tokens made through the tokens page, as a person would."""

from __future__ import annotations

import re

from django.test import Client


def make_token(client: Client, *, scope: str = "read-write", lasts: str = "30", name: str = "laptop") -> str:
    response = client.post("/accounts/tokens/", {"name": name, "lasts": lasts, "scope": scope})
    assert response.status_code == 201, response.content.decode()
    return re.search(
        r'id="token" class="share-link" type="text" readonly value="([^"]+)"', response.content.decode()
    ).group(1)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
