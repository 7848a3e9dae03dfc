"""The media services called directly: what each leaves in S3 and DynamoDB."""

from __future__ import annotations

import hashlib
import io

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import media
from tests.fault_injection import Fault, timeout
from tests.helpers import only_item, stored_item
from trash.models import TrashedItem
from uploads import services, storage
from uploads.exceptions import StaleEdit, UploadFailed, UploadRejected
from uploads.models import MediaItem

JPEG_BYTES = media.jpeg(320, 240)


def test_an_upload_stores_the_exact_bytes_in_s3_and_every_field_in_dynamodb(aws, s3, settings):
    upload = SimpleUploadedFile("photo.jpg", JPEG_BYTES, content_type="image/jpeg")

    created = services.media_create_from_upload(owner="alice", name="Sunset", caption="Over the bay", upload=upload)

    item = only_item()
    assert item.id == created.id
    stored = s3.get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key)
    assert stored["Body"].read() == JPEG_BYTES
    assert stored["ContentType"] == "image/jpeg"
    assert item.s3_key == f"media/{item.id}/photo.jpg"
    assert (item.owner, item.name, item.caption) == ("alice", "Sunset", "Over the bay")
    assert (item.original_filename, item.content_type, item.kind) == ("photo.jpg", "image/jpeg", "image")
    assert item.size == len(JPEG_BYTES)
    assert (item.status, item.expires_at) == ("ready", None)
    assert item.file_url == f"https://{settings.MEDIAHUB_BUCKET}.s3.us-east-1.amazonaws.com/{item.s3_key}"
    assert item.uploaded_at <= item.updated_at
    assert item.sha256 == hashlib.sha256(JPEG_BYTES).hexdigest()
    assert (item.width, item.height) == (320, 240)
    assert item.thumbnail_key == f"thumbnails/{item.id}.webp"


def test_the_key_gets_a_safe_filename_and_the_record_keeps_the_original(aws):
    item = stored_item("../../My Holiday (1).jpg", JPEG_BYTES)

    assert item.s3_key == f"media/{item.id}/My_Holiday_1.jpg"
    assert item.original_filename == "My Holiday (1).jpg"


def on_media_table(params) -> bool:
    return params.get("TableName", "").endswith("-media")


def test_a_failed_dynamodb_write_removes_the_object_again(aws, faults, bucket_keys):
    faults.fail("PutItem", when=on_media_table, times=1)

    with pytest.raises(UploadFailed, match="The upload could not be recorded. Nothing was saved"):
        stored_item("photo.jpg", JPEG_BYTES)

    assert bucket_keys() == []


def test_a_record_write_that_landed_though_its_answer_was_lost_goes_on_to_a_ready_item(aws, faults, bucket_keys):
    def lands(params):  # DynamoDB writes the record; then the answer never arrives
        boto3.client("dynamodb", region_name="us-east-1").put_item(**params)

    faults._add(Fault("PutItem", timeout, before=lands, when=on_media_table, times=1))

    item = stored_item("photo.jpg", JPEG_BYTES)

    assert MediaItem.get(item.id).status == "ready"
    assert f"media/{item.id}/photo.jpg" in bucket_keys()


def test_a_record_write_nobody_can_confirm_keeps_the_file_and_says_nothing_was_deleted(aws, faults, bucket_keys):
    faults.fail("PutItem", when=on_media_table, times=1)
    faults.fail("GetItem", when=on_media_table)

    with pytest.raises(UploadFailed, match="nothing was deleted"):
        stored_item("photo.jpg", JPEG_BYTES)

    assert [key for key in bucket_keys() if key.startswith("media/")] != []  # reconcile removes it if unowned


def test_photo_records_dimensions_orientation_and_capture_time(aws):
    item = stored_item("p.jpg", media.jpeg(400, 300, orientation=6, taken="2024:05:01 10:20:30"))

    assert (item.kind, item.content_type, item.status) == ("image", "image/jpeg", "ready")
    assert (item.width, item.height, item.orientation) == (400, 300, 6)
    assert item.taken_at.strftime("%Y-%m-%d %H:%M:%S") == "2024-05-01 10:20:30"
    assert MediaItem.get(item.id).orientation == 6


def test_thumbnail_is_a_small_upright_webp_without_gps(aws, s3, settings):
    item = stored_item("p.jpg", media.jpeg(1600, 1200, orientation=6, gps=True, color=(0, 0, 255)))

    data = s3.get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.thumbnail_key)["Body"].read()
    thumbnail = Image.open(io.BytesIO(data))
    assert thumbnail.format == "WEBP"
    assert max(thumbnail.size) <= 480
    # Orientation 6 turns the picture a quarter clockwise: portrait, the red left half on top.
    assert thumbnail.width < thumbnail.height
    top = thumbnail.convert("RGB").getpixel((thumbnail.width // 2, thumbnail.height // 8))
    bottom = thumbnail.convert("RGB").getpixel((thumbnail.width // 2, thumbnail.height * 7 // 8))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert dict(thumbnail.getexif()) == {}
    assert b"GPS" not in data


def test_checksum_is_the_sha256_of_the_stored_bytes(aws):
    data = media.png(50, 40)

    item = stored_item("a.png", data)

    assert MediaItem.get(item.id).sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("voice.wav", media.wav(3.0), {"kind": "audio", "duration": 3.0}),
        ("song.mp3", media.mp3(383), {"kind": "audio", "duration": 10.0}),
        ("clip.mp4", media.mp4(1280, 720, 12.5), {"kind": "video", "duration": 12.5, "width": 1280, "height": 720}),
        ("paper.pdf", media.pdf(3), {"kind": "document", "page_count": 3}),
    ],
)
def test_audio_video_and_pdf_metadata(aws, filename, data, expected):
    stored_item(filename, data)

    item = only_item()
    for field, value in expected.items():
        actual = getattr(item, field)
        assert actual == pytest.approx(value, abs=0.05) if isinstance(value, float) else actual == value


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        (
            "cute-cat.jpg",
            b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
            "The file's content is not an image, video, audio file or document we recognise.",
        ),
        ("broken.jpg", media.jpeg(200, 100)[:300], "The image could not be read: it looks damaged or incomplete."),
    ],
    ids=["html-named-jpg", "damaged-image"],
)
def test_a_rejected_file_leaves_no_record_and_no_object(aws, bucket_keys, filename, data, reason):
    with pytest.raises(UploadRejected) as rejected:
        stored_item(filename, data)

    assert str(rejected.value) == reason
    assert list(MediaItem.scan()) == []
    assert bucket_keys() == []


def test_an_edit_saves_name_and_caption_and_counts_the_version(aws):
    item = stored_item("a.png", media.png(), name="Old")

    read_version = item.version

    services.media_update(item=item, name="New", caption="Now", version=read_version)

    saved = MediaItem.get(item.id)
    assert (saved.name, saved.caption, saved.version) == ("New", "Now", read_version + 1)


def test_an_edit_loses_to_one_saved_after_it_was_read(aws):
    item = stored_item("a.png", media.png(), name="Old")
    mine, theirs = MediaItem.get(item.id), MediaItem.get(item.id)
    services.media_update(item=theirs, name="Theirs", caption="", version=theirs.version)

    with pytest.raises(StaleEdit):
        services.media_update(item=mine, name="Mine", caption="", version=mine.version)

    assert MediaItem.get(item.id).name == "Theirs"


def test_delete_moves_the_record_to_the_trash_and_keeps_file_and_thumbnail(aws, bucket_keys):
    item = stored_item("p.jpg", JPEG_BYTES)
    assert sorted(bucket_keys()) == sorted([item.s3_key, item.thumbnail_key])

    services.media_delete(item=item, actor="alice")

    assert MediaItem.count(item.id) == 0
    assert TrashedItem.get("alice", item.id).trashed_by == "alice"
    assert sorted(bucket_keys()) == sorted([item.s3_key, item.thumbnail_key])


def test_deleting_a_pending_upload_cancels_it_for_good(aws, bucket_keys):
    upload = services.direct_upload_create(
        owner="alice", name="Half", caption="", filename="h.jpg", size=len(JPEG_BYTES), declared_type=""
    )
    storage.save_bytes(upload.item.s3_key, JPEG_BYTES, content_type="image/jpeg")

    services.media_delete(item=upload.item, actor="alice")

    assert MediaItem.count(upload.item.id) == 0
    assert TrashedItem.count("alice") == 0
    assert bucket_keys() == []


def test_bulk_delete_reports_on_each_item_and_a_stale_one_stops_nothing_else(aws, bucket_keys):
    one, stale, last = (stored_item("p.png", media.png(), name=name) for name in "abc")
    fresh = MediaItem.get(stale.id)
    services.media_update(item=fresh, name="renamed", caption="", version=fresh.version)

    outcomes = services.media_delete_many(items=[one, stale, last], actor="alice")

    assert [(o.name, o.done, o.problem) for o in outcomes] == [
        ("a", True, ""),
        ("b", False, "it changed meanwhile; look at it again"),
        ("c", True, ""),
    ]
    assert [item.name for item in MediaItem.scan()] == ["renamed"]
    assert sorted(trashed.name for trashed in TrashedItem.query("alice")) == ["a", "c"]
