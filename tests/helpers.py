"""Helpers the tests share: signing in, putting media in place, reading pages; and the
figures the suite adds up as it runs, printed at the end by tests/conftest.py's
pytest_terminal_summary (e.g. "bad inputs tried: 297, 5xx seen: 0")."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import PASSWORD
from uploads.models import MediaItem
from uploads.services import media_create_from_upload


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Client:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return client


def at(day: int) -> datetime:
    """Noon (UTC) on a day of March 2026."""
    return datetime(2026, 3, day, 12, 0, tzinfo=UTC)


def form_upload(client: Client, filename: str, data: bytes, *, name: str = "Item"):
    """POST a file through the upload form, as a browser without JavaScript would."""
    return client.post("/upload/", {"name": name, "file": SimpleUploadedFile(filename, data)})


def stored_item(
    filename: str, data: bytes, *, owner: str = "alice", name: str = "Item", caption: str = ""
) -> MediaItem:
    """A processed item with its object in S3, put there by the upload service."""
    upload = SimpleUploadedFile(filename, data)
    return media_create_from_upload(owner=owner, name=name, caption=caption, upload=upload)


def every_page(select, user, query) -> list[list[str]]:
    """The names on each page `select` (a listing selector) gives, following next_cursor to the end."""
    pages, cursor = [], None
    while True:
        page = select(user=user, query=query, cursor=cursor)
        pages.append([item.name for item in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def only_item() -> MediaItem:
    [item] = list(MediaItem.scan())
    return item


def listed_names(response) -> list[str]:
    """The item names in the listing's table, in order."""
    return re.findall(r'<td class="name-col"><a href="/media/[^/]+/">([^<]+)</a></td>', response.content.decode())


def next_page_link(response) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


def file_link(page: str) -> str:
    """The presigned link to an item's file on its detail or confirmation page."""
    return re.search(r'href="([^"]+)" class="file-link"', page).group(1).replace("&amp;", "&")


FIGURES: dict[str, int] = {}


def add_figure(name: str, amount: int = 1) -> None:
    """Add `amount` to the figure `name` (which then shows in the summary, even at 0)."""
    FIGURES[name] = FIGURES.get(name, 0) + amount
