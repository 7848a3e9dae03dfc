"""Personal access tokens: made on the tokens page and shown once, stored hashed, listed
with their last use, revocable; scopes enforced; expired, revoked and deactivated-user
tokens refused; CSRF needed with the session cookie, never with a token."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import boto3
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import AccessToken
from accounts.selectors import token_authenticate
from accounts.services import TOKEN_PREFIX, token_record_use
from tests.api.helpers import bearer, make_token
from tests.factories import PASSWORD, MediaItemFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.usefixtures("aws")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def test_a_token_is_shown_once_and_stored_only_as_its_hash(member_client):
    token = make_token(member_client)

    listing = member_client.get("/accounts/tokens/").content.decode()
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    everything = json.dumps([dynamodb.scan(TableName=name)["Items"] for name in dynamodb.list_tables()["TableNames"]])

    assert token.startswith("mhp_") and len(token) == 47
    assert token not in listing and "laptop" in listing
    assert token not in everything
    assert AccessToken.get(token_hash(token)).username == "alice"


def test_a_token_signs_in_to_the_api_and_records_its_last_use(member_client):
    token = make_token(member_client)

    me = Client().get("/api/v1/me", **bearer(token))

    assert me.status_code == 200 and me.json()["username"] == "alice"
    assert AccessToken.get(token_hash(token)).last_used_at is not None
    assert "never" not in member_client.get("/accounts/tokens/").content.decode()


def test_a_read_token_cannot_change_anything(member_client):
    item = MediaItemFactory(owner="alice")
    token = make_token(member_client, scope="read")

    read = Client().get(f"/api/v1/media/{item.id}", **bearer(token))
    write = Client().patch(
        f"/api/v1/media/{item.id}", {"name": "x"}, content_type="application/json", HTTP_IF_MATCH='"1"', **bearer(token)
    )
    delete = Client().delete(f"/api/v1/media/{item.id}", **bearer(token))

    assert read.status_code == 200
    assert (write.status_code, delete.status_code) == (403, 403)
    assert write["Content-Type"] == "application/problem+json"
    assert "This token may only read." in write.json()["detail"]


@pytest.mark.parametrize("how", ["revoked", "expired", "user deactivated", "malformed", "unknown"])
def test_a_dead_token_is_refused_with_401(member_client, admin_client, how):
    token = make_token(member_client, lasts="7")
    if how == "revoked":
        member_client.post(f"/accounts/tokens/{token_hash(token)}/revoke/")
    elif how == "user deactivated":
        admin_client.post("/accounts/users/alice/active/", {"active": "0"})
    elif how == "malformed":
        token = token + "!"
    elif how == "unknown":
        token = "mhp_" + "A" * 43

    with time_machine.travel(timezone.now() + timedelta(days=8 if how == "expired" else 0), tick=False):
        response = Client().get("/api/v1/me", **bearer(token))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["title"] == "Unauthorized"


def test_deactivating_a_user_ends_their_tokens(member_client, admin_client):
    make_token(member_client)

    admin_client.post("/accounts/users/alice/active/", {"active": "0"})

    assert AccessToken.count() == 0


def test_a_member_cannot_revoke_another_members_token(member_client, other_member):
    token = make_token(member_client)
    bob = sign_in(Client(), "bob")

    response = bob.post(f"/accounts/tokens/{token_hash(token)}/revoke/")

    assert response.status_code == 404
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 200


def test_tokens_need_no_csrf_but_the_session_cookie_does(member_client, member):
    item = MediaItemFactory(owner="alice", name="Before")
    token = make_token(member_client)
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    csrf = browser.cookies["csrftoken"].value
    browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    patch = {"path": f"/api/v1/media/{item.id}", "content_type": "application/json", "HTTP_IF_MATCH": '"1"'}

    with_token = Client(enforce_csrf_checks=True).patch(data={"name": "By token"}, **patch, **bearer(token))
    cookie_without_csrf = browser.patch(data={"name": "By cookie"}, **patch | {"HTTP_IF_MATCH": '"2"'})
    cookie_with_csrf = browser.patch(
        data={"name": "By cookie"},
        **patch | {"HTTP_IF_MATCH": '"2"'},
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )

    assert with_token.status_code == 200
    assert cookie_without_csrf.status_code == 403
    assert cookie_with_csrf.status_code == 200 and cookie_with_csrf.json()["name"] == "By cookie"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "", "lasts": "30", "scope": "read"}, "This field is required."),
        ({"name": "x", "lasts": "400", "scope": "read"}, "Select a valid choice."),
        ({"name": "x", "lasts": "30", "scope": "admin"}, "Select a valid choice."),
        ({"name": "x" * 101, "lasts": "30", "scope": "read"}, "at most 100 characters"),
    ],
)
def test_a_bad_token_request_is_refused_with_a_reason(member_client, fields, error):
    response = member_client.post("/accounts/tokens/", fields)

    assert response.status_code == 400 and error in response.content.decode()
    assert AccessToken.count() == 0


def test_changes_through_a_token_are_rate_limited_with_retry_after(member_client, settings):
    settings.MEDIAHUB_API_WRITES_PER_MINUTE = 3
    item = MediaItemFactory(owner="alice", name="Before")
    api = Client(**bearer(make_token(member_client)))
    url = f"/api/v1/media/{item.id}"

    answers = [
        api.patch(url, {"caption": f"take {n}"}, content_type="application/json", HTTP_IF_MATCH=f'"{1 + n}"')
        for n in range(4)
    ]
    read = api.get(url)

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[3]["Retry-After"]) <= 60
    assert "Too many changes through this token." in answers[3].json()["detail"]
    assert read.status_code == 200 and read.json()["caption"] == "take 2"


def test_a_use_noted_after_the_token_was_revoked_does_not_bring_it_back(member_client):
    token = make_token(member_client)
    holder = token_authenticate(token, prefix=TOKEN_PREFIX)
    member_client.post(f"/accounts/tokens/{token_hash(token)}/revoke/")

    token_record_use(token=holder.token)

    assert AccessToken.count() == 0
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401
