"""Admin-only user management, password changes, and what each does to sessions."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from accounts.selectors import user_get
from tests.factories import PASSWORD
from tests.helpers import sign_in


def test_admin_creates_a_member_who_can_then_sign_in(admin_client):
    response = admin_client.post(
        "/accounts/users/new/",
        {"username": "Carol", "email": "carol@example.com", "role": "member", "password": "Lighthouse-keeper-9"},
    )

    assert response["Location"] == "/accounts/users/carol/"
    assert "carol" in admin_client.get("/accounts/users/").content.decode()
    assert sign_in(Client(), "carol", "Lighthouse-keeper-9").get("/").status_code == 200


def test_creating_a_taken_username_or_weak_password_is_refused(admin_client, member):
    taken = admin_client.post(
        "/accounts/users/new/", {"username": "alice", "role": "member", "password": "Xy-long-pass-77"}
    )
    weak = admin_client.post("/accounts/users/new/", {"username": "dave", "role": "member", "password": "123"})

    assert taken.status_code == 400 and "A user with that username exists." in taken.content.decode()
    assert weak.status_code == 400 and "This password is too short." in weak.content.decode()


def test_admin_changes_a_role(admin_client, member):
    admin_client.post("/accounts/users/alice/role/", {"role": "admin"})

    assert user_get("alice").is_admin


def test_deactivation_signs_the_user_out_on_their_next_request(admin_client, member_client):
    assert member_client.get("/").status_code == 200

    admin_client.post("/accounts/users/alice/active/", {"active": "0"})

    assert member_client.get("/").status_code == 302
    assert Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 401


def test_reactivated_user_can_sign_in_again(admin_client, member):
    admin_client.post("/accounts/users/alice/active/", {"active": "0"})
    admin_client.post("/accounts/users/alice/active/", {"active": "1"})

    assert sign_in(Client(), "alice").get("/").status_code == 200


def test_admin_cannot_deactivate_themselves(admin_client):
    response = admin_client.post("/accounts/users/root/active/", {"active": "0"}, follow=True)

    assert "You cannot deactivate your own account." in response.content.decode()
    assert user_get("root").is_active


def test_admin_sets_a_new_password_which_ends_the_users_sessions(admin_client, member_client):
    admin_client.post("/accounts/users/alice/password/", {"password": "Brand-new-secret-5"})

    assert member_client.get("/").status_code == 302
    assert check_password("Brand-new-secret-5", user_get("alice").password)


@pytest.mark.parametrize("path", ["/accounts/users/", "/accounts/users/new/", "/accounts/users/bob/"])
def test_members_cannot_manage_users(member_client, other_member, path):
    assert member_client.get(path).status_code == 403


def test_member_changes_own_password_and_stays_signed_in_while_other_sessions_end(member_client, member):
    elsewhere = sign_in(Client(), "alice")

    response = member_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Fresh-pass-phrase-1", "new_password2": "Fresh-pass-phrase-1"},
    )

    assert response.status_code == 302
    assert member_client.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert sign_in(Client(), "alice", "Fresh-pass-phrase-1")


def test_password_change_needs_the_current_password_and_matching_new_ones(member_client):
    wrong = member_client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "Aa-123456789", "new_password2": "Aa-123456789"},
    )
    differ = member_client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "Aa-123456789", "new_password2": "Bb-1"}
    )

    assert "Your current password is not that." in wrong.content.decode()
    assert "The two new passwords differ." in differ.content.decode()
    assert check_password(PASSWORD, user_get("alice").password)
