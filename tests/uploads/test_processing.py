"""Processing: what the file itself says (type, checksum, dimensions, duration, pages),
thumbnails, duplicate notices, and the S3 event that finishes forgotten uploads."""

from __future__ import annotations

import hashlib
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import media
from uploads import events, storage
from uploads.metadata import extract
from uploads.models import MediaItem


def upload(client, filename: str, data: bytes, name: str = "Item"):
    return client.post("/upload/", {"name": name, "file": SimpleUploadedFile(filename, data)})


def only_item() -> MediaItem:
    [item] = list(MediaItem.scan())
    return item


def test_photo_records_dimensions_orientation_and_capture_time(member_client):
    upload(member_client, "p.jpg", media.jpeg(400, 300, orientation=6, taken="2024:05:01 10:20:30"))

    item = only_item()
    assert (item.kind, item.content_type, item.status) == ("image", "image/jpeg", "ready")
    assert (item.width, item.height, item.orientation) == (400, 300, 6)
    assert item.taken_at.strftime("%Y-%m-%d %H:%M:%S") == "2024-05-01 10:20:30"


def test_thumbnail_is_a_small_upright_webp_without_gps(member_client, s3, settings):
    upload(member_client, "p.jpg", media.jpeg(1600, 1200, orientation=6, gps=True, color=(0, 0, 255)))

    item = only_item()
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


def test_checksum_is_the_sha256_of_the_stored_bytes(member_client):
    data = media.png(50, 40)
    upload(member_client, "a.png", data)

    assert only_item().sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("voice.wav", media.wav(3.0), {"kind": "audio", "duration": 3.0}),
        ("song.mp3", media.mp3(383), {"kind": "audio", "duration": 10.0}),
        ("clip.mp4", media.mp4(1280, 720, 12.5), {"kind": "video", "duration": 12.5, "width": 1280, "height": 720}),
        ("paper.pdf", media.pdf(3), {"kind": "document", "page_count": 3}),
    ],
)
def test_audio_video_and_pdf_metadata(member_client, filename, data, expected):
    response = upload(member_client, filename, data)

    assert response.status_code == 302, response.content.decode()
    item = only_item()
    for field, value in expected.items():
        actual = getattr(item, field)
        assert actual == pytest.approx(value, abs=0.05) if isinstance(value, float) else actual == value


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


def test_html_renamed_to_jpg_is_rejected_and_nothing_is_kept(member_client, bucket_keys):
    page = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

    response = upload(member_client, "cute-cat.jpg", page)

    assert response.status_code == 400
    assert "This file was not accepted: The file&#x27;s content is not an image, video, audio file" in (
        response.content.decode()
    )
    assert list(MediaItem.scan()) == []
    assert bucket_keys() == []


def test_a_damaged_image_is_rejected_with_a_reason(member_client, bucket_keys):
    broken = media.jpeg(200, 100)[:300]

    response = upload(member_client, "broken.jpg", broken)

    assert "This file was not accepted: The image could not be read: it looks damaged or incomplete." in (
        response.content.decode()
    )
    assert bucket_keys() == []


def test_file_link_serves_the_sniffed_type_inline_only_when_safe(member_client):
    upload(member_client, "photo.jpg", media.jpeg(), name="Photo")
    photo = only_item()
    photo_page = member_client.get(f"/media/{photo.id}/").content.decode()
    MediaItem.get(photo.id).delete()
    upload(member_client, "notes.txt", b"plain words\n" * 20, name="Notes")
    notes_page = member_client.get(f"/media/{only_item().id}/").content.decode()

    def link_params(page: str) -> dict:
        link = re.search(r'href="([^"]+)" class="file-link"', page).group(1).replace("&amp;", "&")
        return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}

    photo_params, notes_params = link_params(photo_page), link_params(notes_page)
    assert photo_params["response-content-type"] == "image/jpeg"
    assert photo_params["response-content-disposition"].startswith("inline")
    assert notes_params["response-content-type"] == "text/plain"
    assert notes_params["response-content-disposition"].startswith("attachment")


def test_same_file_twice_says_so_and_links_the_earlier_item(member_client):
    data = media.jpeg(120, 80)
    upload(member_client, "first.jpg", data, name="First copy")
    first = only_item()

    response = upload(member_client, "again.jpg", data, name="Second copy")
    page = member_client.get(response["Location"]).content.decode()

    assert "Uploaded “Second copy”." in page
    assert f'You uploaded this same file before:\n  <a href="/media/{first.id}/">First copy</a> (<time' in page
    assert len(list(MediaItem.scan())) == 2
    assert "You uploaded this same file before" not in member_client.get(f"/media/{first.id}/").content.decode()


def test_deleting_an_item_removes_its_thumbnail(member_client, bucket_keys):
    upload(member_client, "p.jpg", media.jpeg())
    item = only_item()
    assert sorted(bucket_keys()) == sorted([item.s3_key, item.thumbnail_key])

    member_client.post(f"/media/{item.id}/delete/")

    assert bucket_keys() == []


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
    created = member_client.post("/api/uploads/", json.dumps(declared), content_type="application/json").json()
    key = created["item"]["key"]
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
