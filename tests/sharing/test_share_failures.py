"""Share links when DynamoDB stalls or fails, and when a withdrawal races a visit: the
person is told what happened, a link never outlives its withdrawal, and nothing is a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from sharing import selectors, services
from sharing.models import Share
from tests import media
from tests.helpers import stored_item
from tests.sharing.helpers import PASSWORD, make_share, token_hash
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")


def on_shares(params: dict) -> bool:
    return params.get("TableName", "").endswith("-shares") or any(
        name.endswith("-shares") for name in params.get("RequestItems", {})
    )


@pytest.fixture
def photo(member):
    return stored_item("p.jpg", media.jpeg(), owner="alice", name="Harbour at dawn")


def test_a_link_not_saved_because_dynamodb_stalled_says_so_and_leaves_nothing(member_client, photo, faults):
    faults.fail("PutItem", when=on_shares)

    response = member_client.post(f"/media/{photo.id}/shares/new/", {"lasts": "7d"})

    assert response.status_code == 503 and response["Retry-After"]
    assert "Your change may not have been saved" in response.content.decode()
    assert Share.count() == 0


def test_opening_a_link_while_dynamodb_stalls_answers_503_on_the_share_page(member_client, photo, faults):
    token = make_share(member_client, photo)
    faults.fail("GetItem", when=on_shares)

    response = Client().get(f"/s/{token}/")

    assert response.status_code == 503 and response["Retry-After"]
    assert "Storage is not answering right now" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]


def test_a_visit_that_cannot_be_counted_still_shows_the_file(member_client, photo, faults):
    token = make_share(member_client, photo)
    faults.fail("UpdateItem", when=on_shares)

    response = Client().get(f"/s/{token}/")

    assert response.status_code == 200 and "Harbour at dawn" in response.content.decode()
    assert Share.get(token_hash(token)).views == 0


def test_a_withdrawal_that_did_not_reach_dynamodb_says_so_and_the_link_still_works(member_client, photo, faults):
    token = make_share(member_client, photo)
    faults.fail("DeleteItem", when=on_shares)

    response = member_client.post(f"/shares/{token_hash(token)}/withdraw/")

    assert response.status_code == 503
    assert "Your change may not have been saved" in response.content.decode()
    faults.faults.clear()
    assert Client().get(f"/s/{token}/").status_code == 200


def test_a_password_check_while_dynamodb_stalls_answers_503_not_500(member_client, photo, faults):
    token = make_share(member_client, photo, password=PASSWORD)
    faults.fail("UpdateItem", when=lambda params: params.get("TableName", "").endswith("-throttle"))
    faults.fail("PutItem", when=lambda params: params.get("TableName", "").endswith("-throttle"))

    response = Client().post(f"/s/{token}/", {"password": PASSWORD})

    assert response.status_code == 503
    assert "This link is protected" not in response.content.decode()


def test_links_left_behind_by_a_failed_cleanup_are_dead_with_their_item(member_client, photo, faults):
    token = make_share(member_client, photo)
    faults.fail("BatchWriteItem", when=on_shares)

    deleted = member_client.post(f"/media/{photo.id}/delete/")

    assert deleted.status_code == 302 and MediaItem.count(photo.id) == 0
    assert Share.count() == 1  # left for DynamoDB's TTL
    assert Client().get(f"/s/{token}/").status_code == 404


def test_a_view_counted_after_the_link_was_withdrawn_does_not_bring_it_back(member_client, photo):
    token = make_share(member_client, photo)
    opened = selectors.share_open(token)
    services.share_revoke(share=Share.get(token_hash(token)))

    services.share_record_view(share=opened.share)

    assert Share.count() == 0
    assert Client().get(f"/s/{token}/").status_code == 404


def test_a_link_made_while_its_item_is_deleted_opens_nothing(member_client, photo, faults):
    # The item goes between the check that it is ready and the share's write.
    faults.before("PutItem", lambda params: MediaItem.get(photo.id).delete(), when=on_shares)

    token = make_share(member_client, photo)

    assert Client().get(f"/s/{token}/").status_code == 404
