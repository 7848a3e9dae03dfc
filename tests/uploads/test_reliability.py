"""What storage faults and races leave behind (moto, faults injected at the AWS client).

Only a file's own content may reject it: when S3 or DynamoDB fails under a check, the
item stays pending with its file, and checking again completes it. When a cancel, a
delete or an edit meets a check, one side wins, the other hears why, and S3 and
DynamoDB agree afterwards. The live suite (tests/faults/) stalls a real emulator.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.conf import settings

from mediahub import aws
from tests import media
from tests.fault_injection import timeout, unreachable
from uploads import services
from uploads.exceptions import ProcessingInterrupted, StaleEdit, UploadNotPending, UploadStillPending
from uploads.models import MediaItem, Status

JPEG = media.jpeg(640, 480, orientation=6)
PDF = media.pdf(3)


def pending_upload(data: bytes, *, filename: str, content_type: str, owner: str = "alice") -> MediaItem:
    """A direct upload whose bytes have landed and that nobody has checked yet."""
    upload = services.direct_upload_create(
        owner=owner, name="Upload", caption="", filename=filename, size=len(data), declared_type=content_type
    )
    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=upload.item.s3_key, Body=data)
    return upload.item


def bucket_keys() -> set[str]:
    listed = aws.s3().list_objects_v2(Bucket=settings.MEDIAHUB_BUCKET)
    return {obj["Key"] for obj in listed.get("Contents", [])}


def record(media_id: str) -> MediaItem | None:
    try:
        return MediaItem.get(media_id, consistent_read=True)
    except MediaItem.DoesNotExist:
        return None


@pytest.mark.parametrize(
    ("operation", "skip", "when"),
    [
        ("HeadObject", 0, lambda params: True),
        # A JPEG's reads, in order: sniff, metadata, thumbnail (the checksum comes later).
        ("GetObject", 0, lambda params: True),
        ("GetObject", 1, lambda params: True),
        ("GetObject", 2, lambda params: True),
        ("PutObject", 0, lambda params: params["Key"].startswith("thumbnails/")),
        ("PutItem", 0, lambda params: True),  # the verdict
    ],
    ids=["size", "sniff", "metadata", "thumbnail-read", "thumbnail-write", "verdict"],
)
def test_storage_failing_at_any_step_of_a_check_keeps_the_item_pending_and_whole(aws, faults, operation, skip, when):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")
    fault = faults.fail(operation, when=when, skip=skip, error=timeout)

    with pytest.raises(ProcessingInterrupted) as refused:
        services.media_process(item=item)

    assert fault.hits >= 1
    assert refused.value.status_code == 503
    assert "Nothing was deleted" in str(refused.value)
    assert record(item.id).status == Status.PENDING
    assert item.s3_key in bucket_keys()
    faults.faults.clear()

    checked = services.media_process(item=record(item.id))

    assert checked.status == Status.READY
    assert checked.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert bucket_keys() == {item.s3_key, f"thumbnails/{item.id}.webp"}


def test_a_parser_that_hides_a_storage_fault_does_not_reject_the_file(aws, faults):
    # pypdf catches read errors and reports a damaged document; the fault must win.
    item = pending_upload(PDF, filename="doc.pdf", content_type="application/pdf")
    fault = faults.fail("GetObject", skip=1, times=1, error=unreachable)  # the first read after sniffing

    with pytest.raises(ProcessingInterrupted):
        services.media_process(item=item)

    assert fault.hits == 1
    assert record(item.id).status == Status.PENDING
    assert item.s3_key in bucket_keys()


def test_a_checksum_read_that_breaks_off_resumes_where_it_stopped(aws, faults):
    data = media.wav(seconds=30)  # about 480 KB, read in 1 MiB chunks: one cut is mid-file
    item = pending_upload(data, filename="tone.wav", content_type="audio/x-wav")
    whole_file = f"bytes=0-{len(data) - 1}"
    cut = faults.cut_body("GetObject", after=100_000, when=lambda params: params.get("Range") == whole_file)

    checked = services.media_process(item=item)

    assert cut.hits == 1

    assert checked.status == Status.READY
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_real_content_problems_still_reject(aws):
    item = pending_upload(b"not a jpeg at all" * 100, filename="photo.jpg", content_type="image/jpeg")

    checked = services.media_process(item=item)

    assert checked.status == Status.REJECTED
    assert bucket_keys() == set()


@pytest.mark.parametrize(
    ("budget", "reason"),
    [
        (100_000_000, "The image is 13,000 × 13,000 pixels, 169 megapixels; images may have up to 100 megapixels."),
        # Above twice the budget Pillow itself refuses to open it; the size comes from its refusal.
        (64_000_000, "The image is 169 megapixels; images may have up to 64 megapixels."),
    ],
)
def test_an_image_above_the_pixel_budget_is_refused_from_its_header(aws, settings, budget, reason):
    from PIL import Image

    settings.MEDIAHUB_MAX_IMAGE_PIXELS = budget
    out = io.BytesIO()
    Image.new("1", (13_000, 13_000)).save(out, "PNG")  # 169 megapixels in a small file
    item = pending_upload(out.getvalue(), filename="bomb.png", content_type="image/png")

    checked = services.media_process(item=item)

    assert (checked.status, checked.reason) == (Status.REJECTED, reason)
    assert bucket_keys() == set()


def test_cancel_during_a_check_wins_and_the_check_removes_what_it_wrote(aws, faults):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")
    # The browser cancels just as the check writes the thumbnail.
    faults.before(
        "PutObject",
        lambda params: services.direct_upload_abort(item=record(item.id)),
        when=lambda params: params["Key"].startswith("thumbnails/"),
    )

    with pytest.raises(UploadNotPending, match="cancelled while it was being checked"):
        services.media_process(item=item)

    assert record(item.id) is None
    assert bucket_keys() == set()


def test_cancel_just_before_a_check_reads_the_file_is_reported_as_a_cancel(aws, faults):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")
    # The check loaded the record; the cancel removes record and file before it looks.
    faults.before("HeadObject", lambda params: services.direct_upload_abort(item=record(item.id)))

    with pytest.raises(UploadNotPending, match="cancelled while it was being checked"):
        services.media_process(item=item)

    assert record(item.id) is None
    assert bucket_keys() == set()


def test_a_check_that_concluded_first_makes_the_cancel_refuse(aws):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")
    services.media_process(item=record(item.id))

    with pytest.raises(UploadNotPending):
        services.direct_upload_abort(item=item)  # the copy read before the check concluded

    assert record(item.id).status == Status.READY
    assert bucket_keys() == {item.s3_key, f"thumbnails/{item.id}.webp"}


def test_delete_during_a_check_leaves_nothing_behind(aws, faults):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")
    faults.before(
        "PutItem",
        lambda params: services.media_delete(item=record(item.id), actor="alice"),
        when=lambda params: params["Item"].get("status", {}).get("S") == Status.READY,
    )

    with pytest.raises(UploadNotPending):
        services.media_process(item=item)

    assert record(item.id) is None
    assert bucket_keys() == set()


def test_two_checks_at_once_agree_and_keep_one_thumbnail(aws, faults):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")
    # The S3 event's check concludes while the browser's is about to.
    faults.before(
        "PutItem",
        lambda params: services.media_process(item=record(item.id)),
        when=lambda params: params["Item"].get("status", {}).get("S") == Status.READY,
    )

    checked = services.media_process(item=item)

    assert checked.status == Status.READY
    assert bucket_keys() == {item.s3_key, f"thumbnails/{item.id}.webp"}


def test_a_pending_item_cannot_be_edited_so_no_check_is_thrown_away(aws):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")

    with pytest.raises(UploadStillPending):
        services.media_update(item=item, name="Renamed", caption="", version=item.version)

    checked = services.media_process(item=record(item.id))
    services.media_update(item=checked, name="Renamed", caption="", version=checked.version)
    saved = record(item.id)
    assert (saved.name, saved.status, saved.sha256) == ("Renamed", Status.READY, hashlib.sha256(JPEG).hexdigest())


def test_an_edit_read_while_pending_cannot_overwrite_the_check(aws):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")
    stale = record(item.id)
    services.media_process(item=item)
    stale.status = Status.READY  # a forged or stale copy claiming the item is ready

    with pytest.raises(StaleEdit):  # the version moved on when the check concluded
        services.media_update(item=stale, name="Renamed", caption="", version=stale.version)

    assert record(item.id).sha256 == hashlib.sha256(JPEG).hexdigest()


def test_a_form_upload_whose_check_is_interrupted_stays_pending_expiring_and_can_be_checked_again(
    aws, faults, member_client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    faults.fail("HeadObject", error=timeout)
    upload = SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg")

    response = member_client.post("/upload/", {"name": "Beach", "caption": "", "file": upload})

    assert response.status_code == 503
    assert "It is in your media as pending and nothing was deleted" in response.content.decode()
    (item,) = MediaItem.scan()
    assert item.status == Status.PENDING and item.expires_at is not None
    assert item.s3_key in bucket_keys()
    faults.faults.clear()

    again = member_client.post(f"/media/{item.id}/check/", follow=True)

    assert "is checked and ready" in again.content.decode()
    assert record(item.id).status == Status.READY


def test_a_stalled_store_answers_503_that_says_so_without_touching_it_again(aws, faults, member_client):
    faults.fail("GetItem", error=timeout)  # sessions, users and media all read through GetItem

    response = member_client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Storage is not answering right now; nothing was changed." in response.content.decode()


def test_a_stalled_store_answers_503_even_for_an_unknown_address(aws, faults, member_client):
    faults.fail("GetItem", error=timeout)

    response = member_client.get("/no/such/page/")

    assert response.status_code == 503
    assert "Storage is not answering right now" in response.content.decode()


def test_an_unknown_address_is_still_a_404_when_storage_answers(aws, member_client):
    response = member_client.get("/no/such/page/")

    assert response.status_code == 404
    assert "There is nothing here, or it is not yours to see." in response.content.decode()


def test_a_stalled_store_answers_the_json_api_with_503(aws, faults, member_client):
    item = pending_upload(JPEG, filename="photo.jpg", content_type="image/jpeg")
    faults.fail("HeadObject", error=unreachable)

    response = member_client.post(f"/api/v1/uploads/{item.id}/finish", "{}", content_type="application/json")

    assert response.status_code == 503
    assert "stays pending" in response.json()["detail"]


def test_clients_give_up_within_a_few_seconds_by_default():
    config = aws.s3().meta.config
    meta = MediaItem.Meta

    # What a stalled store costs one call: the page answers 503 well inside API Gateway's 29 s.
    assert config.connect_timeout + config.read_timeout * config.retries["total_max_attempts"] <= 10
    assert (meta.connect_timeout_seconds, meta.read_timeout_seconds) == (config.connect_timeout, config.read_timeout)
    assert meta.max_retry_attempts == config.retries["total_max_attempts"] - 1


def test_assembling_a_multipart_upload_may_take_longer():
    assert aws.s3(read_seconds=25).meta.config.read_timeout == 25


def test_a_polyglot_named_html_downloads_under_the_name_of_what_it_really_is(aws):
    item = pending_upload(JPEG + b"<script>alert(1)</script>", filename="evil\u202egpj.html", content_type="image/jpeg")

    checked = services.media_process(item=item)

    assert (checked.status, checked.content_type) == (Status.READY, "image/jpeg")
    assert checked.original_filename == "evilgpj.jpg"
    assert record(item.id).original_filename == "evilgpj.jpg"


@pytest.mark.usefixtures("aws")
def test_an_image_over_the_pixel_budget_is_refused_through_the_json_api(member_client):
    data = media.png_of_pixels(13_000, 13_000)
    declared = {"name": "Huge", "caption": "", "filename": "huge.png", "size": len(data), "type": "image/png"}
    created = member_client.post("/api/v1/uploads", declared, content_type="application/json").json()
    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=created["key"], Body=data)

    response = member_client.post(
        f"/api/v1/uploads/{created['item']['id']}/finish", {}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "The image is 169 megapixels; images may have up to 64 megapixels."
    assert bucket_keys() == set()  # the record stays, rejected with the reason; no bytes do
