"""The portal in real Chromium: upload through the simple form, search and filter, preview
an image and play a video, edit a caption, delete one item and bulk-delete two, restore one
from the trash and empty it. The run
keeps screenshots in build/screenshots/ (the README shows some)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import media
from tests.e2e.helpers import shot, sign_in_as_new_user, upload


def test_browse_preview_play_edit_and_delete(page, portal, emulator, tmp_path, webm):
    sign_in_as_new_user(page, portal, emulator, "curator")
    photo = tmp_path / "harbour.jpg"
    photo.write_bytes(media.jpeg(1200, 800, orientation=6, taken="2025:08:14 07:30:00"))
    second = tmp_path / "market.jpg"
    second.write_bytes(media.jpeg(900, 600, color=(40, 160, 90)))
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(media.pdf(2))
    upload(page, portal, photo, "Harbour at dawn", "Fog over the HARBOUR wall")
    upload(page, portal, webm, "Test pattern", "Two seconds of colour bars")
    upload(page, portal, second, "Market", "Saturday stalls")
    upload(page, portal, notes, "Notes", "Trip notes")

    # Search (case-insensitive, in captions too) and filter by kind.
    page.goto(f"{portal}/")
    shot(page, "list-table.png")
    page.get_by_label("Search").fill("harbour")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("td.name-col")).to_have_text(["Harbour at dawn"])
    page.goto(f"{portal}/")
    page.get_by_label("Kind").select_option("video")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("td.name-col")).to_have_text(["Test pattern"])
    page.goto(f"{portal}/?view=grid")
    shot(page, "list-grid.png")

    # The photo previews upright; the video plays.
    page.get_by_role("link", name="Harbour at dawn").click()
    preview = page.locator("img.preview")
    expect(preview).to_be_visible()
    size = preview.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [800, 1200]  # shown a quarter turn from how it is stored
    expect(page.get_by_text("800 × 1200 pixels as shown")).to_be_visible()
    shot(page, "detail-image.png")
    page.goto(f"{portal}/")
    page.get_by_role("link", name="Test pattern").click()
    video = page.locator("video.preview")
    video.evaluate("v => { v.muted = true; return v.play() }")
    page.wait_for_function("() => document.querySelector('video.preview').currentTime > 0.2")
    assert video.evaluate("v => v.videoWidth") == 320
    expect(page.get_by_text("0:02")).to_be_visible()
    shot(page, "detail-video.png")

    # Edit a caption.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Caption").fill("Colour bars, looping")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved your changes.")).to_be_visible()
    expect(page.locator("p.caption")).to_have_text("Colour bars, looping")

    # Delete one item from its page.
    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_text("Moved “Test pattern” to the trash.")).to_be_visible()

    # Bulk-delete two from the list.
    page.goto(f"{portal}/?view=table")
    page.get_by_label("Select Market").check()
    page.get_by_label("Select Notes").check()
    page.get_by_role("button", name="Delete selected…").click()
    expect(page.get_by_role("heading", name="Delete 2 items?")).to_be_visible()
    page.get_by_role("button", name="Yes, delete 2 items").click()
    expect(page.get_by_text("Moved 2 items to the trash.")).to_be_visible()
    expect(page.locator("td.name-col")).to_have_text(["Harbour at dawn"])
    shot(page, "list-after-deletes.png")

    # The three are in the Trash: restore one, then empty it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trash").click()
    expect(page.locator("main tbody tr")).to_have_count(3)
    shot(page, "trash.png")
    page.get_by_role("row", name="Market").get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored “Market”.")).to_be_visible()
    page.goto(f"{portal}/trash/")
    page.get_by_role("button", name="Empty trash").click()
    page.get_by_role("button", name="Yes, delete them forever").click()
    expect(page.get_by_text("Deleted 2 items forever.")).to_be_visible()
    expect(page.get_by_text("The trash is empty.")).to_be_visible()
    page.goto(f"{portal}/?view=table")
    expect(page.locator("td.name-col")).to_have_text(["Market", "Harbour at dawn"])  # newest upload first


def test_phone_width_keeps_names_and_actions_reachable(browser, portal, emulator, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_as_new_user(page, portal, emulator, "walker")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(media.jpeg(300, 200))
    upload(page, portal, photo, "Pocket photo")

    page.goto(f"{portal}/")
    link = page.get_by_role("link", name="Pocket photo")
    expect(link).to_be_visible()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    shot(page, "list-phone.png")
    context.close()

    assert overflow <= 0


def test_an_iphone_photo_in_heic_shows_its_thumbnail_and_preview(page, portal, emulator, tmp_path):
    sign_in_as_new_user(page, portal, emulator, "iphone")
    photo = tmp_path / "IMG_4242.HEIC"
    photo.write_bytes(media.heic(1200, 900, orientation=6, taken="2025:09:01 18:45:00"))
    upload(page, portal, photo, "Sunset from the pier")

    # Chromium cannot show HEIC: the page shows the WebP rendition, upright.
    preview = page.locator("img.preview")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]") == [True, 900, 1200]
    expect(page.get_by_text("900 × 1200 pixels as shown")).to_be_visible()
    expect(page.get_by_text("2025-09-01 18:45:00 (camera time)")).to_be_visible()
    shot(page, "detail-heic.png")
    page.goto(f"{portal}/?view=grid")
    thumbnail = page.locator(".media-grid img").first
    expect(thumbnail).to_be_visible()
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.media-grid img').complete")
    width, height = thumbnail.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert (width, height) == (360, 480)
