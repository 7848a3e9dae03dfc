"""The media list: newest first, served by index queries, paged with signed cursors."""

from __future__ import annotations

import re

from tests.factories import MediaItemFactory


def _names(response) -> list[str]:
    return re.findall(r'<td class="name-col"><a href="/media/[^/]+/">([^<]+)</a></td>', response.content.decode())


def _next_link(response) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


def test_listing_walks_every_page_newest_first_without_repeats(member_client, settings):
    settings.MEDIAHUB_PAGE_SIZE = 2
    items = [MediaItemFactory(owner="alice") for _ in range(7)]
    expected = [item.name for item in reversed(items)]

    pages, url = [], "/"
    while url:
        response = member_client.get(url if url.startswith("/") else f"/{url}")
        assert response.status_code == 200
        pages.append(_names(response))
        url = _next_link(response)

    assert pages == [expected[0:2], expected[2:4], expected[4:6], expected[6:7]]


def test_a_full_last_page_offers_no_empty_next_page(member_client, settings):
    settings.MEDIAHUB_PAGE_SIZE = 2
    for _ in range(4):
        MediaItemFactory(owner="alice")

    second = member_client.get(_next_link(member_client.get("/")))

    assert len(_names(second)) == 2
    assert _next_link(second) is None


def test_default_page_holds_25_items(member_client):
    for _ in range(26):
        MediaItemFactory(owner="alice")

    response = member_client.get("/")

    assert len(_names(response)) == 25
    assert _next_link(response) is not None


def test_tampered_cursor_answers_400(member_client, settings):
    settings.MEDIAHUB_PAGE_SIZE = 1
    MediaItemFactory(owner="alice")
    MediaItemFactory(owner="alice")
    cursor = _next_link(member_client.get("/")).split("cursor=", 1)[1]

    response = member_client.get("/", {"cursor": cursor[:-3] + "abc"})

    assert response.status_code == 400
    assert b"That page link is invalid or has been altered," in response.content


def test_a_cursor_from_someone_elses_listing_is_refused(member_client, admin_client, settings):
    settings.MEDIAHUB_PAGE_SIZE = 1
    MediaItemFactory(owner="alice")
    MediaItemFactory(owner="root")
    admin_cursor = _next_link(admin_client.get("/"))

    assert member_client.get(admin_cursor).status_code == 400


def test_empty_listing_invites_a_first_upload(member_client):
    response = member_client.get("/")

    assert "Nothing here yet." in response.content.decode()
