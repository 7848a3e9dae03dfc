"""The listing's filter form: dates as whole days, page size, links that keep the filters, the
owner filter for admins, and what a search that finds nothing, or stops early, says. Which
items each filter selects is tested on the selector (test_selectors.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.factories import MediaItemFactory
from tests.helpers import at, listed_names, next_page_link


def test_upload_date_range_includes_both_end_days(member_client):
    for day in (1, 5, 9, 20):
        MediaItemFactory(owner="alice", name=f"March {day}", uploaded_at=at(day), updated_at=at(day))

    response = member_client.get("/", {"uploaded_from": "2026-03-05", "uploaded_to": "2026-03-09"})

    assert listed_names(response) == ["March 9", "March 5"]


def test_a_range_that_ends_before_it_starts_is_explained(member_client):
    response = member_client.get("/", {"uploaded_from": "2026-03-09", "uploaded_to": "2026-03-05"})

    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_page_size_choice_and_pages_keep_the_filters(member_client):
    for day in range(1, 16):
        MediaItemFactory(owner="alice", name=f"Clip {day}", kind="video", uploaded_at=at(day), updated_at=at(day))
    for day in range(1, 6):
        MediaItemFactory(owner="alice", name=f"Photo {day}", kind="image", uploaded_at=at(day), updated_at=at(day))

    first = member_client.get("/", {"kind": "video", "size": "10", "order": "oldest"})
    second = member_client.get(next_page_link(first))

    assert listed_names(first) == [f"Clip {day}" for day in range(1, 11)]
    assert listed_names(second) == [f"Clip {day}" for day in range(11, 16)]
    assert next_page_link(second) is None


def test_admin_filters_by_owner_and_members_are_not_offered_it(admin_client, member_client, other_member):
    MediaItemFactory(owner="alice", name="Alice's")
    MediaItemFactory(owner="bob", name="Bob's")

    assert listed_names(admin_client.get("/", {"owner": " Bob "})) == ["Bob&#x27;s"]
    assert 'name="owner"' in admin_client.get("/").content.decode()
    assert 'name="owner"' not in member_client.get("/").content.decode()


def test_no_match_says_so(member_client):
    MediaItemFactory(owner="alice", name="Something")

    response = member_client.get("/", {"q": "nothing like it"})

    assert "Nothing matches these filters." in response.content.decode()


def test_recent_items_are_found_by_todays_date(member_client):
    MediaItemFactory(owner="alice", name="Today", uploaded_at=datetime.now(UTC) - timedelta(minutes=5))
    today = datetime.now(UTC).date().isoformat()

    assert listed_names(member_client.get("/", {"uploaded_from": today, "uploaded_to": today})) == ["Today"]


def test_grid_or_table_is_remembered(member_client):
    MediaItemFactory(owner="alice", name="Photo")

    grid = member_client.get("/", {"view": "grid"})
    later = member_client.get("/")
    table = member_client.get("/", {"view": "table"})

    assert '<ul class="media-grid">' in grid.content.decode()
    assert '<ul class="media-grid">' in later.content.decode()
    assert '<table class="media-table">' in table.content.decode()
    assert '<table class="media-table">' in member_client.get("/").content.decode()


def test_the_form_shows_the_page_size_in_use(member_client, settings):
    page = member_client.get("/").content.decode()

    assert '<option value="25" selected>25</option>' in page
    assert "Nothing here yet." in page


def test_a_filter_that_stops_at_the_read_limit_offers_to_search_further(member_client, settings):
    settings.MEDIAHUB_LIST_MAX_READ = 40
    for day in range(1, 13):
        for n in range(5):
            kind = "audio" if (day, n) == (1, 0) else "image"
            MediaItemFactory(owner="alice", kind=kind, uploaded_at=at(day), updated_at=at(day))

    first = member_client.get("/", {"kind": "audio", "size": "10"}).content.decode()
    further = re.search(r'<a href="\?([^"]+)">Search further</a>', first).group(1).replace("&amp;", "&")
    second = member_client.get(f"/?{further}")

    assert re.search(r"No match among the first \d+ items; more may match further on.", first)
    assert len(listed_names(second)) == 1
    assert "Search further" not in second.content.decode()


def test_the_list_orders_by_capture_time_and_filters_by_capture_date(member_client):
    for day, taken in ((1, 12), (2, 3), (3, None)):
        MediaItemFactory(
            owner="alice",
            name=f"Upload {day}",
            uploaded_at=at(day),
            updated_at=at(day),
            taken_at=at(taken) if taken else None,
        )

    by_photo = member_client.get("/", {"order": "taken-newest"})
    in_range = member_client.get("/", {"taken_from": "2026-03-10", "taken_to": "2026-03-12"})
    backwards = member_client.get("/", {"taken_from": "2026-03-12", "taken_to": "2026-03-10"})

    assert listed_names(by_photo) == ["Upload 1", "Upload 2"]
    assert "Newest photo first" in by_photo.content.decode()
    assert listed_names(in_range) == ["Upload 1"]
    assert backwards.status_code == 400
    assert "The end date is before the start date." in backwards.content.decode()


def test_search_with_a_capture_time_order_keeps_the_form_and_says_why(member_client):
    response = member_client.get("/", {"q": "harb", "order": "taken-newest"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Search results come in upload order" in page
    assert 'value="harb"' in page  # the form is still there, as typed
