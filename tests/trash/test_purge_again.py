"""A purge that stopped after forgetting the item and is then finished by the next one
counts the item out of its owner's tag suggestions once, not twice."""

from __future__ import annotations

import contextlib

import pytest

from albums.selectors import tag_suggestions
from tests import media
from tests.helpers import stored_item
from trash.models import TrashedItem
from trash.services import trash_purge
from uploads import services
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")


def tagged(name: str) -> MediaItem:
    item = stored_item(f"{name}.jpg", media.jpeg(64, 48), name=name)
    item = MediaItem.get(item.id, consistent_read=True)
    return services.media_update(item=item, name=name, caption="", version=item.version, tags=["boat"])


def test_a_purge_finished_by_a_second_run_keeps_the_tags_other_items_carry(faults):
    kept, gone = tagged("Kept"), tagged("Gone")
    services.media_delete(item=gone, actor="alice")
    faults.fail("DeleteItem", when=lambda params: params["TableName"].endswith("-trash"), times=1)
    with contextlib.suppress(Exception):  # the trash record's delete, the purge's last step
        trash_purge(trashed=TrashedItem.get("alice", gone.id), actor="alice")
    faults.faults.clear()

    trash_purge(trashed=TrashedItem.get("alice", gone.id), actor="alice")

    assert MediaItem.get(kept.id).tag_list == ["boat"]
    assert tag_suggestions(owner="alice") == ["boat"]
