"""Sharing in real Chromium: make a link with a password, open it in a browser with no
session, give the password, play the video, download it; withdraw the link from the
item page, and the visitor's reload says it is gone."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.helpers import shot, sign_in_as_new_user, upload

LINK_PASSWORD = "lighthouse 7"  # noqa: S105


def test_share_with_a_password_play_download_and_withdraw(page, browser, portal, emulator, webm: Path):
    sign_in_as_new_user(page, portal, emulator, "lender")
    upload(page, portal, webm, "Harbour film", "Two seconds from the pier")
    page.get_by_role("link", name="New share link").click()
    page.get_by_label("Link works for").select_option("7d")
    page.get_by_label("Password (optional)").fill(LINK_PASSWORD)
    page.get_by_role("button", name="Make the link").click()
    link = page.locator("#share-link").input_value()
    shot(page, "share-created.png")

    visitor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    visitor = visitor_context.new_page()
    blocked: list[str] = []
    visitor.on("console", lambda message: blocked.append(message.text) if "Content Security" in message.text else None)
    visitor.goto(link)
    expect(visitor.get_by_role("heading", name="This link is protected")).to_be_visible()
    visitor.get_by_label("Password").fill(LINK_PASSWORD)
    visitor.get_by_role("button", name="Open").click()
    expect(visitor.get_by_role("heading", name="Harbour film")).to_be_visible()
    video = visitor.locator("video.preview")
    video.evaluate("v => { v.muted = true; return v.play() }")
    visitor.wait_for_function("() => document.querySelector('video.preview').currentTime > 0.2")
    shot(visitor, "share-page.png")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == "test-pattern.webm"
    assert Path(download.value.path()).read_bytes() == webm.read_bytes()

    page.get_by_role("link", name="Back to the item").click()
    expect(page.locator("table.shares tbody tr")).to_have_count(1)
    expect(page.locator("table.shares tbody td").nth(4)).to_have_text("1")  # views
    shot(page, "share-list-on-item.png")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("The link is withdrawn")).to_be_visible()

    answer = visitor.reload()
    assert answer.status == 404
    expect(visitor.get_by_text("This link has expired or been withdrawn.")).to_be_visible()
    shot(visitor, "share-withdrawn.png")
    visitor_context.close()
    assert blocked == [], "the share page broke its own Content-Security-Policy"
