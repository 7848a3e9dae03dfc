"""Login throttling: five attempts per username or address within 15 minutes, each counted
before its password is checked (a successful one is given back), then 429."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts import throttling
from accounts.exceptions import LoginThrottled
from accounts.models import LoginFailures
from tests.factories import PASSWORD


def attempt(client, username="alice", password="wrong", address="203.0.113.7"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sixth_attempt_is_throttled_even_with_the_right_password(client, member):
    statuses = [attempt(client).status_code for _ in range(5)]

    blocked = attempt(client, password=PASSWORD)

    assert statuses == [401] * 5
    assert blocked.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in blocked.content.decode()
    assert 0 < int(blocked["Retry-After"]) <= 900


def test_throttle_lifts_after_the_window(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client)
        assert attempt(client, password=PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert attempt(client, password=PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert attempt(client, password=PASSWORD).status_code == 302


def test_username_is_throttled_from_any_address(client, member):
    for n in range(5):
        attempt(client, address=f"198.51.100.{n}")

    assert attempt(client, password=PASSWORD, address="192.0.2.1").status_code == 429


def test_address_is_throttled_across_usernames(client, member):
    for n in range(5):
        attempt(client, username=f"guess{n}")

    assert attempt(client, password=PASSWORD).status_code == 429
    assert attempt(Client(), password=PASSWORD, address="192.0.2.99").status_code == 302


def test_success_clears_the_username_counter(client, member):
    for _ in range(4):
        attempt(client, address="192.0.2.1")
    assert attempt(client, password=PASSWORD, address="192.0.2.2").status_code == 302

    assert LoginFailures.count("username:alice") == 0
    for _ in range(4):
        assert attempt(Client(), address="192.0.2.3").status_code == 401


def test_counters_expire_through_dynamodb_ttl(client, member):
    attempt(client)

    record = LoginFailures.get("username:alice")

    assert record.failures == 1
    assert record.expires_at > timezone.now() + timedelta(minutes=14)


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
        throttling.login_attempts_reserve(["username:alice"], now=start)
    with pytest.raises(LoginThrottled):
        throttling.login_attempts_reserve(["username:alice"], now=start + timedelta(minutes=14))

    later = start + timedelta(minutes=15, seconds=1)
    [reservation] = throttling.login_attempts_reserve(["username:alice"], now=later)

    record = LoginFailures.get("username:alice")
    assert (record.failures, record.window_start, reservation.window_start) == (1, later, later)
    assert record.expires_at > later + timedelta(minutes=14)


def test_a_window_another_attempt_just_started_is_counted_into_not_overwritten(monkeypatch):
    start_window = throttling._start_window

    def rival_starts_it_first(key, *, now):
        monkeypatch.setattr(throttling, "_start_window", start_window)
        assert start_window(key, now=now) == now  # the other request's write
        return start_window(key, now=now)  # ours, refused: a window runs now

    monkeypatch.setattr(throttling, "_start_window", rival_starts_it_first)

    throttling.login_attempts_reserve(["username:alice"], now=timezone.now())

    assert LoginFailures.get("username:alice").failures == 2


def test_release_leaves_a_newer_window_alone(member):
    start = timezone.now()
    [old] = throttling.login_attempts_reserve(["username:alice"], now=start)
    later = start + timedelta(minutes=16)
    for _ in range(3):
        throttling.login_attempts_reserve(["username:alice"], now=later)

    throttling.login_attempt_release(old)

    assert LoginFailures.get("username:alice").failures == 3


def test_retry_after_counts_to_the_end_of_the_window(member):
    start = timezone.now()
    for _ in range(5):
        throttling.login_attempts_reserve(["address:192.0.2.5"], now=start)

    with pytest.raises(LoginThrottled) as refused:
        throttling.login_attempts_reserve(["address:192.0.2.5"], now=start + timedelta(minutes=10))

    assert refused.value.retry_after == 300
