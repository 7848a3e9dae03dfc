"""media_search: prefixes, every word, folded diacritics, each filter, full pages with an exact
cursor, and nobody else's items; the list page answers malformed searches with 400."""

from __future__ import annotations

import pytest

from search.exceptions import InvalidSearch
from search.models import Posting
from search.selectors import media_search
from tests import helpers
from tests.factories import MediaItemFactory
from tests.helpers import at, listed_names, next_page_link
from uploads.exceptions import InvalidCursor
from uploads.models import MediaItem
from uploads.selectors import MediaQuery

pytestmark = pytest.mark.usefixtures("aws")


def found(user, search: str, **options) -> list[str]:
    return [
        item.name for item in media_search(user=user, query=MediaQuery(search=search, **options), cursor=None).items
    ]


def every_page(user, query: MediaQuery) -> list[list[str]]:
    return helpers.every_page(media_search, user, query)


@pytest.fixture
def harbour(member):
    MediaItemFactory(owner="alice", name="Harbour at dawn", uploaded_at=at(1))
    MediaItemFactory(owner="alice", name="Song", caption="harbour shanty", kind="audio", uploaded_at=at(2))
    MediaItemFactory(owner="alice", name="Untitled", caption="Fog over the HARBOUR wall", uploaded_at=at(3))
    MediaItemFactory(owner="alice", name="Harbinger", status="rejected", reason="not an image", uploaded_at=at(4))
    MediaItemFactory(owner="alice", name="Market", original_filename="harbour-market.jpg", uploaded_at=at(5))


def test_a_word_is_found_by_its_beginning_in_name_caption_or_filename(member, harbour):
    assert found(member, "harb") == ["Market", "Harbinger", "Untitled", "Song", "Harbour at dawn"]
    assert found(member, "HARBOUR") == ["Market", "Untitled", "Song", "Harbour at dawn"]
    assert found(member, "arbour") == []  # the beginning of a word, not any part


def test_every_word_of_a_search_must_match(member, harbour):
    assert found(member, "harb fog") == ["Untitled"]
    assert found(member, "fog harb") == ["Untitled"]
    assert found(member, "harbour dawn") == ["Harbour at dawn"]
    assert found(member, "harbour dusk") == []


def test_a_word_longer_than_the_indexed_prefixes_is_checked_whole(member):
    MediaItemFactory(owner="alice", name="Internationalisation notes")
    MediaItemFactory(owner="alice", name="International trade")

    assert found(member, "internationalisation") == ["Internationalisation notes"]
    assert found(member, "internationa") == ["International trade", "Internationalisation notes"]


def test_diacritics_and_case_do_not_matter_either_way(member):
    MediaItemFactory(owner="alice", name="Café Crème", uploaded_at=at(1))
    MediaItemFactory(owner="alice", name="CAFE NOIR", uploaded_at=at(2))

    assert found(member, "cafe") == ["CAFE NOIR", "Café Crème"]
    assert found(member, "CAFÉ crè") == ["Café Crème"]


def test_words_written_with_vowel_signs_are_found_by_their_beginning(member):
    MediaItemFactory(owner="alice", name="हिन्दी गाने", uploaded_at=at(1))
    MediaItemFactory(owner="alice", name="हवा", uploaded_at=at(2))
    MediaItemFactory(owner="alice", name="বাংলা গান", uploaded_at=at(3))

    assert found(member, "हिन्") == ["हिन्दी गाने"]
    assert found(member, "বাংলা") == ["বাংলা গান"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"kind": "audio"}, ["Song"]),
        ({"status": "rejected"}, ["Harbinger"]),
        ({"uploaded_from": at(2), "uploaded_to": at(3)}, ["Untitled", "Song"]),
        ({"uploaded_from": at(4)}, ["Market", "Harbinger"]),
        ({"uploaded_to": at(1)}, ["Harbour at dawn"]),
        ({"oldest_first": True}, ["Harbour at dawn", "Song", "Untitled", "Harbinger", "Market"]),
        ({"kind": "image", "status": "ready", "uploaded_to": at(3)}, ["Untitled", "Harbour at dawn"]),
    ],
    ids=["kind", "status", "date-range", "from", "until", "oldest-first", "all-at-once"],
)
def test_search_combines_with_each_filter(member, harbour, options, expected):
    assert found(member, "harb", **options) == expected


def test_pages_are_full_until_the_results_run_out_and_repeat_nothing(member):
    for day in range(1, 24):
        MediaItemFactory(owner="alice", name=f"Boat {day}", uploaded_at=at(day))
        MediaItemFactory(owner="alice", name=f"Car {day}", uploaded_at=at(day))

    pages = every_page(member, MediaQuery(search="boat", page_size=5))

    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert sum(pages, []) == [f"Boat {day}" for day in range(23, 0, -1)]


def test_a_full_last_page_has_no_next_cursor(member):
    for day in range(1, 5):
        MediaItemFactory(owner="alice", name=f"Boat {day}", uploaded_at=at(day))

    assert every_page(member, MediaQuery(search="boat", page_size=2)) == [["Boat 4", "Boat 3"], ["Boat 2", "Boat 1"]]


def test_an_admin_pages_through_everybodys_matches_across_the_shards(admin, settings):
    settings.MEDIAHUB_FEED_SHARDS = 3
    for day in range(1, 29):
        MediaItemFactory(owner=("alice", "bob")[day % 2], name=f"Boat {day}", uploaded_at=at(day))
    assert len({key.split("#")[1] for key in (p.key for p in Posting.scan()) if key.startswith("all#")}) == 3

    pages = every_page(admin, MediaQuery(search="boat", page_size=4, kind="image"))

    assert [len(page) for page in pages] == [4] * 7
    assert sum(pages, []) == [f"Boat {day}" for day in range(28, 0, -1)]
    assert every_page(admin, MediaQuery(search="boat", owner="bob", page_size=20)) == [
        [f"Boat {day}" for day in range(27, 0, -2)]
    ]


def test_a_member_never_finds_another_members_items(member, other_member, admin):
    MediaItemFactory(owner="alice", name="Alice's harbour")
    MediaItemFactory(owner="bob", name="Bob's harbour")

    assert found(member, "harbour") == ["Alice's harbour"]
    assert found(member, "harbour", owner="bob") == ["Alice's harbour"]
    assert found(other_member, "harbour") == ["Bob's harbour"]
    assert sorted(found(admin, "harbour")) == ["Alice's harbour", "Bob's harbour"]


def test_a_posting_whose_record_moved_on_is_skipped_and_the_page_still_fills(member):
    items = [MediaItemFactory(owner="alice", name=f"Boat {day}", uploaded_at=at(day)) for day in range(1, 6)]
    # The record changes, its postings do not (a write of them failed, or raced).
    items[4].name = "Car"
    items[4].save()
    items[3].owner = "bob"
    items[3].save()
    items[2].delete()

    page = media_search(user=member, query=MediaQuery(search="boat", page_size=2), cursor=None)

    assert [item.name for item in page.items] == ["Boat 2", "Boat 1"]
    assert page.next_cursor is None


def test_a_cursor_from_another_search_is_refused(member):
    for day in range(1, 4):
        MediaItemFactory(owner="alice", name=f"Boat car {day}", uploaded_at=at(day))
    cursor = media_search(user=member, query=MediaQuery(search="boat", page_size=1), cursor=None).next_cursor

    with pytest.raises(InvalidCursor):
        media_search(user=member, query=MediaQuery(search="car", page_size=1), cursor=cursor)
    with pytest.raises(InvalidSearch):
        media_search(user=member, query=MediaQuery(search="?"), cursor=None)


def test_the_list_page_searches_and_pages_on(member_client):
    for day in range(1, 13):
        MediaItemFactory(owner="alice", name=f"Boat {day}", uploaded_at=at(day))

    first = member_client.get("/", {"q": "bo", "size": "10"})
    second = member_client.get(next_page_link(first))

    assert listed_names(first) == [f"Boat {day}" for day in range(12, 2, -1)]
    assert listed_names(second) == ["Boat 2", "Boat 1"]
    assert "Search further" not in first.content.decode() + second.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "!"},
        {"q": "x"},
        {"q": "a b c d e f g h i j k"},
        {"q": "one two three four five six seven eight nine"},
        {"q": "h" * 101},
        {"q": "boat", "cursor": "not-a-cursor"},
        {"q": "\x00boat"},
        {"q": "boat", "kind": "sculpture"},
    ],
)
def test_a_malformed_search_answers_400_with_a_reason(member_client, params):
    MediaItemFactory(owner="alice", name="Boat")

    response = member_client.get("/", params)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="errorlist"' in page or "Start again from the first page." in page
    assert MediaItem.count() == 1
