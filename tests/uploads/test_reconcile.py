"""`manage.py reconcile [--fix]` (moto): each kind of disagreement between the bucket and the media
table is reported, and with --fix repaired; uploads in flight and records that change during the
run are left alone; a second run finds nothing. The clock moves with time-machine."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests import media
from tests.factories import MediaItemFactory
from tests.fault_injection import unreachable
from uploads import events, services, storage
from uploads import reconcile as reconcile_module
from uploads.models import MediaItem, Status

pytestmark = pytest.mark.usefixtures("aws")

JPEG = media.jpeg(80, 60)
NOTHING = "Nothing to repair: S3 and DynamoDB agree."


def reconcile(*args: str) -> tuple[int, list[str]]:
    """Run the command; its exit status and its output lines."""
    out = io.StringIO()
    try:
        call_command("reconcile", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


@pytest.fixture
def later(time_machine):
    """Move the clock on (two days: past the one-day pending window), as the next daily run sees it."""

    def move(delta: timedelta = timedelta(days=2)) -> None:
        time_machine.move_to(timezone.now() + delta)

    return move


@pytest.fixture
def put(s3, settings):
    def store(key: str, data: bytes = b"bytes", content_type: str = "application/octet-stream") -> str:
        s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key, Body=data, ContentType=content_type)
        return key

    return store


@pytest.fixture
def multipart_uploads(s3, settings):
    def uploads() -> list[str]:
        listing = s3.list_multipart_uploads(Bucket=settings.MEDIAHUB_BUCKET)
        return [upload["UploadId"] for upload in listing.get("Uploads", [])]

    return uploads


def ready_photo(name: str = "Photo") -> MediaItem:
    """A ready image, its file and thumbnail in S3, made by the form path."""
    upload = SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg")
    return services.media_create_from_upload(owner="alice", name=name, caption="", upload=upload)


def direct_upload(data: bytes = JPEG, filename: str = "photo.jpg", declared: str = "image/jpeg") -> MediaItem:
    """A pending direct upload whose browser has not (yet) sent anything."""
    created = services.direct_upload_create(
        owner="alice", name="Tab closed", caption="", filename=filename, size=len(data), declared_type=declared
    )
    return created.item


def record(media_id: str) -> MediaItem | None:
    try:
        return MediaItem.get(media_id, consistent_read=True)
    except MediaItem.DoesNotExist:
        return None


# orphan-object: an object under media/ with no record.


def test_an_orphan_object_is_reported_and_kept_without_fix(put, bucket_keys, later):
    key = put("media/01JORPHAN0000000000000000/lost.jpg")
    later()

    status, lines = reconcile()

    assert status == 1
    assert lines[0].startswith(f"orphan-object    {key}: no record; stored ")
    assert lines[0].endswith("Found: --fix would delete the object.")
    assert lines[1:] == ["Found 1 (1 orphan-object); fixed 0, 1 remain."]
    assert bucket_keys() == [key]


def test_orphan_objects_are_deleted_with_fix_and_files_of_live_records_stay(put, bucket_keys, later):
    orphan = put("media/01JORPHAN0000000000000000/lost.jpg")
    photo = ready_photo()
    rejected = MediaItemFactory(status=Status.REJECTED, reason="Not an image.")
    leftover = put(rejected.s3_key)
    later()

    status, lines = reconcile("--fix")

    assert status == 0
    assert sorted(line.split("; stored ")[0] for line in lines[:-1]) == sorted(
        [f"orphan-object    {orphan}: no record", f"orphan-object    {leftover}: its record was rejected"]
    )
    assert all(line.endswith("Fixed: deleted it.") for line in lines[:-1])
    assert lines[-1] == "Found 2 (2 orphan-object); fixed 2, 0 remain."
    assert sorted(bucket_keys()) == sorted([photo.s3_key, photo.thumbnail_key])
    assert record(rejected.id).status == Status.REJECTED


# missing-object: a ready record whose file is gone.


def test_a_ready_record_without_its_file_is_reported_and_kept_without_fix(s3, settings):
    photo = ready_photo()
    s3.delete_object(Bucket=settings.MEDIAHUB_BUCKET, Key=photo.s3_key)

    status, lines = reconcile()

    assert status == 1
    assert lines == [
        f"missing-object   {photo.id}: ready, but its file {photo.s3_key} is missing. "
        "Found: --fix would mark it rejected.",
        "Found 1 (1 missing-object); fixed 0, 1 remain.",
    ]
    assert record(photo.id).status == Status.READY


def test_a_ready_record_without_its_file_is_marked_rejected_with_fix(s3, settings, bucket_keys):
    photo = ready_photo()
    s3.delete_object(Bucket=settings.MEDIAHUB_BUCKET, Key=photo.s3_key)

    status, lines = reconcile("--fix")

    assert status == 0
    assert lines[0].endswith("Fixed: marked it rejected and deleted its thumbnail.")
    after = record(photo.id)
    assert (after.status, after.reason) == ("rejected", "The file is no longer in storage. Please upload it again.")
    assert (after.thumbnail_key, after.checksum_key) == (None, None)
    assert bucket_keys() == []


# expired-pending: a pending record past its expiry.


def test_an_expired_upload_that_never_sent_its_file_is_reported_and_kept_without_fix(later):
    item = direct_upload()
    later()

    status, lines = reconcile()

    assert status == 1
    assert lines[0].startswith(f"expired-pending  {item.id}: pending since ")
    assert lines[0].endswith("its file never arrived. Found: --fix would remove the record.")
    assert record(item.id).status == Status.PENDING


def test_an_expired_upload_that_never_sent_its_file_is_removed_with_its_multipart_upload(
    settings, later, multipart_uploads, bucket_keys
):
    settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES = 10_000
    single, multipart = direct_upload(), direct_upload(data=b"x" * 20_000, filename="big.bin", declared="video/mp4")
    assert multipart_uploads() == [multipart.upload_id]
    later()

    status, lines = reconcile("--fix")

    assert status == 0
    assert sorted(line.rsplit(": ", 1)[-1] for line in lines[:-1]) == [
        "removed the record and aborted its multipart upload.",
        "removed the record.",
    ]
    assert record(single.id) is None and record(multipart.id) is None
    assert multipart_uploads() == []
    assert bucket_keys() == []


def test_an_expired_upload_whose_file_arrived_is_processed_and_ends_ready(put, later, bucket_keys):
    item = direct_upload()
    put(item.s3_key, JPEG, "image/jpeg")  # the browser's POST landed; its finish never came
    later()

    found = reconcile()
    status, lines = reconcile("--fix")

    assert found[0] == 1 and found[1][0].endswith("its file arrived. Found: --fix would process it.")
    assert status == 0
    assert lines[0].endswith("Fixed: processed it: ready.")
    after = record(item.id)
    assert (after.status, after.width, after.expires_at) == ("ready", 80, None)
    assert sorted(bucket_keys()) == sorted([item.s3_key, after.thumbnail_key])


def test_an_expired_upload_whose_file_is_not_what_it_claims_is_rejected_for_its_content(put, later, bucket_keys):
    item = direct_upload(data=b"<html>not a photo</html>", filename="photo.jpg")
    put(item.s3_key, b"<html>not a photo</html>", "image/jpeg")
    later()

    status, lines = reconcile("--fix")

    assert status == 0
    assert "Fixed: processed it: rejected (" in lines[0]
    assert record(item.id).status == Status.REJECTED
    assert bucket_keys() == []


def test_a_storage_fault_while_processing_an_expired_upload_keeps_it_pending_with_its_file(
    put, later, bucket_keys, faults
):
    item = direct_upload()
    put(item.s3_key, JPEG, "image/jpeg")
    later()
    sniff = faults.fail("GetObject", error=unreachable, times=1)  # storage drops out as the file is read

    status, lines = reconcile("--fix")
    again = reconcile("--fix")

    assert (status, sniff.hits) == (1, 1)
    assert "Failed: processing failed (ProcessingInterrupted" in lines[0]
    kept = record(item.id)
    assert kept.status == Status.PENDING and kept.expires_at > timezone.now()
    assert bucket_keys() == [item.s3_key]
    assert again == (0, [NOTHING])  # renewed: the next window's run retries it
    later()
    assert reconcile("--fix")[0] == 0
    assert record(item.id).status == Status.READY


def test_a_pending_record_without_an_expiry_expires_after_the_pending_window(put, later):
    # The form path writes its pending record without an expiry; one interrupted there must not stay forever.
    item = MediaItemFactory(status=Status.PENDING, size=len(JPEG), uploaded_at=timezone.now())
    put(item.s3_key, JPEG, "image/jpeg")
    assert reconcile() == (0, [NOTHING])
    later()

    status, lines = reconcile("--fix")

    assert status == 0 and lines[0].endswith("Fixed: processed it: ready.")
    assert record(item.id).status == Status.READY


# orphan-thumbnail: a thumbnail without its ready item.


def test_orphan_thumbnails_are_reported_without_fix_and_deleted_with_it(put, later, bucket_keys):
    photo = ready_photo()
    no_item = put(storage.thumbnail_key("01JGONE000000000000000000"))
    rejected = MediaItemFactory(status=Status.REJECTED, reason="Not an image.")
    of_rejected = put(storage.thumbnail_key(rejected.id))
    pending = MediaItemFactory(status=Status.PENDING, expires_at=timezone.now() + timedelta(days=30))
    of_pending = put(storage.thumbnail_key(pending.id))
    later()

    found_status, found = reconcile()
    status, fixed = reconcile("--fix")

    assert found_status == 1
    assert sorted(line.split(": ")[0] for line in found[:-1]) == [
        f"orphan-thumbnail {no_item}",
        f"orphan-thumbnail {of_rejected}",
    ]
    assert found[-1] == "Found 2 (2 orphan-thumbnail); fixed 0, 2 remain."
    assert status == 0 and fixed[-1] == "Found 2 (2 orphan-thumbnail); fixed 2, 0 remain."
    assert sorted(bucket_keys()) == sorted([photo.s3_key, photo.thumbnail_key, of_pending])


# stale-multipart: an unfinished multipart upload older than a day.


def test_a_stale_multipart_upload_is_reported_without_fix_and_aborted_with_it(s3, settings, later, multipart_uploads):
    key = "media/01JABANDONED00000000000000/big.mp4"
    upload_id = s3.create_multipart_upload(Bucket=settings.MEDIAHUB_BUCKET, Key=key)["UploadId"]
    later()

    found_status, found = reconcile()
    after_report = multipart_uploads()
    status, fixed = reconcile("--fix")

    assert found_status == 1
    assert found[0].startswith(f"stale-multipart  {key} (upload {upload_id[:12]}…): started ")
    assert found[0].endswith("never completed. Found: --fix would abort it.")
    assert after_report == [upload_id]
    assert status == 0 and fixed[0].endswith("Fixed: aborted it.")
    assert multipart_uploads() == []


# The run as a whole.


def every_kind_of_orphan(s3, settings, put) -> None:
    put("media/01JORPHAN0000000000000000/lost.jpg")
    missing = ready_photo("Missing")
    s3.delete_object(Bucket=settings.MEDIAHUB_BUCKET, Key=missing.s3_key)
    direct_upload()
    put(storage.thumbnail_key("01JGONE000000000000000000"))
    s3.create_multipart_upload(Bucket=settings.MEDIAHUB_BUCKET, Key="media/01JABANDONED00000000000000/big.mp4")


def test_a_second_run_with_fix_finds_nothing(s3, settings, put, later):
    every_kind_of_orphan(s3, settings, put)
    later()

    first = reconcile("--fix")
    second = reconcile("--fix")

    assert first[0] == 0
    assert first[1][-1] == (
        "Found 5 (1 orphan-object, 1 missing-object, 1 expired-pending, 1 orphan-thumbnail, 1 stale-multipart); "
        "fixed 5, 0 remain."
    )
    assert second == (0, [NOTHING])


def test_uploads_in_flight_are_left_alone(put, settings, bucket_keys, multipart_uploads, later):
    settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES = 10_000
    photo = ready_photo()
    later()  # the young things below start two days after the photo, and the run comes an hour later
    form_object = put("media/01JFORMINFLIGHT00000000000/new.jpg")  # the form path writes this before its record
    waiting = direct_upload()
    landed = direct_upload()
    put(landed.s3_key, JPEG, "image/jpeg")
    filling = direct_upload(data=b"x" * 20_000, filename="big.mp4", declared="video/mp4")
    unconfirmed_thumbnail = put(storage.thumbnail_key("01JPROCESSING0000000000000"))
    later(timedelta(hours=1))

    assert reconcile("--fix") == (0, [NOTHING])
    assert sorted(bucket_keys()) == sorted(
        [photo.s3_key, photo.thumbnail_key, form_object, landed.s3_key, unconfirmed_thumbnail]
    )
    assert {record(item.id).status for item in (waiting, landed, filling)} == {Status.PENDING}
    assert multipart_uploads() == [filling.upload_id]


def test_a_pending_record_that_changes_during_the_run_is_left_alone(put, later, faults, bucket_keys):
    item = direct_upload()
    put(item.s3_key, JPEG, "image/jpeg")
    later()
    # The browser's finish concludes the upload between the run's check and its repair.
    faults.before("HeadObject", lambda params: services.media_process(item=record(item.id)))

    status, lines = reconcile("--fix")

    assert status == 1
    assert lines[0].endswith("Left alone: it changed during the run; left alone for the next run.")
    assert record(item.id).status == "ready"
    assert sorted(bucket_keys()) == sorted([item.s3_key, f"thumbnails/{item.id}.webp"])


def test_a_ready_record_that_changes_during_the_run_is_left_alone(s3, settings, monkeypatch):
    photo = ready_photo()
    s3.delete_object(Bucket=settings.MEDIAHUB_BUCKET, Key=photo.s3_key)
    real_object_size = storage.object_size

    def edited_meanwhile(key: str) -> int | None:
        monkeypatch.setattr(storage, "object_size", real_object_size)
        current = record(photo.id)
        services.media_update(item=current, name="Renamed meanwhile", caption="", version=current.version)
        return real_object_size(key)

    monkeypatch.setattr(storage, "object_size", edited_meanwhile)
    status, lines = reconcile("--fix")

    assert status == 1 and "Left alone:" in lines[0]
    assert (record(photo.id).status, record(photo.id).name) == ("ready", "Renamed meanwhile")


def test_findings_on_many_pages_of_listing_and_scan_are_all_found(put, later, monkeypatch):
    monkeypatch.setattr(reconcile_module, "PAGE_SIZE", 2)
    for n in range(5):
        put(f"media/01JORPHAN000000000000000{n}/lost.jpg")
        put(storage.thumbnail_key(f"01JGONE00000000000000000{n}"))
        direct_upload()
    later()

    status, lines = reconcile("--fix")

    assert status == 0
    assert lines[-1] == "Found 15 (5 orphan-object, 5 expired-pending, 5 orphan-thumbnail); fixed 15, 0 remain."
    assert reconcile("--fix") == (0, [NOTHING])


def test_the_scheduled_lambda_entry_point_repairs_and_logs_a_summary(s3, settings, put, later, caplog):
    every_kind_of_orphan(s3, settings, put)
    later()
    scheduled = {"detail-type": "Scheduled Event", "resources": ["arn:aws:events:us-east-1:1:rule/x"], "kwargs": {}}

    with caplog.at_level(logging.INFO, logger="uploads.events"):
        totals = events.reconcile(scheduled, None)

    assert totals == {
        "found": 5,
        "fixed": 5,
        "remaining": 0,
        "orphan-object": 1,
        "missing-object": 1,
        "expired-pending": 1,
        "orphan-thumbnail": 1,
        "stale-multipart": 1,
        "checksum-pending": 0,
    }
    assert "Reconcile: Found 5 (" in caplog.text and "fixed 5, 0 remain." in caplog.text
    assert reconcile() == (0, [NOTHING])
