"""The full-content pass (SHA-256, duplicate notice), split off the verification in the
request: bounded reads before `ready`, then a pass that runs once, survives storage
failures without harming the item, is pinned to the bytes that were checked, and is
picked up by reconcile if it never lands."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from mediahub import aws
from tests import media
from tests.fault_injection import timeout, unreachable
from tests.helpers import form_upload
from trash.models import TrashedItem
from trash.services import trash_purge, trashed_media
from uploads import background, events, services, storage
from uploads.models import MediaItem, Status

pytestmark = pytest.mark.usefixtures("aws")

JPEG = media.jpeg(320, 240)


@pytest.fixture
def started(monkeypatch) -> list[str]:
    """The checksum passes verification started, held back: a test runs them when it wants."""
    ids: list[str] = []
    monkeypatch.setattr(background, "checksum_later", ids.append)
    return ids


def landed(data: bytes, *, filename: str, content_type: str) -> MediaItem:
    """A direct upload whose bytes are in S3, not yet verified."""
    upload = services.direct_upload_create(
        owner="alice", name="Upload", caption="", filename=filename, size=len(data), declared_type=content_type
    )
    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=upload.item.s3_key, Body=data)
    return upload.item


def current(media_id: str) -> MediaItem:
    return MediaItem.get(media_id, consistent_read=True)


def whole_file_reads(faults, key: str) -> int:
    return sum(
        1
        for name, params in faults.calls
        if name == "GetObject"
        and params["Key"] == key
        and params.get("Range", "").startswith("bytes=0-")
        and int(params["Range"].rsplit("-", 1)[1]) > 1024 * 1024
    )


def requested_bytes(faults) -> int:
    total = 0
    for name, params in faults.calls:
        if name == "GetObject":
            start, end = params["Range"].removeprefix("bytes=").split("-")
            total += int(end) - int(start) + 1
    return total


def test_verification_reads_the_same_bounded_bytes_whatever_the_size(faults, started):
    def verified(megabytes: int) -> tuple[int, int]:
        faults.calls.clear()
        clip = media.mp4(1920, 1080, 95.0, media_bytes=megabytes * 1024 * 1024)
        item = services.media_process(item=landed(clip, filename="clip.mp4", content_type="video/mp4"))
        assert (item.status, item.duration, item.sha256) == (Status.READY, 95.0, None)
        return faults.called("GetObject"), requested_bytes(faults)

    small, large = verified(8), verified(64)

    assert small == large  # the same ranged reads...
    assert large[1] < 4 * 1024 * 1024  # ...of a few blocks, for a 64 MiB file
    assert len(started) == 2


def test_ready_comes_first_and_the_checksum_and_duplicate_notice_after(member_client, started):
    first = form_upload(member_client, "first.jpg", JPEG, name="First")
    services.media_checksum(media_id=started.pop())
    second = form_upload(member_client, "again.jpg", JPEG, name="Again")
    [media_id] = started

    pending_page = member_client.get(second["Location"]).content.decode()
    assert current(media_id).status == Status.READY
    assert "Checksum pending" in pending_page
    assert "You uploaded this same file before" not in pending_page

    done = services.media_checksum(media_id=media_id)

    page = member_client.get(second["Location"]).content.decode()
    assert done is not None and done.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert "Checksum pending" not in page
    assert "You uploaded this same file before" in page and f"/media/{first['Location'].split('/')[2]}/" in page


def test_the_pass_runs_once_when_started_twice_one_after_the_other(faults, started):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))

    first = services.media_checksum(media_id=item.id)
    again = services.media_checksum(media_id=item.id)

    assert first is not None and again is None
    assert faults.called("GetObject") == 4  # sniff, metadata, thumbnail; one whole read
    assert current(item.id).sha256 == hashlib.sha256(JPEG).hexdigest()


def test_the_pass_runs_once_when_started_twice_at_the_same_moment(faults, started):
    data = media.wav(seconds=150)  # 2.4 MB: a whole read is distinguishable from the ranged ones
    item = services.media_process(item=landed(data, filename="t.wav", content_type="audio/x-wav"))
    faults.calls.clear()
    meanwhile: list[MediaItem | None] = []
    faults.before(
        "GetObject",
        lambda params: meanwhile.append(services.media_checksum(media_id=item.id)),
        when=lambda params: params["Range"] == f"bytes=0-{len(data) - 1}",
    )

    done = services.media_checksum(media_id=item.id)

    assert meanwhile == [None]  # the second start found the first one's claim and left
    assert done is not None and done.sha256 == hashlib.sha256(data).hexdigest()
    assert whole_file_reads(faults, item.s3_key) == 1
    assert faults.called("UpdateItem") == 3  # a claim, a claim refused, the result


@pytest.mark.parametrize(
    ("operation", "skip", "times"),
    # Reading the bytes (a read that breaks off is resumed, three times); writing the result.
    [("GetObject", 0, 3), ("UpdateItem", 1, 1)],
    ids=["read", "write"],
)
def test_a_failed_pass_keeps_the_item_ready_and_the_next_try_completes_it(faults, started, operation, skip, times):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    faults.fail(operation, error=timeout, skip=skip, times=times)

    with pytest.raises(Exception, match="timeout|Read timeout"):
        services.media_checksum(media_id=item.id)

    failed = current(item.id)
    assert (failed.status, failed.sha256, failed.checksum_claimed_at) == (Status.READY, None, None)
    assert storage.object_size(item.s3_key) == len(JPEG)
    assert services.media_checksum(media_id=item.id) is not None
    assert current(item.id).sha256 == hashlib.sha256(JPEG).hexdigest()


def test_the_thread_runner_retries_until_the_checksum_lands(faults, settings, monkeypatch):
    settings.MEDIAHUB_CHECKSUM_RUNNER = "thread"
    monkeypatch.setattr(background, "THREAD_RETRY_DELAYS", (0.0, 0.0, 0.0))
    item = landed(JPEG, filename="p.jpg", content_type="image/jpeg")
    whole = f"bytes=0-{len(JPEG) - 1}"
    cut = faults.fail("GetObject", error=unreachable, when=lambda params: params["Range"] == whole, skip=2, times=2)

    ready = services.media_process(item=item)
    for thread in threading.enumerate():
        if thread.name == f"checksum-{item.id}":
            thread.join(timeout=30)

    assert (ready.status, ready.sha256) == (Status.READY, None)
    assert cut.hits == 2
    assert current(item.id).sha256 == hashlib.sha256(JPEG).hexdigest()


def test_on_lambda_the_pass_is_an_asynchronous_invocation_of_the_same_function(faults, settings):
    settings.MEDIAHUB_CHECKSUM_RUNNER, settings.LAMBDA_FUNCTION_NAME = "lambda", "mediahub-dev"
    invoke = faults.fail("Invoke", error=unreachable)  # Lambda's API is down, too

    ready = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))

    [(_, params)] = [call for call in faults.calls if call[0] == "Invoke"]
    assert invoke.hits == 1
    assert (params["FunctionName"], params["InvocationType"]) == ("mediahub-dev", "Event")
    assert json.loads(params["Payload"]) == {"command": "uploads.events.checksum", "media_id": ready.id}
    # A pass that could not even start leaves the item ready, for reconcile.
    assert (current(ready.id).status, current(ready.id).sha256) == (Status.READY, None)


def test_the_lambda_entry_point_computes_it_and_raises_storage_errors_for_lambda_to_retry(faults, started):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    faults.fail("GetObject", error=timeout, times=3)

    with pytest.raises(Exception, match="timeout"):
        events.checksum({"command": "uploads.events.checksum", "media_id": item.id}, None)

    assert events.checksum({"command": "uploads.events.checksum", "media_id": item.id}, None) == {"checksummed": 1}
    assert events.checksum({"command": "uploads.events.checksum", "media_id": item.id}, None) == {"checksummed": 0}
    assert events.checksum({"command": "uploads.events.checksum"}, None) == {"checksummed": 0}


def test_bytes_replaced_after_the_check_reject_the_item_and_are_removed(started, bucket_keys):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    # A POST policy stays valid for minutes: the same key, size and type, other bytes.
    swapped = bytes(reversed(JPEG))
    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key, Body=swapped)

    done = services.media_checksum(media_id=item.id)

    assert done is not None
    rejected = current(item.id)
    assert (rejected.status, rejected.sha256, rejected.reason) == (Status.REJECTED, None, services.REPLACED)
    assert bucket_keys() == []


def test_s3s_full_object_checksum_is_recorded_and_a_composite_one_is_not(started, monkeypatch):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    assert current(item.id).s3_checksum.startswith("crc32:")  # what boto3 sends moto; S3 makes CRC64NVME

    head_object = aws.s3().head_object

    def composite(**params):
        answer = head_object(**params)
        return {**answer, "ChecksumCRC64NVME": "AAAAAAAAAAA=", "ChecksumType": "COMPOSITE"}

    monkeypatch.setattr(aws.s3(), "head_object", composite)
    assert storage.object_head(item.s3_key).checksum is None

    def full(**params):
        return {**head_object(**params), "ChecksumCRC64NVME": "AAAAAAAAAAA=", "ChecksumType": "FULL_OBJECT"}

    monkeypatch.setattr(aws.s3(), "head_object", full)
    assert storage.object_head(item.s3_key).checksum == "crc64nvme:AAAAAAAAAAA="


def test_reconcile_computes_a_checksum_that_never_landed(started, time_machine):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    out = io.StringIO()
    call_command("reconcile", stdout=out)
    assert "checksum-pending" not in out.getvalue()  # still inside its lease: a pass may be running
    time_machine.move_to(timezone.now() + services.CHECKSUM_LEASE + timedelta(minutes=1))

    call_command("reconcile", "--fix", stdout=out)

    assert f"checksum-pending {item.id}: ready since " in out.getvalue()
    assert "Fixed: computed it." in out.getvalue()
    assert current(item.id).sha256 == hashlib.sha256(JPEG).hexdigest()


def test_a_claim_that_lapsed_is_taken_over(started, time_machine, faults):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    # A run that claimed the pass and then died (its function timed out): its release never came.
    faults.fail("UpdateItem", error=unreachable, skip=1)
    faults.fail("GetObject", error=unreachable)
    with pytest.raises(Exception, match="Could not connect"):
        services.media_checksum(media_id=item.id)
    faults.faults.clear()
    assert current(item.id).checksum_claimed_at is not None
    assert services.media_checksum(media_id=item.id) is None  # claimed: another run holds it

    time_machine.move_to(timezone.now() + services.CHECKSUM_LEASE + timedelta(seconds=1))

    assert services.media_checksum(media_id=item.id) is not None
    assert current(item.id).sha256 == hashlib.sha256(JPEG).hexdigest()


def test_a_delete_during_the_pass_is_not_undone(started, faults, bucket_keys):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    whole = f"bytes=0-{len(JPEG) - 1}"
    faults.before(
        "GetObject",
        lambda params: services.media_delete(item=current(item.id), actor="alice"),
        when=lambda p: p["Range"] == whole,
    )

    assert services.media_checksum(media_id=item.id) is None

    assert list(MediaItem.scan()) == []  # in the trash, not brought back by the pass
    [trashed] = TrashedItem.query("alice")
    assert trashed_media(trashed).sha256 is None
    trash_purge(trashed=trashed, actor="alice")
    assert bucket_keys() == []


def test_bytes_replaced_after_the_checksum_landed_are_caught_by_s3s_event(started, bucket_keys):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    services.media_checksum(media_id=item.id)
    event = {"Records": [{"s3": {"object": {"key": item.s3_key}}}]}
    events.object_created(event, None)  # S3 delivers the first object's event late, or twice
    assert current(item.id).status == Status.READY

    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key, Body=bytes(reversed(JPEG)))
    events.object_created(event, None)

    rejected = current(item.id)
    assert (rejected.status, rejected.reason, rejected.sha256, rejected.checksum_key) == (
        Status.REJECTED,
        services.REPLACED,
        None,
        None,
    )
    assert bucket_keys() == []


def test_a_storage_fault_while_the_event_compares_etags_changes_nothing_and_lambda_retries(started, faults):
    item = services.media_process(item=landed(JPEG, filename="p.jpg", content_type="image/jpeg"))
    aws.s3().put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key, Body=bytes(reversed(JPEG)))
    faults.fail("HeadObject", error=unreachable, times=1)
    event = {"Records": [{"s3": {"object": {"key": item.s3_key}}}]}

    with pytest.raises(Exception, match="Could not connect"):
        events.object_created(event, None)

    assert current(item.id).status == Status.READY
    assert events.object_created(event, None) == {"processed": 1}  # Lambda's retry
    assert current(item.id).status == Status.REJECTED
