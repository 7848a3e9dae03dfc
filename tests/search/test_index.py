"""The services that write media keep the search index in step: create, processing, edit,
delete, cancel; and a failed write of postings leaves the media write standing and the
person answered, never a wrong hit."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from search.models import Posting
from search.selectors import media_search
from search.services import index_entries
from tests import media
from tests.factories import MediaItemFactory
from tests.helpers import form_upload, only_item, stored_item
from uploads import services
from uploads.models import MediaItem
from uploads.selectors import MediaQuery


def found(user, search: str) -> list[str]:
    return [item.name for item in media_search(user=user, query=MediaQuery(search=search), cursor=None).items]


def postings() -> set[tuple[str, str]]:
    return {(posting.key, posting.sort) for posting in Posting.scan()}


def batch_writes_to_the_index(params) -> bool:
    return "mediahub-local-search" in params.get("RequestItems", {})


def test_an_upload_is_found_by_name_caption_and_filename_once_ready(member):
    item = stored_item("IMG_2041.png", media.png(), name="Harbour at dawn", caption="Fog over the wall")

    assert found(member, "harb") == found(member, "fog wall") == found(member, "img 2041") == ["Harbour at dawn"]
    assert postings() == set(index_entries(item))
    assert {posting.status for posting in Posting.scan()} == {"ready"}
    # Per term: one posting for the owner, one for admins.
    assert len(postings()) == 2 * len({p.key.rsplit("#", 1)[1] for p in Posting.scan()})


def test_processing_renames_the_file_and_the_index_follows(member):
    # Declared a JPEG by its name, it is a PNG: the download name, and its words, change.
    item = stored_item("holiday.jpeg", media.png(), name="Beach")

    assert item.original_filename == "holiday.png"
    assert found(member, "png") == ["Beach"]
    assert found(member, "jpeg") == []


def test_an_edit_moves_the_item_to_its_new_words_and_leaves_no_stale_posting(member):
    item = stored_item("a.png", media.png(), name="Harbour", caption="Old caption")

    services.media_update(item=item, name="Lighthouse", caption="New caption", version=item.version)

    assert found(member, "harbour") == [] and found(member, "old") == []
    assert found(member, "lighthouse new") == ["Lighthouse"]
    assert postings() == set(index_entries(MediaItem.get(item.id)))


def test_a_deleted_item_leaves_no_posting_and_no_hit(member):
    item = stored_item("a.png", media.png(), name="Harbour")
    services.media_delete(item=item, actor="alice")
    many = [MediaItemFactory(owner="alice", name=f"Harbour {n}") for n in range(3)]
    services.media_delete_many(items=many[:2], actor="alice")

    assert found(member, "harbour") == ["Harbour 2"]
    assert postings() == set(index_entries(many[2]))


def test_a_rejected_form_upload_and_a_cancelled_upload_leave_no_posting(member, member_client):
    form_upload(member_client, "fake.png", b"<html>not an image</html>", name="Fake")
    created = member_client.post(
        "/api/v1/uploads",
        json.dumps({"name": "Later", "filename": "later.png", "size": 10, "type": "image/png"}),
        content_type="application/json",
    ).json()
    assert found(member, "later") == ["Later"]  # pending items are found too

    member_client.delete(f"/api/v1/uploads/{created['item']['id']}")

    assert found(member, "fake") == found(member, "later") == []
    assert postings() == set()


def test_a_pending_upload_postings_expire_with_it(member_client):
    member_client.post(
        "/api/v1/uploads",
        json.dumps({"name": "Later", "filename": "later.png", "size": 10, "type": "image/png"}),
        content_type="application/json",
    )
    item = only_item()

    assert item.expires_at is not None
    assert {posting.expires_at for posting in Posting.scan()} == {item.expires_at}


def test_an_edit_whose_postings_fail_is_saved_and_never_shows_a_stale_hit(member, member_client, faults):
    item = stored_item("a.png", media.png(), name="Harbour")
    faults.fail("BatchWriteItem", when=batch_writes_to_the_index)

    response = member_client.post(
        f"/media/{item.id}/edit/", {"name": "Lighthouse", "caption": "", "version": item.version}, follow=True
    )

    assert response.status_code == 200
    assert "Saved your changes." in response.content.decode()
    assert MediaItem.get(item.id).name == "Lighthouse"
    assert found(member, "harbour") == []  # its old postings remain, and are checked against the record
    faults.faults.clear()
    call_command("search_reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert found(member, "lighthouse") == ["Lighthouse"]
    assert found(member, "harbour") == []
    assert postings() == set(index_entries(MediaItem.get(item.id)))


def test_an_upload_whose_postings_fail_is_kept_ready_and_the_person_told_it_uploaded(member, member_client, faults):
    faults.fail("BatchWriteItem", when=batch_writes_to_the_index)

    response = form_upload(member_client, "a.png", media.png(), name="Harbour")

    item = only_item()
    assert response.status_code == 302 and response["Location"] == f"/media/{item.id}/"
    assert item.status == "ready"
    assert found(member, "harbour") == []
    faults.faults.clear()
    call_command("search_reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert found(member, "harbour") == ["Harbour"]


def test_a_delete_whose_postings_fail_still_deletes_and_finds_nothing(member, member_client, faults):
    item = stored_item("a.png", media.png(), name="Harbour")
    faults.fail("BatchWriteItem", when=batch_writes_to_the_index)

    response = member_client.post(f"/media/{item.id}/delete/")

    assert response.status_code == 302
    assert MediaItem.count() == 0
    assert postings()  # left behind
    assert found(member, "harbour") == []
    faults.faults.clear()
    call_command("search_reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert postings() == set()


@pytest.mark.parametrize("operation", ["Query", "BatchGetItem"])
def test_a_search_when_storage_fails_answers_503_not_500(member_client, faults, operation):
    MediaItemFactory(owner="alice", name="Harbour")
    faults.fail(operation)

    response = member_client.get("/", {"q": "harbour"})

    assert response.status_code == 503
