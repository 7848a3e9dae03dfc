"""The media list page: a page of the configured size with a link to the next, and what an empty
or broken listing says. Paging and cursor rules are tested on the selector (test_selectors.py)."""

from __future__ import annotations

from tests.factories import MediaItemFactory
from tests.helpers import listed_names, next_page_link


def test_default_page_holds_25_items(member_client):
    for _ in range(26):
        MediaItemFactory(owner="alice")

    response = member_client.get("/")

    assert len(listed_names(response)) == 25
    assert next_page_link(response) is not None


def test_tampered_cursor_answers_400(member_client, settings):
    settings.MEDIAHUB_PAGE_SIZE = 1
    MediaItemFactory(owner="alice")
    MediaItemFactory(owner="alice")
    cursor = next_page_link(member_client.get("/")).split("cursor=", 1)[1]

    response = member_client.get("/", {"cursor": cursor[:-3] + "abc"})

    assert response.status_code == 400
    assert b"That page link is invalid or has been altered," in response.content


def test_empty_listing_invites_a_first_upload(member_client):
    response = member_client.get("/")

    assert "Nothing here yet." in response.content.decode()
