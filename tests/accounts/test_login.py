"""Sign-in (and its throttling), sign-out and server-side sessions on DynamoDB, through the pages.
The throttling rules are tested on the service (test_services.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import SessionRecord
from tests.factories import PASSWORD
from tests.helpers import sign_in

pytestmark = pytest.mark.usefixtures("aws")


def test_anonymous_visitor_is_sent_to_sign_in_with_next_kept(client):
    response = client.get("/upload/?x=1")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fupload%2F%3Fx%3D1"


def test_sign_in_goes_to_next_and_shows_who_is_signed_in(client, member):
    response = client.post("/accounts/login/?next=/upload/", {"username": "Alice ", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/upload/"
    assert '<span class="who">alice</span>' in client.get("/upload/").content.decode()


def test_offsite_next_is_ignored(client, member):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_wrong_password_says_so_and_signs_nobody_in(client, member):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 401
    assert "That username and password do not match an active account." in response.content.decode()
    assert client.get("/").status_code == 302


def test_sixth_failed_attempt_is_refused_with_429_and_says_when_to_retry(client, member):
    for _ in range(5):
        assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code == 401

    blocked = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert blocked.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in blocked.content.decode()
    assert 0 < int(blocked["Retry-After"]) <= 900


def test_unknown_user_gets_the_same_message(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})

    assert response.status_code == 401
    assert "That username and password do not match an active account." in response.content.decode()


def test_session_key_changes_on_sign_in(client, member):
    client.get("/accounts/login/")
    client.session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    sign_in(client, "alice")

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert SessionRecord.count(before) == 0
    assert SessionRecord.get(after).username == "alice"


def test_sign_out_deletes_the_session_so_a_replayed_cookie_is_worthless(member_client):
    cookie = member_client.cookies[settings.SESSION_COOKIE_NAME].value

    response = member_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert SessionRecord.count(cookie) == 0
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/").status_code == 302


def test_sign_out_only_by_post(member_client):
    assert member_client.get("/accounts/logout/").status_code == 405
    assert member_client.get("/").status_code == 200


def test_session_expires_even_before_dynamodb_ttl_removes_it(member_client):
    cookie = member_client.cookies[settings.SESSION_COOKIE_NAME].value
    later = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)

    with time_machine.travel(later):
        response = member_client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert SessionRecord.get(cookie) is not None  # still in the table: only the read check saved us


def test_session_cookie_is_httponly_samesite_and_secure_in_production(client, member):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True
