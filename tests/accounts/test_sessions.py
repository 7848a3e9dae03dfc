"""The DynamoDB session engine: held to Django's own contract for session engines, and
never sending DynamoDB a key it would refuse (over 2,048 bytes), whatever a cookie or a URL
holds. The `dynamodb_key_limit` fixture makes moto refuse such keys as AWS does."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, SimpleTestCase

from accounts.models import SessionRecord
from accounts.services import user_create
from accounts.sessions import SessionStore
from tests.accounts.django_session_tests import SessionTestsMixin
from tests.factories import PASSWORD


@pytest.mark.usefixtures("aws")
class TestSessionStoreContract(SessionTestsMixin, SimpleTestCase):
    backend = SessionStore


HUGE = "a" * 3000


def test_an_oversized_session_cookie_is_no_session_on_every_page(dynamodb_key_limit, member):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = HUGE

    assert client.get("/").status_code == 302
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "key",
    [HUGE, "a" * 2049, "é" * 1025, "abcdefg", ""],
    ids=["3000-chars", "2049-bytes", "2050-bytes-of-accents", "seven-chars", "empty"],
)
def test_a_key_django_would_never_make_is_no_session_without_a_read(key, monkeypatch):
    monkeypatch.setattr(SessionRecord, "get", lambda *args, **kwargs: pytest.fail("DynamoDB was asked"))
    monkeypatch.setattr(SessionRecord, "delete", lambda *args, **kwargs: pytest.fail("DynamoDB was asked"))
    store = SessionStore(key)

    assert store.load() == {}
    assert store.session_key is None
    assert not store.exists(key)
    store.delete(key)


def test_a_well_formed_key_still_finds_its_session(member_client):
    key = member_client.cookies[settings.SESSION_COOKIE_NAME].value

    assert SessionStore(key).load()["_auth_username"] == "alice"


def test_an_oversized_username_in_the_admin_url_is_404(dynamodb_key_limit, admin_client):
    assert admin_client.get(f"/accounts/users/{HUGE}/").status_code == 404
    assert admin_client.post(f"/accounts/users/{HUGE}/active/", {"active": "0"}).status_code == 404


def test_a_username_too_long_to_look_up_cannot_be_created(dynamodb_key_limit, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Long-enough-pass-8")
    with pytest.raises(ValidationError, match="at most 150 characters"):
        user_create(username="x" * 151, password=PASSWORD)

    with pytest.raises(CommandError, match="at most 150 characters"):
        call_command("createsuperuser", "--noinput", "--username", HUGE, stdout=io.StringIO())
