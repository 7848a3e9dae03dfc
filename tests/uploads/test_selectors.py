"""media_list_for_user: index queries, filters, order, and the signed cursor that pages through them."""

from __future__ import annotations

import pytest

from tests import helpers
from tests.factories import MediaItemFactory
from tests.helpers import at
from uploads.exceptions import InvalidCursor
from uploads.selectors import MediaQuery, media_list_for_user

pytestmark = pytest.mark.usefixtures("aws")


def names(user, query: MediaQuery, cursor: str | None = None) -> list[str]:
    return [item.name for item in media_list_for_user(user=user, query=query, cursor=cursor).items]


def every_page(user, query: MediaQuery) -> list[list[str]]:
    return helpers.every_page(media_list_for_user, user, query)


def test_pages_walk_every_item_newest_first_without_repeats(member):
    items = [MediaItemFactory(owner="alice") for _ in range(7)]
    newest_first = [item.name for item in reversed(items)]

    pages = every_page(member, MediaQuery(page_size=2))

    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:6], newest_first[6:7]]


def test_a_full_last_page_has_no_next_cursor(member):
    for _ in range(4):
        MediaItemFactory(owner="alice")

    pages = every_page(member, MediaQuery(page_size=2))

    assert [len(page) for page in pages] == [2, 2]


def test_a_page_that_holds_everything_has_no_next_cursor(member):
    MediaItemFactory(owner="alice")

    page = media_list_for_user(user=member, query=MediaQuery(page_size=1), cursor=None)

    assert len(page.items) == 1
    assert page.next_cursor is None
    assert page.searched_partly is False


def test_filtered_pages_follow_the_cursor_to_the_rest(member):
    for day in range(1, 16):
        MediaItemFactory(owner="alice", name=f"Clip {day}", kind="video", uploaded_at=at(day))
    for day in range(1, 6):
        MediaItemFactory(owner="alice", name=f"Photo {day}", kind="image", uploaded_at=at(day))

    pages = every_page(member, MediaQuery(kind="video", page_size=10, oldest_first=True))

    assert pages == [[f"Clip {day}" for day in range(1, 11)], [f"Clip {day}" for day in range(11, 16)]]


def test_members_see_only_their_own_media_whatever_owner_they_ask_for(member, admin):
    MediaItemFactory(owner="alice", name="Alice's")
    MediaItemFactory(owner="bob", name="Bob's")

    assert names(member, MediaQuery()) == ["Alice's"]
    assert names(member, MediaQuery(owner="bob")) == ["Alice's"]
    assert names(admin, MediaQuery(owner="bob")) == ["Bob's"]
    assert sorted(names(admin, MediaQuery())) == ["Alice's", "Bob's"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (MediaQuery(kind="audio"), ["Song"]),
        (MediaQuery(status="rejected"), ["Refused"]),
        (MediaQuery(uploaded_from=at(2), uploaded_to=at(3)), ["Untitled", "Song"]),
        (MediaQuery(oldest_first=True), ["Harbour at dawn", "Song", "Untitled", "Refused"]),
    ],
    ids=["kind", "status", "date-range", "oldest-first"],
)
def test_filters_and_order(member, query, expected):
    MediaItemFactory(owner="alice", name="Harbour at dawn", uploaded_at=at(1))
    MediaItemFactory(owner="alice", name="Song", kind="audio", content_type="audio/mpeg", uploaded_at=at(2))
    MediaItemFactory(owner="alice", name="Untitled", caption="Fog over the HARBOUR wall", uploaded_at=at(3))
    MediaItemFactory(owner="alice", name="Refused", status="rejected", reason="not an image", uploaded_at=at(4))

    assert names(member, query) == expected


@pytest.mark.parametrize(
    "other_listing",
    [
        pytest.param({"user": "bob", "query": MediaQuery(page_size=1)}, id="another-owner"),
        pytest.param({"user": "alice", "query": MediaQuery(page_size=1, oldest_first=True)}, id="other-order"),
        pytest.param({"user": "root", "query": MediaQuery(page_size=1)}, id="admin-feed"),
    ],
)
def test_a_cursor_from_another_listing_is_refused(member, other_member, admin, other_listing):
    users = {"alice": member, "bob": other_member, "root": admin}
    for owner in ("alice", "alice", "bob", "bob"):
        MediaItemFactory(owner=owner)
    first = media_list_for_user(user=member, query=MediaQuery(page_size=1), cursor=None)
    assert first.next_cursor is not None

    with pytest.raises(InvalidCursor):
        media_list_for_user(user=users[other_listing["user"]], query=other_listing["query"], cursor=first.next_cursor)


def test_a_tampered_cursor_is_refused(member):
    MediaItemFactory(owner="alice")
    MediaItemFactory(owner="alice")
    cursor = media_list_for_user(user=member, query=MediaQuery(page_size=1), cursor=None).next_cursor

    with pytest.raises(InvalidCursor):
        media_list_for_user(user=member, query=MediaQuery(page_size=1), cursor=cursor[:-3] + "abc")


def test_a_rare_kind_stops_at_max_read_and_its_cursor_reads_further(member):
    for day in range(1, 29):
        for n in range(10):
            kind = "audio" if (day, n) == (2, 0) else "image"
            MediaItemFactory(owner="alice", name=f"{day}-{n}", kind=kind, uploaded_at=at(day))
    query = MediaQuery(kind="audio", max_read=150)

    first = media_list_for_user(user=member, query=query, cursor=None)
    second = media_list_for_user(user=member, query=query, cursor=first.next_cursor)

    assert first.items == [] and first.searched_partly is True
    assert 150 <= first.read < 150 + 4 * 26  # stopped within one batch of the limit, of 280 items
    assert [item.name for item in second.items] == ["2-0"]
    assert second.searched_partly is False and second.next_cursor is None


def photos_taken_out_of_upload_order() -> None:
    """Uploaded on March 1-4, taken on March 10, 2, 25 and never (a PDF)."""
    for day, name, taken in ((1, "Pier", 10), (2, "Market", 2), (3, "Harbour", 25), (4, "Notes", None)):
        MediaItemFactory(
            owner="alice", name=name, uploaded_at=at(day), updated_at=at(day), taken_at=at(taken) if taken else None
        )
    MediaItemFactory(owner="bob", name="Bob's", uploaded_at=at(5), updated_at=at(5), taken_at=at(11))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (MediaQuery(by_taken=True), ["Harbour", "Pier", "Market"]),
        (MediaQuery(by_taken=True, oldest_first=True), ["Market", "Pier", "Harbour"]),
        (MediaQuery(by_taken=True, taken_from=at(5), taken_to=at(20)), ["Pier"]),
        # A capture-date range in upload order: a filter on the upload index.
        (MediaQuery(taken_from=at(5)), ["Harbour", "Pier"]),
        # An upload-date range in capture order: a filter on the capture index.
        (MediaQuery(by_taken=True, uploaded_from=at(2)), ["Harbour", "Market"]),
    ],
    ids=["newest photo", "oldest photo", "taken range", "taken range by upload", "upload range by capture"],
)
def test_capture_time_orders_and_filters(member, query, expected):
    photos_taken_out_of_upload_order()

    assert names(member, query) == expected


def test_admins_see_everyones_photos_by_capture_time_and_pages_follow(admin):
    photos_taken_out_of_upload_order()

    assert every_page(admin, MediaQuery(by_taken=True, page_size=2)) == [["Harbour", "Bob's"], ["Pier", "Market"]]
