"""The account services called directly: users, sign-in throttling and sessions in DynamoDB."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.exceptions import InvalidCredentials, LoginThrottled, UsernameTaken
from accounts.models import LoginFailures, SessionRecord, User
from accounts.selectors import user_get
from accounts.services import user_authenticate, user_create, user_set_active
from accounts.sessions import SESSION_USER_KEY, SessionStore
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("aws")

ADDRESS = "203.0.113.7"


def fail(username: str = "alice", address: str = ADDRESS) -> None:
    with pytest.raises(InvalidCredentials):
        user_authenticate(username=username, password="wrong", address=address)


def test_a_user_is_stored_under_the_normalized_name_with_a_hashed_password():
    user_create(username=" Carol ", password="Lighthouse-keeper-9", email=" carol@example.com ")

    stored = User.get("carol")
    assert stored.email == "carol@example.com"
    assert stored.password != "Lighthouse-keeper-9"
    assert check_password("Lighthouse-keeper-9", stored.password)


def test_a_taken_username_is_refused_in_any_case_and_the_first_user_kept(member):
    with pytest.raises(UsernameTaken):
        user_create(username="ALICE", password="Another-strong-pass-3", email="other@example.com")

    assert user_get("alice").email == "alice@example.com"


def test_a_weak_password_is_refused_and_nothing_is_stored():
    with pytest.raises(ValidationError):
        user_create(username="dave", password="123")

    assert User.count("dave") == 0


def test_throttling_blocks_even_the_right_password_until_the_window_passes(member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            fail()
        with pytest.raises(LoginThrottled) as throttled:
            user_authenticate(username="alice", password=PASSWORD, address=ADDRESS)
    with time_machine.travel(start + timedelta(minutes=14), tick=False), pytest.raises(LoginThrottled):
        user_authenticate(username="alice", password=PASSWORD, address=ADDRESS)
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert user_authenticate(username="alice", password=PASSWORD, address=ADDRESS).username == "alice"

    assert throttled.value.retry_after == 15 * 60  # never longer than the window itself


def test_a_username_is_throttled_from_any_address(member):
    for n in range(5):
        fail(address=f"198.51.100.{n}")

    with pytest.raises(LoginThrottled):
        user_authenticate(username="alice", password=PASSWORD, address="192.0.2.1")


def test_an_address_is_throttled_across_usernames_and_other_addresses_are_not(member):
    for n in range(5):
        fail(username=f"guess{n}")

    with pytest.raises(LoginThrottled):
        user_authenticate(username="alice", password=PASSWORD, address=ADDRESS)
    assert user_authenticate(username="alice", password=PASSWORD, address="192.0.2.99").username == "alice"


def test_success_clears_the_username_counter(member):
    for _ in range(4):
        fail(address="192.0.2.1")

    user_authenticate(username="alice", password=PASSWORD, address="192.0.2.2")

    assert LoginFailures.count("username:alice") == 0
    for _ in range(4):
        fail(address="192.0.2.3")  # four more failures are not yet five


def test_failure_counters_carry_a_ttl_for_dynamodb_to_remove_them(member):
    fail()

    for key in ("username:alice", f"address:{ADDRESS}"):
        record = LoginFailures.get(key)
        assert record.failures == 1
        assert record.expires_at > timezone.now() + timedelta(minutes=14)


def test_an_inactive_user_cannot_sign_in_with_the_right_password(member):
    user_set_active(user=member, active=False)

    with pytest.raises(InvalidCredentials):
        user_authenticate(username="alice", password=PASSWORD, address=ADDRESS)


def test_deactivation_deletes_every_session_of_that_user_and_no_other(member, other_member):
    sessions = {}
    for name, username in (("alice-laptop", "alice"), ("alice-phone", "alice"), ("bob", "bob")):
        store = SessionStore()
        store[SESSION_USER_KEY] = username
        store.save()
        sessions[name] = store.session_key

    user_set_active(user=member, active=False)

    assert not user_get("alice").is_active
    assert {name: SessionRecord.count(key) for name, key in sessions.items()} == {
        "alice-laptop": 0,
        "alice-phone": 0,
        "bob": 1,
    }
