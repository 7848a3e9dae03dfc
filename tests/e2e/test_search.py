"""Search in real Chromium: type in the search box, see the newest matches, page on."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import sign_in_as_new_user
from tests.services import manage

# Twelve harbour photos and one of a market, through the upload service, in one shell.
SEED = """
from django.core.files.uploadedfile import SimpleUploadedFile
from tests import media
from uploads.services import media_create_from_upload
for n in range(1, 13):
    upload = SimpleUploadedFile(f"harbour-{n}.png", media.png())
    media_create_from_upload(owner="searcher", name=f"Harbour {n}", caption="Fog", upload=upload)
media_create_from_upload(owner="searcher", name="Market", caption="", upload=SimpleUploadedFile("m.png", media.png()))
"""


def test_type_a_word_beginning_see_the_newest_matches_and_page_on(page, portal, emulator):
    sign_in_as_new_user(page, portal, emulator, "searcher")
    assert manage(emulator, "shell", "-c", SEED).returncode == 0

    page.goto(f"{portal}/")
    page.get_by_label("Per page").select_option("10")
    page.get_by_label("Search").fill("HARB fog")
    page.get_by_label("Search").press("Enter")

    expect(page.locator("td.name-col")).to_have_text([f"Harbour {n}" for n in range(12, 2, -1)])
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("td.name-col")).to_have_text(["Harbour 2", "Harbour 1"])
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    expect(page.get_by_text("Search further")).to_have_count(0)
