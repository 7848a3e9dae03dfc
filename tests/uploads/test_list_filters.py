"""The listing's filters, search, order and page size: each answered by an index query."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.factories import MediaItemFactory


def names(response) -> list[str]:
    return re.findall(r'<td class="name-col"><a href="/media/[^/]+/">([^<]+)</a></td>', response.content.decode())


def next_link(response) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, 0, tzinfo=UTC)


def test_kind_filter(member_client):
    MediaItemFactory(owner="alice", name="Photo", kind="image")
    MediaItemFactory(owner="alice", name="Song", kind="audio", content_type="audio/mpeg")

    assert names(member_client.get("/", {"kind": "audio"})) == ["Song"]


def test_status_filter(member_client):
    MediaItemFactory(owner="alice", name="Done")
    MediaItemFactory(owner="alice", name="Refused", status="rejected", reason="not an image")

    assert names(member_client.get("/", {"status": "rejected"})) == ["Refused"]


def test_search_is_case_insensitive_and_finds_substrings_in_name_and_caption(member_client):
    MediaItemFactory(owner="alice", name="Harbour at dawn", caption="")
    MediaItemFactory(owner="alice", name="Untitled", caption="Fog over the HARBOUR wall")
    MediaItemFactory(owner="alice", name="Mountains", caption="snow")

    found = names(member_client.get("/", {"q": "arbou"}))

    assert sorted(found) == ["Harbour at dawn", "Untitled"]


def test_upload_date_range_includes_both_end_days(member_client):
    for day in (1, 5, 9, 20):
        MediaItemFactory(owner="alice", name=f"March {day}", uploaded_at=at(day), updated_at=at(day))

    response = member_client.get("/", {"uploaded_from": "2026-03-05", "uploaded_to": "2026-03-09"})

    assert names(response) == ["March 9", "March 5"]


def test_a_range_that_ends_before_it_starts_is_explained(member_client):
    response = member_client.get("/", {"uploaded_from": "2026-03-09", "uploaded_to": "2026-03-05"})

    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_both_orders(member_client):
    for day in (1, 2, 3):
        MediaItemFactory(owner="alice", name=f"Day {day}", uploaded_at=at(day), updated_at=at(day))

    assert names(member_client.get("/")) == ["Day 3", "Day 2", "Day 1"]
    assert names(member_client.get("/", {"order": "oldest"})) == ["Day 1", "Day 2", "Day 3"]


def test_page_size_choice_and_pages_keep_the_filters(member_client):
    for day in range(1, 16):
        MediaItemFactory(owner="alice", name=f"Clip {day}", kind="video", uploaded_at=at(day), updated_at=at(day))
    for day in range(1, 6):
        MediaItemFactory(owner="alice", name=f"Photo {day}", kind="image", uploaded_at=at(day), updated_at=at(day))

    first = member_client.get("/", {"kind": "video", "size": "10", "order": "oldest"})
    second = member_client.get(next_link(first))

    assert names(first) == [f"Clip {day}" for day in range(1, 11)]
    assert names(second) == [f"Clip {day}" for day in range(11, 16)]
    assert next_link(second) is None


def test_a_cursor_does_not_carry_over_to_the_other_order(member_client):
    for day in range(1, 13):
        MediaItemFactory(owner="alice", uploaded_at=at(day), updated_at=at(day))
    cursor = next_link(member_client.get("/", {"size": "10"})).split("cursor=", 1)[1]

    response = member_client.get("/", {"size": "10", "order": "oldest", "cursor": cursor})

    assert response.status_code == 400


def test_admin_filters_by_owner_and_members_cannot(admin_client, member_client, other_member):
    MediaItemFactory(owner="alice", name="Alice's")
    MediaItemFactory(owner="bob", name="Bob's")

    assert names(admin_client.get("/", {"owner": "Bob"})) == ["Bob&#x27;s"]
    assert names(member_client.get("/", {"owner": "bob"})) == ["Alice&#x27;s"]
    assert 'name="owner"' not in member_client.get("/").content.decode()


def test_no_match_says_so(member_client):
    MediaItemFactory(owner="alice", name="Something")

    response = member_client.get("/", {"q": "nothing like it"})

    assert "Nothing matches these filters." in response.content.decode()


def test_recent_items_are_found_by_todays_date(member_client):
    MediaItemFactory(owner="alice", name="Today", uploaded_at=datetime.now(UTC) - timedelta(minutes=5))
    today = datetime.now(UTC).date().isoformat()

    assert names(member_client.get("/", {"uploaded_from": today, "uploaded_to": today})) == ["Today"]


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


def test_a_rare_search_stops_at_the_read_limit_and_offers_to_search_further(member_client, settings):
    settings.MEDIAHUB_LIST_MAX_READ = 150
    for day in range(1, 29):
        for n in range(10):
            caption = "harbour" if (day, n) == (2, 0) else ""
            MediaItemFactory(owner="alice", caption=caption, uploaded_at=at(day), updated_at=at(day))

    first = member_client.get("/", {"q": "harbour"})
    page = first.content.decode()
    further = re.search(r'<a href="\?([^"]+)">Search further</a>', page).group(1).replace("&amp;", "&")
    second = member_client.get(f"/?{further}")

    read = int(re.search(r"No match among the first (\d+) items; more may match further on.", page).group(1))
    assert 150 <= read < 150 + 4 * 26  # stopped within one batch of the limit, of 280 items
    assert len(names(second)) == 1
    assert "Search further" not in second.content.decode()
