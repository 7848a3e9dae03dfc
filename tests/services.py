"""Live services for tests over HTTP: a real MiniStack (AUTH on) and the portal served by
runserver against it, one of each per test session. Loaded as a plugin by tests/conftest.py;
tests/live and tests/e2e switch moto off."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests
from requests.adapters import HTTPAdapter

from scripts import ministack


@dataclass
class Emulator:
    port: int
    state_dir: Path
    process: subprocess.Popen

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restart(self) -> None:
        ministack.stop(self.process)
        self.process = ministack.start(port=self.port, state_dir=self.state_dir)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory) -> Iterator[Emulator]:
    if not ministack.BINARY.exists():
        pytest.fail("MiniStack is not installed in .venv-ministack: run `make test`, which installs it.")
    state_dir = tmp_path_factory.mktemp("ministack")
    port = ministack.free_port()
    running = Emulator(port=port, state_dir=state_dir, process=ministack.start(port=port, state_dir=state_dir))
    yield running
    ministack.stop(running.process)


def portal_env(emulator: Emulator, **extra: str) -> dict[str, str]:
    return {
        **ministack.client_env(emulator.port),
        "MEDIAHUB_BUCKET": "mediahub-live",
        "MEDIAHUB_TABLE_PREFIX": "mediahub-live",
        **extra,
    }


def manage(emulator: Emulator, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ministack.ROOT,
        env=portal_env(emulator, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="session")
def portal(emulator) -> Iterator[str]:
    """The portal on runserver, talking to the live MiniStack; yields its base URL. It
    provisions the bucket (CORS for its own origin, which the browser tests need) and tables."""
    port = ministack.free_port()
    assert manage(emulator, "setup_aws", MEDIAHUB_CORS_ORIGINS=f"http://127.0.0.1:{port}").returncode == 0
    yield from serve_portal(emulator, port=port, MEDIAHUB_CORS_ORIGINS=f"http://127.0.0.1:{port}")


def serve_portal(emulator: Emulator, *, port: int, **env: str) -> Iterator[str]:
    """Run the portal on runserver at `port` with `env` over portal_env, until the caller is done."""
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ministack.ROOT,
        env=portal_env(emulator, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ministack.wait_until_answering(f"{base}/accounts/login/", process=server, timeout=30)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def signed_in(portal: str, username: str, password: str) -> requests.Session:
    """A requests session signed in to the portal, sending the CSRF token on every call."""
    browser = requests.Session()
    browser.get(f"{portal}/accounts/login/", timeout=10)
    response = browser.post(
        f"{portal}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        timeout=10,
    )
    assert response.status_code == 200 and f'<span class="who">{username}</span>' in response.text
    browser.headers["X-CSRFToken"] = browser.cookies["csrftoken"]
    return browser


def s3_client(emulator: Emulator):
    return aws_client(emulator, "s3")


def aws_client(emulator: Emulator, service: str):
    return boto3.client(
        service,
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id=ministack.ACCESS_KEY_ID,
        aws_secret_access_key=ministack.SECRET_ACCESS_KEY,
        aws_session_token=None,
    )


def whereabouts(emulator: Emulator, media_id: str, *, owner: str) -> dict[str, bool]:
    """Where an item is on the live stack (`serve_portal`'s tables and bucket), read
    straight from MiniStack: its media record, its trash record (and whether a purge has
    claimed it), its file and its thumbnail."""
    dynamodb, s3 = aws_client(emulator, "dynamodb"), aws_client(emulator, "s3")
    media_record = dynamodb.get_item(
        TableName="mediahub-live-media", Key={"id": {"S": media_id}}, ConsistentRead=True
    ).get("Item")
    trash_record = dynamodb.get_item(
        TableName="mediahub-live-trash",
        Key={"owner": {"S": owner}, "media_id": {"S": media_id}},
        ConsistentRead=True,
    ).get("Item")
    keys = {obj["Key"] for obj in s3.list_objects_v2(Bucket="mediahub-live").get("Contents", [])}
    return {
        "media": media_record is not None,
        "trash": trash_record is not None,
        "claimed": bool(trash_record and "purging_at" in trash_record),
        "file": any(key.startswith(f"media/{media_id}/") for key in keys),
        "thumbnail": f"thumbnails/{media_id}.webp" in keys,
    }


class FromAddress(HTTPAdapter):
    """Connects from the given local address, which the portal sees as the client's."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)
