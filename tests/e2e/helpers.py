"""Helpers the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.services import manage


def sign_in_as_new_user(page: Page, portal: str, emulator, username: str) -> None:
    """A fresh member (not an admin: their listing shows only their own media), signed in."""
    password = "Browser-user-pass-5"  # noqa: S105
    create = f"from accounts.services import user_create; user_create(username={username!r}, password={password!r})"
    assert manage(emulator, "shell", "-c", create).returncode == 0
    page.goto(f"{portal}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{portal}/")
