"""A purge that cannot take the item out of its albums is not finished: the trash record
stays, claimed and due, and the next purge takes it out, so each album's count stays
equal to its memberships."""

from __future__ import annotations

import contextlib

import pytest

from albums import services as albums
from albums.models import Album, Membership
from tests import media
from tests.helpers import stored_item
from trash.models import TrashedItem
from trash.services import trash_purge, trash_purge_due
from uploads import services
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")


def test_a_purge_that_could_not_leave_an_album_is_finished_by_the_next(faults):
    item = MediaItem.get(stored_item("p.jpg", media.jpeg(64, 48), name="Harbour").id, consistent_read=True)
    album = albums.album_create(owner="alice", name="Trip")
    albums.album_add_item(album=album, item=item, actor="alice")
    services.media_delete(item=item, actor="alice")
    faults.fail("TransactWriteItems", times=1)  # taking it out of the album

    with contextlib.suppress(Exception):
        trash_purge(trashed=TrashedItem.get("alice", item.id), actor="alice")
    faults.faults.clear()

    assert TrashedItem.get("alice", item.id, consistent_read=True).purging_at is not None
    assert trash_purge_due().purged == 1
    assert (Album.get(album.id).item_count, Membership.count(album.id)) == (0, 0)
