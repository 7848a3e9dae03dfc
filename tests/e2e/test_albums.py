"""Albums, tags and the trash in real Chromium: make an album, put three selected items in
it from the list, tag two with bulk edit, filter the list by the tag, see it all on an
item's page; then delete the two tagged items to the trash, restore one (back in its album
with its tags) and empty the trash. Screenshots land in build/screenshots/."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import media
from tests.e2e.helpers import shot, sign_in_as_new_user, upload


def test_an_album_from_three_selected_items_two_tagged_and_filtered(page, portal, emulator, tmp_path):
    sign_in_as_new_user(page, portal, emulator, "organiser")
    for n, name in enumerate(("Tram 28", "Alfama", "Belém")):
        photo = tmp_path / f"p{n}.jpg"
        photo.write_bytes(media.jpeg(600 + 40 * n, 400, color=(60 * n, 120, 200 - 50 * n)))
        upload(page, portal, photo, name)

    page.goto(f"{portal}/albums/new/")
    page.get_by_label("Name").fill("Lisbon")
    page.get_by_label("Description").fill("Three days in May")
    page.get_by_role("button", name="Make the album").click()
    expect(page.get_by_text("This album is empty.")).to_be_visible()

    page.goto(f"{portal}/?view=table")
    for name in ("Tram 28", "Alfama", "Belém"):
        page.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Add to album…").click()
    page.get_by_label("Add to album").select_option(label="Lisbon")
    shot(page, "bulk-edit-album.png")
    page.get_by_role("button", name="Apply to 3 items").click()
    expect(page.get_by_text("Changed 3 items.")).to_be_visible()

    page.goto(f"{portal}/albums/")
    page.get_by_role("link", name="Lisbon").click()
    expect(page.get_by_role("heading", name="Lisbon")).to_be_visible()
    expect(page.locator("td.name-col")).to_have_text(["Belém", "Alfama", "Tram 28"])
    shot(page, "album-page.png")

    page.goto(f"{portal}/?view=table")
    page.get_by_label("Select Alfama").check()
    page.get_by_label("Select Belém").check()
    page.get_by_role("button", name="Edit selected…").click()
    page.get_by_label("Add tags").fill("Miradouro, SUNSET")
    page.get_by_role("button", name="Apply to 2 items").click()
    expect(page.get_by_text("Changed 2 items.")).to_be_visible()

    page.get_by_label("Tag:", exact=True).fill("sunset")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("td.name-col")).to_have_text(["Belém", "Alfama"])
    shot(page, "list-filtered-by-tag.png")

    page.get_by_role("link", name="Alfama").click()
    expect(page.get_by_role("link", name="miradouro")).to_be_visible()
    expect(page.locator("ul.album-memberships")).to_contain_text("Lisbon")
    shot(page, "detail-albums-tags.png")

    # Both tagged items to the trash: gone from the tag filter and the album.
    page.goto(f"{portal}/?view=table&tag=sunset")
    page.get_by_label("Select Alfama").check()
    page.get_by_label("Select Belém").check()
    page.get_by_role("button", name="Delete selected…").click()
    page.get_by_role("button", name="Yes, delete 2 items").click()
    expect(page.get_by_text("Moved 2 items to the trash.")).to_be_visible()
    page.goto(f"{portal}/?view=table&tag=sunset")
    expect(page.locator("td.name-col")).to_have_count(0)
    page.goto(f"{portal}/albums/")
    page.get_by_role("link", name="Lisbon").click()
    expect(page.locator("td.name-col")).to_have_text(["Tram 28"])

    # Restore one: back in its album, with its tags; then empty the trash.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trash").click()
    expect(page.locator("main tbody tr")).to_have_count(2)
    expect(page.locator("main tbody tr").first).to_contain_text("(in 4 weeks")
    shot(page, "trash-two-items.png")
    page.get_by_role("row", name="Alfama").get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored “Alfama”.")).to_be_visible()
    page.goto(f"{portal}/trash/")
    page.get_by_role("button", name="Empty trash").click()
    page.get_by_role("button", name="Yes, delete them forever").click()
    expect(page.get_by_text("Deleted 1 item forever.")).to_be_visible()
    page.goto(f"{portal}/?view=table&tag=sunset")
    expect(page.locator("td.name-col")).to_have_text(["Alfama"])
    page.goto(f"{portal}/albums/")
    page.get_by_role("link", name="Lisbon").click()
    expect(page.locator("td.name-col")).to_have_text(["Alfama", "Tram 28"])
    shot(page, "album-after-restore.png")
    page.get_by_role("link", name="Alfama").click()
    expect(page.get_by_role("link", name="sunset")).to_be_visible()
    expect(page.locator("ul.album-memberships")).to_contain_text("Lisbon")
