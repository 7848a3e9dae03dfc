"""Helpers the sharing tests share."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from django.test import Client

from uploads.models import MediaItem

PASSWORD = "open sesame 42"  # noqa: S105


def make_share(client: Client, item: MediaItem, **fields: str) -> str:
    """Make a link on the item's share page; the token in the link it shows once."""
    response = client.post(f"/media/{item.id}/shares/new/", {"lasts": "30d", "allow_download": "on", **fields})
    assert response.status_code == 201, response.content.decode()
    link = re.search(
        r'id="share-link" class="share-link" type="text" readonly value="([^"]+)"', response.content.decode()
    )
    return urlsplit(link.group(1)).path.split("/")[2]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
