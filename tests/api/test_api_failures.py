"""Tokens and the API when DynamoDB stalls: the person or program is told, nothing
half-made stays, and a request that cannot note its token's use still runs."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import AccessToken
from tests.api.helpers import bearer, make_token
from tests.factories import MediaItemFactory
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")


def on(table: str):
    return lambda params: params.get("TableName", "").endswith(f"-{table}")


def test_a_token_not_saved_because_dynamodb_stalled_says_so_and_leaves_none(member_client, faults):
    faults.fail("PutItem", when=on("tokens"))

    response = member_client.post("/accounts/tokens/", {"name": "laptop", "lasts": "30", "scope": "read"})

    assert response.status_code == 503 and "may not have been saved" in response.content.decode()
    assert "mhp_" not in response.content.decode()
    assert AccessToken.count() == 0


def test_a_revocation_that_did_not_reach_dynamodb_says_so_and_the_token_still_works(member_client, faults):
    token = make_token(member_client)
    [record] = AccessToken.scan()
    faults.fail("DeleteItem", when=on("tokens"))

    response = member_client.post(f"/accounts/tokens/{record.token_hash}/revoke/")

    assert response.status_code == 503
    faults.faults.clear()
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 200


def test_a_request_whose_token_use_cannot_be_noted_still_runs(member_client, faults):
    token = make_token(member_client)
    faults.fail("UpdateItem", when=on("tokens"))

    response = Client().get("/api/v1/me", **bearer(token))

    assert response.status_code == 200


def test_an_edit_the_store_did_not_take_answers_a_503_problem_and_changes_nothing(member_client, faults):
    item = MediaItemFactory(owner="alice", name="Kept")
    token = make_token(member_client)
    faults.fail("PutItem", when=on("media"))

    response = Client().patch(
        f"/api/v1/media/{item.id}",
        {"name": "New"},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{item.version}"',
        **bearer(token),
    )

    assert response.status_code == 503 and response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] and "may not have been saved" in response.json()["detail"]
    assert MediaItem.get(item.id).name == "Kept"


def test_a_token_check_while_dynamodb_stalls_answers_503_not_401(member_client, faults):
    token = make_token(member_client)
    faults.fail("GetItem", when=on("tokens"))

    response = Client().get("/api/v1/me", **bearer(token))

    assert response.status_code == 503 and response["Content-Type"] == "application/problem+json"
