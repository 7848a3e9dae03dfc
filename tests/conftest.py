"""Shared fixtures: moto in-process AWS with the real bucket and tables, users, sign-in."""

from __future__ import annotations

import io
import os

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from moto import mock_aws

from accounts.models import TABLES as ACCOUNT_TABLES
from accounts.models import Role
from tests import dynamodb_limits
from tests.factories import PASSWORD, UserFactory
from tests.helpers import FIGURES
from uploads.models import TABLES as UPLOAD_TABLES

pytest_plugins = ["tests.services", "tests.fault_injection"]

# moto answers any credentials; these make sure no real ones are ever used.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",  # noqa: S105
    AWS_SECURITY_TOKEN="testing",  # noqa: S105
    AWS_SESSION_TOKEN="testing",  # noqa: S105
    AWS_DEFAULT_REGION="us-east-1",
)


def pytest_configure(config: pytest.Config) -> None:
    if django_settings.AWS_ENDPOINT_URL:
        raise pytest.UsageError("Unset AWS_ENDPOINT_URL: the tests run against moto (use `make test`).")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.write_sep("=", "figures")
        terminalreporter.write_line(", ".join(f"{name}: {count}" for name, count in FIGURES.items()))


def _reset_pynamodb_connections() -> None:
    # PynamoDB caches a connection per model; a new moto world needs new ones (PynamoDB #1167).
    for model in (*UPLOAD_TABLES, *ACCOUNT_TABLES):
        model._connection = None


@pytest.fixture(autouse=True)
def aws(settings):
    """A fresh in-process AWS per test, with the bucket and tables `setup_aws` makes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with mock_aws():
        _reset_pynamodb_connections()
        call_command("setup_aws", stdout=io.StringIO())
        yield
    _reset_pynamodb_connections()


@pytest.fixture
def s3():
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def bucket_keys(s3, settings):
    """Every key in the media bucket, as a function so a test can look again."""

    def keys() -> list[str]:
        response = s3.list_objects_v2(Bucket=settings.MEDIAHUB_BUCKET)
        return [obj["Key"] for obj in response.get("Contents", [])]

    return keys


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Client:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return client


@pytest.fixture
def member():
    return UserFactory(username="alice")


@pytest.fixture
def other_member():
    return UserFactory(username="bob")


@pytest.fixture
def admin():
    return UserFactory(username="root", role=Role.ADMIN)


@pytest.fixture
def member_client(member) -> Client:
    return sign_in(Client(), member.username)


@pytest.fixture
def admin_client(admin) -> Client:
    return sign_in(Client(), admin.username)


@pytest.fixture
def dynamodb_key_limit(aws):
    """DynamoDB refuses key values over 2,048 bytes (sort keys 1,024) as AWS does, with a
    ValidationException; moto does not check them on reads (tests/dynamodb_limits.py)."""
    dynamodb_limits.enforce()
    dynamodb_limits.renew_clients()
    yield
    dynamodb_limits.stop()
    dynamodb_limits.renew_clients()
