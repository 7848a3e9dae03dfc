"""search_reindex: rebuilds a dropped index to identical results, resumes from its printed
cursor, moves items off the unsharded admin feed, and prunes postings nothing stands behind."""

from __future__ import annotations

import io
import re

import boto3
import pytest
from django.core.management import CommandError, call_command

from search.models import Posting
from search.selectors import media_search
from tests.factories import MediaItemFactory
from tests.helpers import at
from uploads.models import LEGACY_FEED, MediaItem, feed_key
from uploads.selectors import MediaQuery, media_list_for_user

SEARCHES = ["harb", "boat", "fog harb", "caf", "img"]


def reindex(*args: str) -> str:
    out = io.StringIO()
    call_command("search_reindex", *args, stdout=out)
    return out.getvalue()


def results(users) -> list[list[str]]:
    return [
        [item.id for item in media_search(user=user, query=MediaQuery(search=text, page_size=100), cursor=None).items]
        for user in users
        for text in SEARCHES
    ]


@pytest.fixture
def library(member, other_member):
    for day in range(1, 21):
        MediaItemFactory(
            owner=("alice", "bob")[day % 2], name=f"Boat {day}", caption="harbour fog", uploaded_at=at(day)
        )
    MediaItemFactory(owner="alice", name="Café", original_filename="IMG_1.jpg", uploaded_at=at(21))


def test_reindex_after_dropping_the_table_gives_identical_results(member, other_member, admin, library, settings):
    users = [member, other_member, admin]
    before = results(users)
    boto3.client("dynamodb", region_name="us-east-1").delete_table(TableName=Posting.Meta.table_name)
    Posting._connection = None
    call_command("setup_aws", stdout=io.StringIO())
    assert results(users) == [[] for _ in before]

    output = reindex("--batch", "7")

    assert results(users) == before
    assert sum(len(ids) for ids in before) > 60
    assert "Done: " in output


def test_reindex_resumes_from_a_printed_cursor_and_repeating_it_changes_nothing(member, library):
    printed = reindex("--batch", "5")
    cursors = re.findall(r"--resume (\S+)", printed)
    with Posting.batch_write() as batch:
        for posting in Posting.scan():
            batch.delete(posting)

    reindex("--resume", cursors[2])  # as if the first three batches had run before a crash
    partial = Posting.count()
    reindex()
    whole = {posting.serialize().__repr__() for posting in Posting.scan()}
    again = reindex()

    assert 0 < partial < len(whole)
    assert {posting.serialize().__repr__() for posting in Posting.scan()} == whole
    assert "0 items moved" in again
    assert len(media_search(user=member, query=MediaQuery(search="boat", page_size=50), cursor=None).items) == 10


def test_a_bad_resume_cursor_is_refused(aws):
    with pytest.raises(CommandError, match="not a cursor search_reindex printed"):
        reindex("--resume", "garbage")


def test_items_on_the_unsharded_feed_are_listed_and_moved_to_their_shard(admin):
    old = MediaItemFactory(owner="alice", name="From before", feed=LEGACY_FEED, uploaded_at=at(1))
    MediaItemFactory(owner="alice", name="New", uploaded_at=at(2))
    assert [item.name for item in media_list_for_user(user=admin, query=MediaQuery(), cursor=None).items] == [
        "New",
        "From before",
    ]

    output = reindex()

    assert MediaItem.get(old.id).feed == feed_key(old.id)
    assert "1 items moved to their feed shard" in output


def test_the_postings_phase_deletes_postings_of_records_gone_or_changed(member):
    gone = MediaItemFactory(owner="alice", name="Gone")
    changed = MediaItemFactory(owner="alice", name="Harbour")
    gone.delete()  # the record only: its postings stay, as after a failed write
    changed.name = "Lighthouse"
    changed.save()

    reindex()

    keys = {posting.key for posting in Posting.scan()}
    assert not any(key.endswith(("#go", "#gone", "#harbour")) for key in keys)
    assert "u#alice#lighthouse" in keys
