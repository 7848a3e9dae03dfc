"""Login throttling: five failures per username or address within 15 minutes, then 429."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

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
