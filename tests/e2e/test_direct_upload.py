"""Direct uploads in real Chromium: Uppy's Dashboard sends a photo, a PDF and a file large
enough for S3 multipart straight to MiniStack, with progress; the portal verifies each.
Cancelling mid-upload leaves no record and no object."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests import media
from tests.e2e.helpers import shot, sign_in_as_new_user, throttle_uploads
from tests.services import aws_client, s3_client

MiB = 1024 * 1024


def write_files(folder: Path) -> dict[str, Path]:
    photo = folder / "photo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(buffer, "JPEG", quality=90)
    photo.write_bytes(buffer.getvalue())
    pdf = folder / "report.pdf"
    pdf.write_bytes(media.pdf_of_size(MiB + 4096))
    return {"photo": photo, "pdf": pdf, "video": media.mp4_file(folder / "clip.mp4", size=120 * MiB)}


def progress_percent(page: Page) -> float:
    style = page.locator(".uppy-StatusBar-progress").get_attribute("style") or ""
    match = re.search(r"width:\s*([\d.]+)%", style)
    return float(match.group(1)) if match else 0.0


def test_three_files_upload_with_progress_and_are_ready_in_the_listing(page, portal, emulator, tmp_path):
    files = write_files(tmp_path)
    sign_in_as_new_user(page, portal, emulator, "uploader1")
    part_puts = []
    page.on("request", lambda r: part_puts.append(r.url) if r.method == "PUT" and "partNumber=" in r.url else None)
    page.goto(f"{portal}/upload/")
    throttle_uploads(page, 60 * MiB)

    page.locator("#uppy-dashboard input[type=file]").first.set_input_files([str(p) for p in files.values()])
    page.locator(".uppy-StatusBar-actionBtn--upload").click()
    seen = 0.0
    deadline = time.monotonic() + 60
    while not 0 < seen < 100 and time.monotonic() < deadline:
        seen = progress_percent(page)
        page.wait_for_timeout(50)
    expect(page.locator("#upload-status")).to_have_text(
        "3 files uploaded and checked. They are in your media list.", timeout=120_000
    )
    shot(page, "uploader-done.png")

    assert 0 < seen < 100, "the status bar never showed partial progress"
    assert len(part_puts) >= 120 * MiB // (8 * MiB)  # the large file went up in parts
    page.goto(f"{portal}/")
    rows = page.locator("table.media-table tbody tr")
    expect(rows).to_have_count(3)
    shot(page, "listing-after-upload.png")
    table = page.locator("table.media-table").inner_text()
    for name, kind, size in (
        ("photo", "image", r"\d+\.\d\xa0KB"),
        ("report", "document", r"1\.0\xa0MB"),
        ("clip", "video", "120.0\xa0MB"),
    ):
        assert re.search(rf"\b{name}\t\t{kind}\t{size}\t.*\tready$", table, re.M), table
    s3 = s3_client(emulator)
    stored = {o["Key"].rsplit("/", 1)[1]: o["Size"] for o in s3.list_objects_v2(Bucket="mediahub-live")["Contents"]}
    assert stored["clip.mp4"] == 120 * MiB
    assert stored["photo.jpg"] == files["photo"].stat().st_size
    assert stored["report.pdf"] == files["pdf"].stat().st_size


@pytest.mark.parametrize(("size", "path"), [(30 * MiB, "post"), (150 * MiB, "multipart")])
def test_cancelling_mid_upload_leaves_no_record_and_no_object(page, portal, emulator, tmp_path, size, path):
    username = f"canceller-{path}"
    sign_in_as_new_user(page, portal, emulator, username)
    s3 = s3_client(emulator)
    keys_before = {o["Key"] for o in s3.list_objects_v2(Bucket="mediahub-live").get("Contents", [])}
    page.goto(f"{portal}/upload/")
    throttle_uploads(page, 5 * MiB)

    page.locator("#uppy-dashboard input[type=file]").first.set_input_files(
        str(media.mp4_file(tmp_path / "big.mp4", size=size))
    )
    page.locator(".uppy-StatusBar-actionBtn--upload").click()
    page.wait_for_function(
        "() => parseFloat(document.querySelector('.uppy-StatusBar-progress')?.style.width || '0') > 1"
    )
    page.get_by_role("button", name="Cancel").first.click()

    dynamodb = aws_client(emulator, "dynamodb")

    def leftovers() -> tuple[list, set[str], list]:
        records = dynamodb.query(
            TableName="mediahub-live-media",
            IndexName="by-owner",
            KeyConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":owner": {"S": username}},
        )["Items"]
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket="mediahub-live").get("Contents", [])} - keys_before
        uploads = s3.list_multipart_uploads(Bucket="mediahub-live").get("Uploads", [])
        return records, keys, uploads

    page.wait_for_timeout(500)
    deadline = time.monotonic() + 20
    state = leftovers()
    while state != ([], set(), []) and time.monotonic() < deadline:
        time.sleep(0.5)
        state = leftovers()
    assert state == ([], set(), [])
