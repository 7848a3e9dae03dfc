"""DynamoDB cancels a transaction that touches an item another transaction is writing
(TransactionConflict: two adds to one album at the same moment). That is no reason to
fail an add or a removal: it is tried again."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from albums import services
from albums.models import Album, Membership
from tests.factories import MediaItemFactory

pytestmark = pytest.mark.usefixtures("aws")


def conflict() -> ClientError:
    reasons = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
    response = {
        "Error": {
            "Code": "TransactionCanceledException",
            "Message": "Transaction cancelled [None, TransactionConflict]",
        },
        "CancellationReasons": reasons,
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    return ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


def test_an_add_cancelled_by_a_concurrent_one_on_the_same_album_is_tried_again(member_client, faults):
    item = MediaItemFactory(owner="alice", name="Shore")
    album = services.album_create(owner="alice", name="Trip")
    faults.fail("TransactWriteItems", error=conflict, times=1)

    response = member_client.post(f"/media/{item.id}/albums/add/", {"album": album.id})

    assert response.status_code == 302
    assert [m.media_id for m in Membership.query(album.id)] == [item.id]
    assert Album.get(album.id).item_count == 1


def test_a_removal_cancelled_by_a_concurrent_change_of_the_album_is_tried_again(member_client, faults):
    item = MediaItemFactory(owner="alice", name="Shore")
    album = services.album_create(owner="alice", name="Trip")
    services.album_add_item(album=album, item=item, actor="alice")
    faults.fail("TransactWriteItems", error=conflict, times=1)

    response = member_client.post(f"/albums/{album.id}/items/{item.id}/remove/")

    assert response.status_code == 302
    assert (Membership.count(album.id), Album.get(album.id).item_count) == (0, 0)
