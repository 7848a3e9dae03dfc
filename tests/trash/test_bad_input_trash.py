"""Malformed input to the trash and the activity log (moto): a 4xx that says why, never a
500, and nothing changed."""

from __future__ import annotations

import pytest
from ulid import ULID

from tests import media
from tests.api.helpers import bearer, make_token
from tests.helpers import add_figure, stored_item
from trash.models import TrashedItem
from uploads import services

pytestmark = pytest.mark.usefixtures("aws", "dynamodb_key_limit")

NOT_ULIDS = {
    "2100 bytes of UTF-8": "é" * 1050,
    "short": "nope",
    "lower case": str(ULID()).lower(),
    "27 characters": f"{ULID()}0",
    "NUL": "%00",
    "unknown ULID": str(ULID()),
}
ENDPOINTS = [
    ("post", "/trash/{id}/restore/"),
    ("post", "/trash/{id}/delete/"),
    ("post", "/api/v1/trash/{id}/restore"),
    ("delete", "/api/v1/trash/{id}"),
]
NOT_IN_TRASH = "is not in your trash"


@pytest.fixture
def trashed(member):
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Harbour")
    services.media_delete(item=item, actor="alice")
    return TrashedItem.get("alice", item.id)


def snapshot() -> list[str]:
    return sorted(f"{t.media_id}:{t.purging_at}" for t in TrashedItem.scan())


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("label", NOT_ULIDS)
def test_an_id_that_names_nothing_in_your_trash_answers_404(member_client, trashed, method, path, label):
    api = bearer(make_token(member_client))
    before = snapshot()

    response = getattr(member_client, method)(path.replace("{id}", NOT_ULIDS[label]), **api)

    add_figure("bad inputs tried")
    add_figure("5xx seen", int(response.status_code >= 500))
    assert response.status_code == 404
    assert NOT_IN_TRASH in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/trash/{id}/restore/", 405),
        ("get", "/trash/{id}/delete/", 405),
        ("get", "/trash/empty/", 405),
        ("get", "/trash/?cursor=forged", 400),
        ("get", "/trash/?cursor=" + "x" * 5000, 400),
        ("get", "/api/v1/trash?cursor=forged", 400),
        ("get", "/api/v1/trash?cursor=" + "x" * 5000, 422),
        ("put", "/api/v1/trash/{id}/restore", 405),
        ("get", "/activity/?cursor=forged", 404),  # a member: the page is not theirs at all
        ("get", "/activity/?user=%00", 404),
    ],
)
def test_wrong_methods_and_forged_cursors_answer_4xx(member_client, trashed, method, path, status):
    api = bearer(make_token(member_client))
    before = snapshot()

    response = getattr(member_client, method)(path.replace("{id}", trashed.media_id), **api)

    add_figure("bad inputs tried")
    add_figure("5xx seen", int(response.status_code >= 500))
    assert response.status_code == status
    assert snapshot() == before


@pytest.mark.parametrize(
    "query",
    [{"cursor": "forged"}, {"user": "a" * 151}, {"user": "<script>"}, {"action": "explode"}, {"user": "%00"}],
)
def test_the_admins_activity_filter_refuses_nonsense_with_400(admin_client, query):
    response = admin_client.get("/activity/", query)

    add_figure("bad inputs tried")
    add_figure("5xx seen", int(response.status_code >= 500))
    assert response.status_code == 400


def test_a_restore_without_its_csrf_token_is_refused(member_client, trashed):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies = member_client.cookies

    assert client.post(f"/trash/{trashed.media_id}/restore/").status_code == 403
    assert client.post("/trash/empty/").status_code == 403
    assert TrashedItem.count("alice") == 1
