"""Against a live MiniStack over HTTP: provisioning, createsuperuser, and the portal's
whole upload path, surviving an emulator restart."""

from __future__ import annotations

import re

import boto3
import pytest
import requests

from scripts import ministack
from tests.live.conftest import manage

pytestmark = pytest.mark.live

ADMIN_PASSWORD = "Live-admin-pass-31"  # noqa: S105
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 64


def test_setup_aws_is_idempotent_and_protects_the_bucket(emulator):
    first = manage(emulator, "setup_aws")
    second = manage(emulator, "setup_aws")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "Table mediahub-live-media: exists" in second.stdout
    s3 = boto3.client(
        "s3",
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id=ministack.ACCESS_KEY_ID,
        aws_secret_access_key=ministack.SECRET_ACCESS_KEY,
        aws_session_token=None,
    )
    block = s3.get_public_access_block(Bucket="mediahub-live")["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert s3.get_bucket_cors(Bucket="mediahub-live")["CORSRules"][0]["AllowedOrigins"] == [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
    ]


def test_createsuperuser_noinput_against_ministack(emulator, portal):
    result = manage(
        emulator, "createsuperuser", "--noinput", "--username", "liveadmin", DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD
    )

    assert result.returncode == 0, result.stderr
    assert "Admin liveadmin created." in result.stdout
    assert _signed_in(portal, "liveadmin", ADMIN_PASSWORD).get(f"{portal}/accounts/users/").status_code == 200


def test_upload_list_and_download_survive_a_ministack_restart(emulator, portal):
    manage(emulator, "createsuperuser", "--noinput", "--username", "uploader", DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD)
    browser = _signed_in(portal, "uploader", ADMIN_PASSWORD)

    confirmation = browser.post(
        f"{portal}/upload/",
        data={"name": "Harbour", "caption": "Morning fog", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        files={"file": ("photo.jpg", JPEG_BYTES, "image/jpeg")},
    )
    assert confirmation.status_code == 200
    assert "Uploaded “Harbour”." in confirmation.text
    assert requests.get(_file_link(confirmation.text), timeout=10).content == JPEG_BYTES

    emulator.restart()

    listing = browser.get(f"{portal}/")
    detail_path = re.search(r'<a href="(/media/[^"]+/)">Harbour</a>', listing.text).group(1)
    detail = browser.get(f"{portal}{detail_path}")
    assert "Morning fog" in detail.text
    assert requests.get(_file_link(detail.text), timeout=10).content == JPEG_BYTES


def _signed_in(portal: str, username: str, password: str) -> requests.Session:
    browser = requests.Session()
    browser.get(f"{portal}/accounts/login/", timeout=10)
    response = browser.post(
        f"{portal}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        timeout=10,
    )
    assert response.status_code == 200 and f'<span class="who">{username}</span>' in response.text
    return browser


def _file_link(page: str) -> str:
    return re.search(r'href="([^"]+)" class="file-link"', page).group(1).replace("&amp;", "&")
