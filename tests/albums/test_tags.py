"""Tags: one spelling per tag, edited on the item page, indexed (a tag filter reads the
tag's postings, never the whole list), suggested from the owner's vocabulary, searchable."""

from __future__ import annotations

import pytest

from albums.models import TagEntry, everyone_posting_key, posting_key
from albums.selectors import media_list_grouped, tag_suggestions
from albums.tags import MAX_TAGS, InvalidTag, tag_normalise, tags_parse
from search.selectors import media_find
from tests.factories import MediaItemFactory
from tests.helpers import listed_names
from trash.services import trash_purge, trash_restore
from uploads import services
from uploads.models import MediaItem
from uploads.selectors import MediaQuery


def tag(item: MediaItem, *tags: str) -> MediaItem:
    fresh = MediaItem.get(item.id)
    return services.media_update(
        item=fresh, name=fresh.name, caption=fresh.caption, version=fresh.version, tags=[*fresh.tag_list, *tags]
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Summer   Holiday ", "summer holiday"),
        ("ＦＵＬＬ　ＷＩＤＴＨ", "full width"),  # NFKC: full-width letters and space
        ("Straße", "strasse"),  # case-folded, not just lower-cased
        ("ﬁsh", "fish"),  # the ligature is two letters
        ("Tab\tand\nnewline", "tab and newline"),
    ],
)
def test_a_tag_has_one_spelling(typed, stored):
    assert tag_normalise(typed) == stored


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("   ", "cannot be empty"),
        ("x" * 41, "at most 40 characters"),
        ("a\u202eb", "invisible control characters"),
        ("a\x00b", "invisible control characters"),
        ("a\ud800", "valid Unicode"),
    ],
)
def test_a_bad_tag_is_refused_with_its_reason(typed, why):
    with pytest.raises(InvalidTag, match=why):
        tag_normalise(typed)


def test_typed_tags_are_split_at_commas_kept_once_and_counted():
    assert tags_parse("Beach, beach ,BEACH,, sunset") == ["beach", "sunset"]
    with pytest.raises(InvalidTag, match=f"at most {MAX_TAGS} tags"):
        tags_parse(",".join(f"t{n}" for n in range(MAX_TAGS + 1)))


def test_the_edit_page_saves_tags_normalised_and_suggests_the_owners_tags(member_client):
    item = MediaItemFactory(name="Shore")
    other = MediaItemFactory(name="Other")
    tag(other, "sunset")

    page = member_client.get(f"/media/{item.id}/edit/").content.decode()
    response = member_client.post(
        f"/media/{item.id}/edit/",
        {"name": "Shore", "caption": "", "tags": " Beach, SUNSET ", "version": str(item.version)},
    )

    assert '<option value="sunset">' in page
    assert response.status_code == 302
    assert MediaItem.get(item.id).tags == {"beach", "sunset"}
    assert tag_suggestions(owner="alice") == ["beach", "sunset"]
    detail = member_client.get(f"/media/{item.id}/").content.decode()
    assert 'class="tag" href="/?tag=beach">beach</a>' in detail


def test_the_tag_filter_reads_the_tags_postings_not_the_list(member):
    tagged = [MediaItemFactory(name=f"Tagged {n}") for n in range(3)]
    for _ in range(40):
        MediaItemFactory(name="Untagged")
    for item in tagged:
        tag(item, "beach")

    page = media_find(user=member, query=MediaQuery(tag="beach", page_size=10), cursor=None)

    assert [item.name for item in page.items] == ["Tagged 2", "Tagged 1", "Tagged 0"]
    assert page.read == 3  # the tag's three postings; none of the 40 other items


def test_a_tag_filter_page_reads_at_most_a_page_and_one_more(member):
    items = [MediaItemFactory() for _ in range(30)]
    for item in items:
        tag(item, "beach")
    query = MediaQuery(tag="beach", page_size=10)

    first = media_list_grouped(user=member, query=query, cursor=None)
    second = media_list_grouped(user=member, query=query, cursor=first.next_cursor)

    assert first.read <= 11 and second.read <= 11
    assert [item.id for item in first.items + second.items] == [item.id for item in reversed(items)][:20]


def test_removing_a_tag_removes_its_postings_and_its_suggestion(member):
    item = tag(MediaItemFactory(), "beach", "sunset")

    tag_free = MediaItem.get(item.id)
    services.media_update(item=tag_free, name=item.name, caption="", version=tag_free.version, tags=["sunset"])

    assert TagEntry.count(posting_key("alice", "beach")) == 0
    assert TagEntry.count(everyone_posting_key("beach")) == 0
    assert TagEntry.count(posting_key("alice", "sunset")) == 1
    assert tag_suggestions(owner="alice") == ["sunset"]


def test_a_tag_filter_skips_items_whose_record_is_missing_or_untagged(member):
    """The trash keeps postings while the record is away; a stale posting is only a hint."""
    kept, trashed, stale = (tag(MediaItemFactory(name=name), "beach") for name in ("kept", "trashed", "stale"))
    MediaItem.get(trashed.id).delete()  # as the trash does
    record = MediaItem.get(stale.id)
    record.tags = None
    record.save()  # the record no longer names the tag; its posting is left behind

    page = media_find(user=member, query=MediaQuery(tag="beach"), cursor=None)

    assert [item.name for item in page.items] == ["kept"]


def test_admins_filter_by_tag_across_members_and_members_only_see_their_own(member, other_member, admin):
    tag(MediaItemFactory(owner="alice", name="Alice's"), "beach")
    tag(MediaItemFactory(owner="bob", name="Bob's"), "beach")

    mine = media_find(user=member, query=MediaQuery(tag="beach"), cursor=None)
    everybody = media_find(user=admin, query=MediaQuery(tag="beach"), cursor=None)
    bobs = media_find(user=admin, query=MediaQuery(tag="beach", owner="bob"), cursor=None)

    assert [item.name for item in mine.items] == ["Alice's"]
    assert sorted(item.name for item in everybody.items) == ["Alice's", "Bob's"]
    assert [item.name for item in bobs.items] == ["Bob's"]
    assert tag_suggestions(owner="alice") == ["beach"]


def test_tags_are_searchable(member):
    tag(MediaItemFactory(name="IMG_0001"), "lighthouse")

    found = media_find(user=member, query=MediaQuery(search="lighth"), cursor=None)

    assert [item.name for item in found.items] == ["IMG_0001"]


def test_the_list_filters_by_tag_normalised_and_refuses_a_bad_one(member_client):
    tag(MediaItemFactory(name="Shore"), "summer holiday")
    MediaItemFactory(name="Plain")

    response = member_client.get("/", {"tag": "  SUMMER  holiday"})
    refused = member_client.get("/", {"tag": "x" * 41})

    assert listed_names(response) == ["Shore"]
    assert refused.status_code == 400
    assert "at most 40 characters" in refused.content.decode()


def test_an_item_in_the_trash_leaves_the_tag_filter_and_leaves_the_tag_index_when_purged(member):
    item = tag(MediaItemFactory(name="Shore"), "beach")
    beach = MediaQuery(tag="beach")

    trashed = services.media_trash(item=MediaItem.get(item.id), actor="alice")
    assert [i.name for i in media_list_grouped(user=member, query=beach, cursor=None).items] == []
    trash_restore(trashed=trashed, actor="alice")
    assert [i.name for i in media_list_grouped(user=member, query=beach, cursor=None).items] == ["Shore"]

    trash_purge(trashed=services.media_trash(item=MediaItem.get(item.id), actor="alice"), actor="alice")

    assert TagEntry.count(posting_key("alice", "beach")) == 0
    assert TagEntry.count(everyone_posting_key("beach")) == 0
    assert tag_suggestions(owner="alice") == []


def test_a_late_removal_never_takes_away_the_posting_of_a_later_edit(member, faults):
    """A removes the tag and saves; before A deletes the posting, B adds the tag back
    (a newer version writes the posting again): A's delete leaves B's posting alone."""
    item = tag(MediaItemFactory(name="Shore"), "beach")

    def b_tags_it_again(params):
        tag(item, "beach")

    faults.before("DeleteItem", b_tags_it_again, when=lambda p: p.get("TableName", "").endswith("-tags"))
    fresh = MediaItem.get(item.id)
    services.media_update(item=fresh, name=fresh.name, caption="", version=fresh.version, tags=[])

    assert MediaItem.get(item.id).tags == {"beach"}
    assert TagEntry.count(posting_key("alice", "beach")) == 1
    assert TagEntry.count(everyone_posting_key("beach")) == 1
    assert [i.name for i in media_find(user=member, query=MediaQuery(tag="beach"), cursor=None).items] == ["Shore"]


@pytest.mark.parametrize("typed", ["Straße\u0301", "\u0399\u0308\u0301λιος", "\u1f85\u0301", "\u0130\u0301stanbul"])
def test_a_normalised_tag_keeps_its_spelling_when_normalised_again(typed):
    tag = tag_normalise(typed)
    assert tag_normalise(tag) == tag


def test_the_link_of_a_tag_that_case_folding_decomposes_lists_its_item(member_client):
    item = MediaItemFactory(owner="alice", name="Accent")
    services.media_update(item=item, name=item.name, caption="", version=item.version, tags=[tag_normalise("ß\u0301")])
    (tag,) = MediaItem.get(item.id).tag_list
    assert "Accent" in member_client.get("/", {"tag": tag}).content.decode()
