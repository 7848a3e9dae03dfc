import pytest


@pytest.fixture(autouse=True)
def aws():
    """These tests talk to MiniStack over HTTP: no in-process moto here."""
    yield
