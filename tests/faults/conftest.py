"""The portal on runserver talking to a live MiniStack through a FaultProxy, so a test can
stall or cut its AWS traffic; and the figures the suite reports at the end of the run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from scripts import ministack
from tests.faults.proxy import FaultProxy
from tests.helpers import add_figure
from tests.services import Emulator, manage, portal_env, signed_in

PASSWORD = "Fault-suite-pass-3"  # noqa: S105
FAULT_FIGURES = ("faults injected", "5xx seen", "valid files lost", "ready without object", "orphans after reconcile")


@pytest.fixture(autouse=True)
def aws():
    """These tests talk to MiniStack over HTTP: no in-process moto here."""
    yield


@pytest.fixture(scope="session", autouse=True)
def fault_figures() -> None:
    """The suite's figures show in the run's summary even when they stay at 0."""
    for name in FAULT_FIGURES:
        add_figure(name, 0)


@pytest.fixture(scope="session")
def proxy(emulator: Emulator) -> Iterator[FaultProxy]:
    running = FaultProxy(upstream_port=emulator.port)
    yield running
    running.close()


@pytest.fixture(autouse=True)
def flowing(proxy: FaultProxy) -> Iterator[None]:
    """Every test starts and ends with the store answering."""
    proxy.resume()
    yield
    proxy.resume()


@pytest.fixture(scope="session")
def faulty_portal(emulator: Emulator, proxy: FaultProxy) -> Iterator[str]:
    """The portal, its every AWS call crossing the proxy; yields its base URL."""
    port = ministack.free_port()
    env = {"AWS_ENDPOINT_URL": proxy.endpoint, "MEDIAHUB_CORS_ORIGINS": f"http://127.0.0.1:{port}"}
    assert manage(emulator, "setup_aws", **env).returncode == 0
    created = manage(
        emulator, "createsuperuser", "--noinput", "--username", "faulty", DJANGO_SUPERUSER_PASSWORD=PASSWORD
    )
    assert created.returncode == 0, created.stderr
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


@pytest.fixture
def person(faulty_portal: str) -> requests.Session:
    return signed_in(faulty_portal, "faulty", PASSWORD)
