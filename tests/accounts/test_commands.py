"""createsuperuser, changepassword and ensure_admin against DynamoDB (moto)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from accounts.selectors import user_get

pytestmark = pytest.mark.usefixtures("aws")


def test_createsuperuser_noinput_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Sturdy-admin-pass-1")
    out = io.StringIO()

    call_command("createsuperuser", "--noinput", "--username", "Boss", "--email", "boss@example.com", stdout=out)

    user = user_get("boss")
    assert user.is_admin and user.is_active
    assert check_password("Sturdy-admin-pass-1", user.password)
    assert "Admin boss created." in out.getvalue()


def test_createsuperuser_noinput_without_password_explains_what_is_missing(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="set DJANGO_SUPERUSER_PASSWORD"):
        call_command("createsuperuser", "--noinput", "--username", "boss")


def test_createsuperuser_refuses_a_taken_username(monkeypatch, member):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Sturdy-admin-pass-1")

    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", "--noinput", "--username", "alice")
    assert not user_get("alice").is_admin


def test_createsuperuser_interactive_prompts(monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "keeper")
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Sturdy-admin-pass-1")

    call_command("createsuperuser", stdout=io.StringIO())

    assert user_get("keeper").is_admin


def test_changepassword_sets_a_new_password(monkeypatch, member):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Another-good-one-2")

    call_command("changepassword", "alice", stdout=io.StringIO())

    assert check_password("Another-good-one-2", user_get("alice").password)


def test_ensure_admin_creates_one_admin_once_and_prints_its_password():
    first, second = io.StringIO(), io.StringIO()

    call_command("ensure_admin", stdout=first)
    call_command("ensure_admin", stdout=second)

    password = first.getvalue().split("password: ", 1)[1].split()[0]
    assert check_password(password, user_get("admin").password)
    assert "An admin exists already" in second.getvalue()
    assert password not in second.getvalue()
