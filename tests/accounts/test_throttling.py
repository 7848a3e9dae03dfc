"""accounts/throttling.py: each sign-in attempt is reserved atomically before its password
is checked (five per username or address in 15 minutes), and a successful one is given back.
The throttle as the sign-in page and the services show it is in test_login.py and
test_services.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import throttling
from accounts.exceptions import LoginThrottled
from accounts.models import LoginFailures
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("aws")


def attempt(client, username="alice", password="wrong", address="203.0.113.7"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_attempt_is_counted_before_its_password_is_checked(client, member, monkeypatch):
    seen = []

    def check_password(password, encoded):
        seen.append((LoginFailures.get("username:alice").failures, LoginFailures.get("address:203.0.113.7").failures))
        return False

    monkeypatch.setattr("accounts.services.check_password", check_password)

    assert attempt(client).status_code == 401
    assert seen == [(1, 1)]


def test_a_full_window_refuses_before_the_password_is_checked(client, member, monkeypatch):
    for _ in range(5):
        attempt(client)
    monkeypatch.setattr("accounts.services.check_password", lambda *args: pytest.fail("password checked"))

    assert attempt(client, password=PASSWORD).status_code == 429
    assert LoginFailures.get("username:alice").failures == 5


def test_success_gives_the_address_its_attempt_back(client, member):
    for n in range(4):
        attempt(client, username=f"guess{n}")

    assert attempt(client, password=PASSWORD).status_code == 302

    assert LoginFailures.get("address:203.0.113.7").failures == 4
    assert LoginFailures.count("username:alice") == 0
    assert attempt(Client(), username="guess9").status_code == 401
    assert attempt(Client(), username="guess9").status_code == 429


def test_a_throttled_address_gives_the_username_its_attempt_back(client, member):
    for n in range(5):
        attempt(client, username=f"guess{n}")

    assert attempt(client, password=PASSWORD).status_code == 429

    assert LoginFailures.get("username:alice").failures == 0


def test_an_expired_window_is_replaced_by_a_new_one(member):
    start = timezone.now()
    for _ in range(5):
        throttling.attempts_reserve(["username:alice"], now=start)
    with pytest.raises(LoginThrottled):
        throttling.attempts_reserve(["username:alice"], now=start + timedelta(minutes=14))

    later = start + timedelta(minutes=15, seconds=1)
    [reservation] = throttling.attempts_reserve(["username:alice"], now=later)

    record = LoginFailures.get("username:alice")
    assert (record.failures, record.window_start, reservation.window_start) == (1, later, later)
    assert record.expires_at > later + timedelta(minutes=14)


def test_a_window_another_attempt_just_started_is_counted_into_not_overwritten(monkeypatch):
    start_window = throttling._start_window

    def rival_starts_it_first(key, *, now, budget, count):
        monkeypatch.setattr(throttling, "_start_window", start_window)
        assert start_window(key, now=now, budget=budget, count=count) == now  # the other request's write
        return start_window(key, now=now, budget=budget, count=count)  # ours, refused: a window runs now

    monkeypatch.setattr(throttling, "_start_window", rival_starts_it_first)

    throttling.attempts_reserve(["username:alice"], now=timezone.now())

    assert LoginFailures.get("username:alice").failures == 2


def test_release_leaves_a_newer_window_alone(member):
    start = timezone.now()
    [old] = throttling.attempts_reserve(["username:alice"], now=start)
    later = start + timedelta(minutes=16)
    for _ in range(3):
        throttling.attempts_reserve(["username:alice"], now=later)

    throttling.attempt_release(old)

    assert LoginFailures.get("username:alice").failures == 3


def test_retry_after_counts_to_the_end_of_the_window(member):
    start = timezone.now()
    for _ in range(5):
        throttling.attempts_reserve(["address:192.0.2.5"], now=start)

    with pytest.raises(LoginThrottled) as refused:
        throttling.attempts_reserve(["address:192.0.2.5"], now=start + timedelta(minutes=10))

    assert refused.value.retry_after == 300
