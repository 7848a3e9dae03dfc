"""Helpers the browser tests share."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.services import manage

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

PASSWORD = "Browser-user-pass-5"  # noqa: S105


def throttle_uploads(page: Page, bytes_per_second: int) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": bytes_per_second}
    cdp.send("Network.emulateNetworkConditions", conditions)


def sign_in_as_new_user(page: Page, portal: str, emulator, username: str) -> None:
    """A fresh member (not an admin: their listing shows only their own media), signed in."""
    create = f"from accounts.services import user_create; user_create(username={username!r}, password={PASSWORD!r})"
    assert manage(emulator, "shell", "-c", create).returncode == 0
    sign_in(page, portal, username)


def sign_in(page: Page, portal: str, username: str) -> None:
    """Sign a member made by sign_in_as_new_user in, in this page's browser context."""
    page.goto(f"{portal}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{portal}/")


def upload(page: Page, portal: str, path: Path, name: str, caption: str = "") -> None:
    page.goto(f"{portal}/upload/")
    form = page.locator("section[aria-labelledby=form-heading] form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Caption").fill(caption)
    form.get_by_label("File").set_input_files(str(path))
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").filter(has_text=f"Uploaded “{name}”.")).to_be_visible()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
