"""Bytes POSTed over an item's key while it is in the trash (its upload's POST policy
still valid) are not restored as if they were the bytes checked: S3's event finds no
record then, so the restore compares the object with the one verified."""

from __future__ import annotations

import pytest
from django.conf import settings

from mediahub import aws
from tests import media
from trash.models import TrashedItem
from trash.services import trash_restore
from uploads import background, events, services
from uploads.models import MediaItem, Status

pytestmark = pytest.mark.usefixtures("aws")

JPEG = media.jpeg(320, 240)


@pytest.fixture(autouse=True)
def held_back(monkeypatch):
    monkeypatch.setattr(background, "checksum_later", lambda media_id: None)


def verified() -> MediaItem:
    upload = services.direct_upload_create(
        owner="alice", name="Upload", caption="", filename="p.jpg", size=len(JPEG), declared_type="image/jpeg"
    )
    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=upload.item.s3_key, Body=JPEG)
    item = services.media_process(item=upload.item)
    services.media_checksum(media_id=item.id)
    return MediaItem.get(item.id, consistent_read=True)


def test_bytes_replaced_while_in_the_trash_reject_the_restored_item(bucket_keys):
    item = verified()
    services.media_delete(item=item, actor="alice")
    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key, Body=bytes(reversed(JPEG)))
    assert events.object_created({"Records": [{"s3": {"object": {"key": item.s3_key}}}]}, None) == {"processed": 0}

    trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice")

    restored = MediaItem.get(item.id, consistent_read=True)
    assert (restored.status, restored.reason) == (Status.REJECTED, services.REPLACED)
    assert item.s3_key not in bucket_keys()


def test_a_restore_of_the_very_bytes_verified_keeps_the_item_ready():
    item = verified()
    services.media_delete(item=item, actor="alice")
    trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice")
    assert MediaItem.get(item.id, consistent_read=True).status == Status.READY
