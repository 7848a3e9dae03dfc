"""Shared fixtures: moto in-process AWS with the real bucket and tables, users, sign-in."""

from __future__ import annotations

import base64
import io
import json
import os
import re
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.handlers
import pytest
from botocore.exceptions import ClientError
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from moto import mock_aws

from accounts.models import TABLES as ACCOUNT_TABLES
from accounts.models import Role
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


# AWS refuses a key attribute value over 2,048 bytes with a ValidationException; moto
# answers such reads as if the key were fine.
DYNAMODB_KEY_LIMIT = 2048


@pytest.fixture
def dynamodb_key_limit(monkeypatch) -> Iterator[None]:
    """Make DynamoDB refuse key values over 2,048 bytes, as AWS does: GetItem, UpdateItem,
    DeleteItem, batch and transaction keys, a query's key condition. (Not PutItem: which
    of an item's attributes are keys is the table's business.)"""
    guard = ("before-call.dynamodb", _refuse_long_keys)
    # Clients made from now on get the guard with botocore's built-in handlers (as they
    # get moto's), and PynamoDB's clients made before now get it directly.
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", [*botocore.handlers.BUILTIN_HANDLERS, guard])
    models = (*UPLOAD_TABLES, *ACCOUNT_TABLES)
    clients = [model._connection.connection.client for model in models if model._connection]
    for client in clients:
        client.meta.events.register(*guard, unique_id="dynamodb_key_limit")
    yield
    for client in clients:
        client.meta.events.unregister(guard[0], unique_id="dynamodb_key_limit")


def _refuse_long_keys(params: dict[str, Any], model: Any, **_: Any) -> None:
    for value in _key_values(json.loads(params["body"] or b"{}")):
        size = len(base64.b64decode(value["B"])) if "B" in value else len(value.get("S", "").encode())
        if size > DYNAMODB_KEY_LIMIT:
            message = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit"
            raise ClientError({"Error": {"Code": "ValidationException", "Message": message}}, model.name)


def _key_values(request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for name, value in request.items():
        if name == "Key":
            yield from value.values()
        elif name == "Keys":
            for key in value:
                yield from key.values()
        elif isinstance(value, dict):
            yield from _key_values(value)
        elif isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict):
                    yield from _key_values(entry)
    for placeholder in re.findall(r":\w+", request.get("KeyConditionExpression", "")):
        yield request["ExpressionAttributeValues"][placeholder]
