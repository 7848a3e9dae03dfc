"""Every sign-in attempt that reaches the password check costs one run of the hasher,
whoever asks: an unknown, a deactivated or an active user, with a wrong or the right
password. Counted, not timed, so the test is exact on any machine."""

from __future__ import annotations

import pytest

from accounts.services import user_set_active
from tests.factories import PASSWORD, UserFactory
from tests.hashers import CountingHasher

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingHasher"]
    return CountingHasher


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [
        ("nobody", "wrong", 401),
        ("carol", PASSWORD, 401),  # deactivated, right password
        ("carol", "wrong", 401),  # deactivated, wrong password
        ("alice", "wrong", 401),
        ("alice", PASSWORD, 302),
    ],
    ids=["unknown", "inactive-right-password", "inactive-wrong-password", "wrong-password", "right-password"],
)
def test_each_attempt_runs_the_hasher_exactly_once(client, counting_hasher, username, password, status):
    UserFactory(username="alice")
    user_set_active(user=UserFactory(username="carol"), active=False)
    counting_hasher.calls = 0

    response = client.post("/accounts/login/", {"username": username, "password": password})

    assert response.status_code == status
    assert counting_hasher.calls == 1


def test_a_throttled_attempt_never_reaches_the_hasher(client, counting_hasher, settings):
    UserFactory(username="alice")
    for _ in range(settings.MEDIAHUB_LOGIN_MAX_FAILURES):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    counting_hasher.calls = 0

    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 429
    assert counting_hasher.calls == 0
