"""The admin feed, spread over MEDIAHUB_FEED_SHARDS partitions of the by-time index and merged
on read: in order, every page full, exact cursors, whatever the filters."""

from __future__ import annotations

import pytest

from tests import helpers
from tests.factories import MediaItemFactory
from tests.helpers import at
from uploads.models import MediaItem, feed_key
from uploads.selectors import MediaQuery, media_list_for_user

pytestmark = pytest.mark.usefixtures("aws")


def every_page(user, query: MediaQuery) -> list[list[str]]:
    return helpers.every_page(media_list_for_user, user, query)


@pytest.fixture
def feed(settings, admin):
    settings.MEDIAHUB_FEED_SHARDS = 4
    for day in range(1, 28):
        for hour in (1, 2):
            kind = "video" if hour == 2 else "image"
            MediaItemFactory(
                owner=f"user{day % 3}", name=f"{day}.{hour}", kind=kind, uploaded_at=at(day).replace(hour=hour)
            )


def test_no_partition_takes_every_upload(feed):
    shards = {item.feed for item in MediaItem.scan()}

    assert shards == {"all#0", "all#1", "all#2", "all#3"}
    assert all(item.feed == feed_key(item.id) for item in MediaItem.scan())


@pytest.mark.parametrize("oldest_first", [False, True], ids=["newest-first", "oldest-first"])
def test_the_merged_feed_pages_in_order_and_misses_nothing(admin, feed, oldest_first):
    expected = [f"{day}.{hour}" for day in range(1, 28) for hour in (1, 2)]
    if not oldest_first:
        expected.reverse()

    pages = every_page(admin, MediaQuery(page_size=5, oldest_first=oldest_first))

    assert [len(page) for page in pages] == [5] * 10 + [4]
    assert sum(pages, []) == expected


def test_filters_and_dates_combine_with_the_merge(admin, feed):
    pages = every_page(admin, MediaQuery(kind="video", uploaded_from=at(10), uploaded_to=at(20), page_size=4))

    assert sum(pages, []) == [f"{day}.2" for day in range(20, 10, -1)]
    assert all(len(page) == 4 for page in pages[:-1])


def test_a_feed_page_reads_little_more_than_a_page(admin, feed):
    page = media_list_for_user(user=admin, query=MediaQuery(page_size=25), cursor=None)

    assert len(page.items) == 25
    # Each of the 5 partitions (4 shards and the legacy one) is read about its share at a
    # time, not a whole page each (5 × 26).
    assert page.read < 2 * 26
