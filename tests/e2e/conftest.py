"""Real Chromium (Debian's, driven by Playwright) against the portal on a live MiniStack."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it with apt-get.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser) -> tuple[Page, BrowserContext]:
    """A page in a fresh browser context: its own cookies and storage, like another device."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page, context


@pytest.fixture
def page(browser) -> Iterator[Page]:
    page, context = new_page(browser)
    # Chromium reports what the Content-Security-Policy blocked on the console.
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    yield page
    context.close()
    blocked = [text for text in console if "Content Security Policy" in text]
    assert blocked == [], "the portal's pages broke their own Content-Security-Policy"
