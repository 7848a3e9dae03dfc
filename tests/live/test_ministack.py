"""Against a live MiniStack over HTTP: provisioning, createsuperuser, and the portal's
whole upload path, surviving an emulator restart."""

from __future__ import annotations

import re

import requests

from tests import media
from tests.helpers import file_link
from tests.services import manage, s3_client, signed_in

ADMIN_PASSWORD = "Live-admin-pass-31"  # noqa: S105
JPEG_BYTES = media.jpeg(200, 150)


def test_setup_aws_is_idempotent_and_protects_the_bucket(emulator):
    # A stage of its own, so the portal's bucket keeps its CORS rule.
    stage = {"MEDIAHUB_BUCKET": "mediahub-setup-check", "MEDIAHUB_TABLE_PREFIX": "mediahub-setup-check"}
    first = manage(emulator, "setup_aws", **stage, MEDIAHUB_CORS_ORIGINS="https://portal.example")
    second = manage(emulator, "setup_aws", **stage, MEDIAHUB_CORS_ORIGINS="https://portal.example")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "Table mediahub-setup-check-media: exists" in second.stdout
    s3 = s3_client(emulator)
    block = s3.get_public_access_block(Bucket="mediahub-setup-check")["PublicAccessBlockConfiguration"]
    assert all(block.values())
    [cors] = s3.get_bucket_cors(Bucket="mediahub-setup-check")["CORSRules"]
    assert cors["AllowedOrigins"] == ["https://portal.example"]
    unsigned = requests.put(f"{emulator.endpoint}/mediahub-setup-check/x.txt", data=b"x", timeout=10)
    assert unsigned.status_code == 403


def test_createsuperuser_noinput_against_ministack(emulator, portal):
    result = manage(
        emulator, "createsuperuser", "--noinput", "--username", "liveadmin", DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD
    )

    assert result.returncode == 0, result.stderr
    assert "Admin liveadmin created." in result.stdout
    assert signed_in(portal, "liveadmin", ADMIN_PASSWORD).get(f"{portal}/accounts/users/").status_code == 200


def test_upload_list_and_download_survive_a_ministack_restart(emulator, portal):
    manage(emulator, "createsuperuser", "--noinput", "--username", "uploader", DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD)
    browser = signed_in(portal, "uploader", ADMIN_PASSWORD)

    confirmation = browser.post(
        f"{portal}/upload/",
        data={"name": "Harbour", "caption": "Morning fog", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        files={"file": ("photo.jpg", JPEG_BYTES, "image/jpeg")},
    )
    assert confirmation.status_code == 200
    assert "Uploaded “Harbour”." in confirmation.text
    assert requests.get(file_link(confirmation.text), timeout=10).content == JPEG_BYTES

    emulator.restart()

    listing = browser.get(f"{portal}/")
    detail_path = re.search(r'<a href="(/media/[^"]+/)">Harbour</a>', listing.text).group(1)
    detail = browser.get(f"{portal}{detail_path}")
    assert "Morning fog" in detail.text
    assert requests.get(file_link(detail.text), timeout=10).content == JPEG_BYTES
