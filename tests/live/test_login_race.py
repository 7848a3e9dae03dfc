"""Parallel password guesses against the live portal (runserver is threaded, the hasher is
Django's real PBKDF2): however many arrive at once, at most MEDIAHUB_LOGIN_MAX_FAILURES (5)
per username or per address are checked in a window; the rest are refused with 429 first.

Each guess comes from a loopback address of its own choosing (all of 127.0.0.0/8 reaches
runserver on Linux), so the counters of 127.0.0.1, which every other live test signs in
from, are left alone."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers import add_figure
from tests.services import FromAddress, manage

pytestmark = pytest.mark.live

GUESSES = 30
ALLOWED = 5  # MEDIAHUB_LOGIN_MAX_FAILURES, the portal's default


def guess_all_at_once(portal: str, guesses: list[tuple[str, str]]) -> list[requests.Response]:
    """POST a wrong password for each (username, address), all released together.

    Each browser first loads the sign-in page over a keep-alive connection, one at a
    time (runserver's listen backlog is only 10), so the guesses themselves need no
    new connection and reach the portal together."""
    connect = threading.Lock()
    start = threading.Barrier(len(guesses))

    def guess(username: str, address: str) -> requests.Response:
        with requests.Session() as browser:
            browser.mount("http://", FromAddress(address))
            with connect:
                browser.get(f"{portal}/accounts/login/", timeout=30).raise_for_status()
            token = browser.cookies["csrftoken"]
            form = {"username": username, "password": "not-the-password", "csrfmiddlewaretoken": token}
            start.wait()
            return browser.post(f"{portal}/accounts/login/", data=form, timeout=180)

    with ThreadPoolExecutor(max_workers=len(guesses)) as pool:
        return list(pool.map(lambda pair: guess(*pair), guesses))


def assert_at_most_allowed_were_checked(responses: list[requests.Response], *, per: str) -> None:
    statuses = Counter(response.status_code for response in responses)
    # 401: the password was checked (and wrong); 429: refused before any check.
    add_figure(f"parallel wrong passwords checked per {per} (of {GUESSES})", statuses[401])
    assert statuses == {401: ALLOWED, 429: GUESSES - ALLOWED}, f"parallel wrong passwords checked: {statuses[401]}"
    for response in responses:
        if response.status_code == 429:
            assert 0 < int(response.headers["Retry-After"]) <= 900
            assert "Too many failed sign-ins." in response.text


def test_parallel_guesses_at_one_username_check_at_most_five(emulator, portal):
    created = manage(
        emulator, "createsuperuser", "--noinput", "--username", "racer", DJANGO_SUPERUSER_PASSWORD="Race-pass-42"
    )
    assert created.returncode == 0, created.stderr

    # One guess from each of 30 addresses: only the username's counter can stop them.
    responses = guess_all_at_once(portal, [("racer", f"127.0.0.{10 + n}") for n in range(GUESSES)])

    assert_at_most_allowed_were_checked(responses, per="username")


def test_parallel_guesses_from_one_address_check_at_most_five(portal):
    # A different username each time: only the address's counter can stop them.
    responses = guess_all_at_once(portal, [(f"nobody{n}", "127.0.0.50") for n in range(GUESSES)])

    assert_at_most_allowed_were_checked(responses, per="address")
