"""The portal on runserver talking to a live MiniStack through a FaultProxy, so a test can
stall or cut its AWS traffic; and the figures the suite reports at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from scripts import ministack
from tests.faults.proxy import FaultProxy
from tests.helpers import add_figure
from tests.services import Emulator, manage, serve_portal, signed_in

PASSWORD = "Fault-suite-pass-3"  # noqa: S105
FAULT_FIGURES = ("faults injected", "5xx seen", "valid files lost", "ready without object", "orphans after reconcile")


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
def faulty_portal(emulator: Emulator, proxy: FaultProxy, portal: str) -> Iterator[str]:
    """A second portal on the same bucket and tables (which `portal` provisions, with the
    CORS rule the browser tests need), its every AWS call crossing the proxy."""
    created = manage(
        emulator, "createsuperuser", "--noinput", "--username", "faulty", DJANGO_SUPERUSER_PASSWORD=PASSWORD
    )
    assert created.returncode == 0, created.stderr
    yield from serve_portal(emulator, port=ministack.free_port(), AWS_ENDPOINT_URL=proxy.endpoint)


@pytest.fixture
def person(faulty_portal: str) -> requests.Session:
    return signed_in(faulty_portal, "faulty", PASSWORD)
