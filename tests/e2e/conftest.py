"""Real Chromium (Debian's, driven by Playwright) against the portal on a live MiniStack."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def webm(tmp_path) -> Path:
    """Two seconds of real, playable VP8 video, made by Debian's ffmpeg."""
    if shutil.which("ffmpeg") is None:
        pytest.fail("Debian's ffmpeg is not installed: run `make test`, which installs it with apt-get.")
    path = tmp_path / "test-pattern.webm"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=15",
            "-t",
            "2",
            "-c:v",
            "libvpx",
            "-b:v",
            "300k",
            str(path),
        ],
        check=True,
    )
    return path
