"""Processing seen from outside the upload service: metadata read in a few ranged requests,
the file link and duplicate notice a processed item gets, and the S3 event that finishes
forgotten uploads. What processing records is tested on the service (test_services.py)."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs, urlsplit

from tests import media
from tests.helpers import file_link, form_upload, stored_item
from uploads import events, storage
from uploads.metadata import extract
from uploads.models import MediaItem


def test_video_metadata_reads_the_same_few_blocks_however_long_the_video(settings, s3):
    def bytes_read(megabytes: int) -> int:
        clip = media.mp4(1920, 1080, 95.0, media_bytes=megabytes * 1024 * 1024)
        key = f"media/x/clip-{megabytes}.mp4"
        s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key, Body=clip)
        with storage.open_range(key, len(clip)) as reader:
            found = extract(reader, kind="video", content_type="video/mp4")
            assert (found.width, found.height, round(found.duration)) == (1920, 1080, 95)
            return reader.raw.bytes_fetched

    small, large = bytes_read(16), bytes_read(64)

    assert small == large
    assert large < 4 * 1024 * 1024  # of a 64 MiB file


def test_file_link_serves_the_sniffed_type_inline_only_when_safe(member_client):
    photo = stored_item("photo.jpg", media.jpeg(), name="Photo")
    notes = stored_item("notes.txt", b"plain words\n" * 20, name="Notes")
    photo_page = member_client.get(f"/media/{photo.id}/").content.decode()
    notes_page = member_client.get(f"/media/{notes.id}/").content.decode()

    def link_params(page: str) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(file_link(page)).query).items()}

    photo_params, notes_params = link_params(photo_page), link_params(notes_page)
    assert photo_params["response-content-type"] == "image/jpeg"
    assert photo_params["response-content-disposition"].startswith("inline")
    assert notes_params["response-content-type"] == "text/plain"
    assert notes_params["response-content-disposition"].startswith("attachment")


def test_same_file_twice_says_so_and_links_the_earlier_item(member_client):
    data = media.jpeg(120, 80)
    first = stored_item("first.jpg", data, name="First copy")

    response = form_upload(member_client, "again.jpg", data, name="Second copy")
    page = member_client.get(response["Location"]).content.decode()

    assert "Uploaded “Second copy”." in page
    assert f'You uploaded this same file before:\n  <a href="/media/{first.id}/">First copy</a> (<time' in page
    assert len(list(MediaItem.scan())) == 2
    assert "You uploaded this same file before" not in member_client.get(f"/media/{first.id}/").content.decode()


def object_created_event(bucket: str, key: str, size: int) -> dict:
    """An S3 ObjectCreated notification as AWS delivers it to Lambda."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-11-26T10:00:00.000Z",
                "eventName": "ObjectCreated:Post",
                "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
                "requestParameters": {"sourceIPAddress": "198.51.100.7"},
                "responseElements": {
                    "x-amz-request-id": "C3D13FE58DE4C810",
                    "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "mediahub-object-created",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": key.replace(" ", "+"),
                        "size": size,
                        "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                        "sequencer": "0055AED6DCD90281E5",
                    },
                },
            }
        ]
    }


def test_s3_event_finishes_a_forgotten_upload_exactly_once(member_client, s3, settings):
    data = media.jpeg(90, 60)
    declared = {
        "name": "Lost tab",
        "caption": "",
        "filename": "lost photo.jpg",
        "size": len(data),
        "type": "image/jpeg",
    }
    created = member_client.post("/api/v1/uploads", json.dumps(declared), content_type="application/json").json()
    key = created["key"]
    s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key=key, Body=data)
    event = object_created_event(settings.MEDIAHUB_BUCKET, key, len(data))

    first = events.object_created(event, None)
    after_first = MediaItem.get(created["item"]["id"])
    second = events.object_created(event, None)
    after_second = MediaItem.get(created["item"]["id"])

    assert first == {"processed": 1}
    assert (after_first.status, after_first.width, after_first.sha256) == (
        "ready",
        90,
        hashlib.sha256(data).hexdigest(),
    )
    assert second == {"processed": 1}
    assert after_second.version == after_first.version
    assert after_second.updated_at == after_first.updated_at


def test_s3_event_for_an_unknown_key_does_nothing(settings, bucket_keys, s3):
    s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key="media/01UNKNOWN/x.jpg", Body=media.jpeg())

    result = events.object_created(object_created_event(settings.MEDIAHUB_BUCKET, "media/01UNKNOWN/x.jpg", 10), None)

    assert result == {"processed": 0}
    assert bucket_keys() == ["media/01UNKNOWN/x.jpg"]
