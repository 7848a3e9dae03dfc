"""Direct uploads against MiniStack with AUTH on: S3 itself enforces the POST policy the
portal signs, and the bucket's CORS rule admits the portal's origin only."""

from __future__ import annotations

import pytest
import requests

from tests import media
from tests.services import manage, s3_client, signed_in

PASSWORD = "Direct-upload-pass-7"  # noqa: S105
PNG = media.png(64, 64)


@pytest.fixture(scope="module")
def uploader(emulator, portal) -> requests.Session:
    manage(emulator, "createsuperuser", "--noinput", "--username", "poster", DJANGO_SUPERUSER_PASSWORD=PASSWORD)
    return signed_in(portal, "poster", PASSWORD)


def create(uploader, portal: str, *, size: int = len(PNG)) -> dict:
    declared = {"name": "p", "caption": "", "filename": "p.png", "size": size, "type": "image/png"}
    response = uploader.post(f"{portal}/api/v1/uploads", json=declared, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def post(created: dict, data: bytes, content_type: str = "image/png") -> requests.Response:
    fields = {**created["post"]["fields"], "Content-Type": content_type}
    return requests.post(created["post"]["url"], data=fields, files={"file": ("p.png", data)}, timeout=10)


def test_s3_accepts_exactly_what_was_declared_and_the_portal_marks_it_ready(uploader, portal):
    created = create(uploader, portal)

    assert post(created, PNG).status_code == 204
    finished = uploader.post(f"{portal}/api/v1/uploads/{created['item']['id']}/finish", timeout=10)
    assert finished.json()["status"] == "ready"


@pytest.mark.parametrize("data", [PNG + b"extra bytes", PNG[:-1]], ids=["larger", "smaller"])
def test_s3_refuses_a_body_of_another_size_than_declared(uploader, portal, emulator, data):
    created = create(uploader, portal)

    response = post(created, data)

    assert response.status_code in (400, 403)
    assert b"EntityToo" in response.content or b"AccessDenied" in response.content
    objects = s3_client(emulator).list_objects_v2(Bucket="mediahub-live", Prefix=created["key"])
    assert objects.get("KeyCount", 0) == 0


def test_s3_refuses_another_content_type_than_declared(uploader, portal, emulator):
    created = create(uploader, portal)

    response = post(created, PNG, content_type="text/html")

    assert response.status_code == 403
    assert b"Policy Condition failed" in response.content or b"AccessDenied" in response.content
    objects = s3_client(emulator).list_objects_v2(Bucket="mediahub-live", Prefix=created["key"])
    assert objects.get("KeyCount", 0) == 0


def test_cors_preflight_admits_the_portal_and_refuses_other_origins(emulator, portal):
    bucket_url = f"{emulator.endpoint}/mediahub-live"
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}

    ours = requests.options(bucket_url, headers={"Origin": portal, **preflight}, timeout=10)
    theirs = requests.options(bucket_url, headers={"Origin": "http://evil.example", **preflight}, timeout=10)

    assert ours.status_code == 200
    assert ours.headers["Access-Control-Allow-Origin"] == portal
    assert theirs.status_code == 403
    assert "Access-Control-Allow-Origin" not in theirs.headers
