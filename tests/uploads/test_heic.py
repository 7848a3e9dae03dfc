"""HEIC/HEIF photos, as iPhones save them: accepted, read (size, orientation, capture time),
given an upright thumbnail and a WebP preview for browsers that cannot show HEIC, and
every rendition removed with the item."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests import media
from tests.fault_injection import timeout
from tests.helpers import stored_item
from trash.models import TrashedItem
from trash.services import trash_purge
from uploads import services, storage
from uploads.exceptions import ProcessingInterrupted
from uploads.models import MediaItem, Status
from uploads.reconcile import media_reconcile

pytestmark = pytest.mark.usefixtures("aws")

PHOTO = media.heic(400, 300, orientation=6, taken="2024:05:01 10:20:30", color=(0, 0, 255))


def webp(s3, settings, key: str) -> Image.Image:
    return Image.open(io.BytesIO(s3.get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key)["Body"].read()))


def red_on_top(image: Image.Image) -> bool:
    top = image.convert("RGB").getpixel((image.width // 2, image.height // 8))
    bottom = image.convert("RGB").getpixel((image.width // 2, image.height * 7 // 8))
    return top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60


def test_a_heic_photo_is_ready_with_its_size_orientation_and_capture_time():
    item = stored_item("IMG_0001.HEIC", PHOTO)

    assert (item.status, item.kind, item.content_type) == (Status.READY, "image", "image/heic")
    # As for a JPEG: the size as stored, and the orientation that turns it upright.
    assert (item.width, item.height, item.orientation) == (400, 300, 6)
    assert item.taken_at.strftime("%Y-%m-%d %H:%M:%S") == "2024-05-01 10:20:30"
    assert item.original_filename == "IMG_0001.HEIC"


def test_its_thumbnail_and_preview_are_upright_webps_without_its_metadata(s3, settings):
    item = stored_item("IMG_0002.heic", PHOTO)

    thumbnail, preview = webp(s3, settings, item.thumbnail_key), webp(s3, settings, item.preview_key)
    assert item.preview_key == f"previews/{item.id}.webp"
    assert (thumbnail.format, preview.format) == ("WEBP", "WEBP")
    assert thumbnail.size == (300, 400) and preview.size == (300, 400)  # portrait, as the phone held it
    assert red_on_top(thumbnail) and red_on_top(preview)
    assert "exif" not in preview.info


def test_a_large_heic_gets_a_preview_of_at_most_2048_pixels(s3, settings):
    item = stored_item("big.heic", media.heic(4000, 3000))

    assert (item.width, item.height) == (4000, 3000)
    assert webp(s3, settings, item.preview_key).size == (2048, 1536)


def test_the_item_page_shows_the_preview_and_downloads_the_original(member_client):
    item = stored_item("IMG_0003.heic", PHOTO)

    page = member_client.get(f"/media/{item.id}/").content.decode()

    assert '<img class="preview" src="' in page
    preview_src = page.split('<img class="preview" src="', 1)[1].split('"', 1)[0]
    assert f"/previews/{item.id}.webp" in preview_src
    assert "300 × 400 pixels as shown (stored 400 × 300, EXIF orientation 6)" in page


def test_avif_still_works_without_a_preview():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 10)).save(out, "AVIF")

    item = stored_item("photo.avif", out.getvalue())

    assert (item.status, item.content_type, item.width, item.preview_key) == (Status.READY, "image/avif", 64, None)


def test_a_damaged_heic_is_rejected_for_its_content():
    with pytest.raises(Exception, match="looks damaged or incomplete"):
        stored_item("cut.heic", PHOTO[: len(PHOTO) // 2])


def test_deleting_a_heic_removes_its_preview_too(bucket_keys):
    item = stored_item("IMG_0004.heic", PHOTO)

    services.media_delete(item=item, actor="alice")
    trash_purge(trashed=TrashedItem.get("alice", item.id), actor="alice")

    assert bucket_keys() == []


def test_a_failed_preview_write_keeps_the_upload_pending_and_checking_again_completes_it(faults, bucket_keys):
    upload = services.direct_upload_create(
        owner="alice", name="Phone", caption="", filename="p.heic", size=len(PHOTO), declared_type=""
    )
    storage.save_bytes(upload.item.s3_key, PHOTO, content_type="image/heic")
    faults.fail("PutObject", error=timeout, when=lambda params: params["Key"].startswith("previews/"), times=1)

    with pytest.raises(ProcessingInterrupted):
        services.media_process(item=upload.item)

    assert MediaItem.get(upload.item.id).status == Status.PENDING
    done = services.media_process(item=MediaItem.get(upload.item.id))
    assert done.status == Status.READY
    assert f"previews/{done.id}.webp" in bucket_keys()


def test_reconcile_removes_a_preview_whose_item_is_gone(s3, settings, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    item = stored_item("IMG_0005.heic", PHOTO)
    MediaItem.get(item.id).delete()
    time_machine.move_to(timezone.now() + timedelta(days=2))

    report = media_reconcile(fix=True)

    assert any(finding.subject == item.preview_key for finding in report.findings)
    assert s3.list_objects_v2(Bucket=settings.MEDIAHUB_BUCKET, Prefix="previews/").get("KeyCount") == 0
