"""Resuming from another browser in real Chromium: a 150 MB upload is cut off when its
browser context closes, and a fresh context, signed in as the same member, finds it under
"Unfinished uploads", refuses a different file, and sends only the parts S3 lacks."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Page, expect

from tests import media
from tests.e2e.conftest import new_page
from tests.e2e.helpers import sign_in, sign_in_as_new_user, throttle_uploads
from tests.helpers import add_figure
from tests.services import s3_client

MiB = 1024 * 1024
SIZE = 150 * MiB
PART = 8 * MiB  # the uploader's part size for files under 80 GB
PARTS = -(-SIZE // PART)


def part_puts(page: Page) -> list[str]:
    """The part PUTs this page completes from now on."""
    sent: list[str] = []
    page.on("requestfinished", lambda r: sent.append(r.url) if r.method == "PUT" and "partNumber=" in r.url else None)
    return sent


def test_an_upload_cut_off_in_one_browser_resumes_in_another_with_only_the_missing_parts(
    browser: Browser, portal, emulator, tmp_path
):
    video = media.mp4_file(tmp_path / "clip.mp4", size=SIZE)
    (tmp_path / "other").mkdir()
    impostor = media.mp4_file(tmp_path / "other" / "clip.mp4", size=SIZE, width=640, height=360)
    first, first_context = new_page(browser)
    sign_in_as_new_user(first, portal, emulator, "resumer")
    first.goto(f"{portal}/upload/")
    sent_first = part_puts(first)
    first.locator("#uppy-dashboard input[type=file]").first.set_input_files(str(video))
    throttle_uploads(first, 10 * MiB)
    first.locator(".uppy-StatusBar-actionBtn--upload").click()
    deadline = time.monotonic() + 60
    while len(sent_first) < 4 and time.monotonic() < deadline:
        first.wait_for_timeout(50)
    first_context.close()  # the laptop's lid closes mid-upload

    second, second_context = new_page(browser)
    sign_in(second, portal, "resumer")
    second.goto(f"{portal}/upload/")
    row = second.locator("#unfinished li").first
    expect(row).to_contain_text("clip (clip.mp4, 150.0\xa0MB)")
    expect(row).to_contain_text("arrived")
    media_id = row.get_attribute("data-media-id")
    sent_second = part_puts(second)

    with second.expect_file_chooser() as chooser:
        row.get_by_role("button", name="Resume").click()
    chooser.value.set_files(str(impostor))
    expect(row.locator(".problem")).to_contain_text("same name and size, but not the same content")

    s3 = s3_client(emulator)
    [upload] = [u for u in s3.list_multipart_uploads(Bucket="mediahub-live")["Uploads"] if media_id in u["Key"]]
    held = len(s3.list_parts(Bucket="mediahub-live", Key=upload["Key"], UploadId=upload["UploadId"])["Parts"])
    with second.expect_file_chooser() as chooser:
        row.get_by_role("button", name="Resume").click()
    chooser.value.set_files(str(video))
    expect(second.locator("#upload-status")).to_have_text(
        "1 file uploaded and checked. They are in your media list.", timeout=120_000
    )
    second.goto(f"{portal}/media/{media_id}/")
    expect(second.locator("dl.details")).to_contain_text("ready")
    second_context.close()

    add_figure("parts held when resumed", held)
    add_figure("part PUTs after resuming", len(sent_second))
    assert 0 < held < PARTS
    assert len(sent_second) == PARTS - held
    stored = s3.head_object(Bucket="mediahub-live", Key=upload["Key"])
    assert stored["ContentLength"] == SIZE
