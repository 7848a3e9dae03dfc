"""The API's docs page in real Chromium: Swagger UI from the portal itself (the CSP admits
no CDN), listing the operations, reached from the API tokens page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import shot, sign_in_as_new_user


def test_the_api_docs_page_lists_the_operations(page, portal, emulator):
    sign_in_as_new_user(page, portal, emulator, "scripter")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("laptop import")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make the token").click()
    assert page.locator("#token").input_value().startswith("mhp_")

    page.goto(f"{portal}/accounts/tokens/")
    expect(page.get_by_role("cell", name="laptop import")).to_be_visible()
    page.get_by_role("link", name="API", exact=True).click()
    expect(page.get_by_text("/api/v1/media/{media_id}/shares").first).to_be_visible()
    shot(page, "api-docs.png")
