"""Shared fixtures: moto's in-process AWS with the real bucket and tables, users, sign-in;
the test layers as markers."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.models import Role
from tests import dynamodb_limits
from tests.factories import UserFactory
from tests.helpers import FIGURES, sign_in
from tests.moto_world import WORLD, install_guard

pytest_plugins = ["tests.services", "tests.fault_injection"]

# moto answers any credentials; these make sure no real ones are ever used.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",  # noqa: S105
    AWS_SECURITY_TOKEN="testing",  # noqa: S105
    AWS_SESSION_TOKEN="testing",  # noqa: S105
    AWS_DEFAULT_REGION="us-east-1",
)
install_guard()

TESTS = Path(__file__).resolve().parent
# Layers that need more than this process, by folder or file, and the markers they add.
# `live` means a real MiniStack over HTTP; `make test-fast` runs everything else.
LAYERS = {
    "live": ("live",),
    "client": ("live",),
    "live/test_deploy_local.py": ("deploy",),
    "e2e": ("live", "e2e"),
}


def pytest_configure(config: pytest.Config) -> None:
    if django_settings.AWS_ENDPOINT_URL:
        raise pytest.UsageError("Unset AWS_ENDPOINT_URL: the tests run against moto (use `make test`).")
    # Production's slow hash is the point there and only costs time here.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The checksum pass runs right after each verdict, in the test's own thread; tests of
    # its being off the request path choose another runner.
    django_settings.MEDIAHUB_CHECKSUM_RUNNER = "inline"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.write_sep("=", "figures")
        terminalreporter.write_line(", ".join(f"{name}: {count}" for name, count in FIGURES.items()))


@pytest.hookimpl(tryfirst=True)  # before -m selects by these markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not item.path.is_relative_to(TESTS):
            continue
        relative = item.path.relative_to(TESTS).as_posix()
        for prefix, markers in LAYERS.items():
            if relative == prefix or relative.startswith(f"{prefix}/"):
                for marker in markers:
                    item.add_marker(marker)
    # moto's world lives through the unit layer; the live tests come after it, with moto off.
    items.sort(key=lambda item: item.get_closest_marker("live") is not None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("live"):
        # They talk to MiniStack with boto3 and requests: an active moto would intercept both.
        WORLD.stop()


@pytest.fixture(scope="session")
def moto_world():
    """moto's world, built when a test first asks for AWS and stopped at the end."""
    yield WORLD
    WORLD.stop()


@pytest.fixture
def aws(moto_world):
    """moto's AWS with the bucket and tables `setup_aws` makes, and nothing in them."""
    with moto_world.lend():
        yield


@pytest.fixture
def s3(aws):
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def bucket_keys(s3, settings):
    """Every key in the media bucket, as a function so a test can look again."""

    def keys() -> list[str]:
        response = s3.list_objects_v2(Bucket=settings.MEDIAHUB_BUCKET)
        return [obj["Key"] for obj in response.get("Contents", [])]

    return keys


@pytest.fixture
def member(aws):
    return UserFactory(username="alice")


@pytest.fixture
def other_member(aws):
    return UserFactory(username="bob")


@pytest.fixture
def admin(aws):
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
    yield
    dynamodb_limits.stop()
