"""The trash on a live MiniStack whose traffic the proxy stalls or cuts (tests/faults/proxy.py):
moving to the trash, restoring and deleting forever each answer a clear 503 when the store
stalls, and whatever a cut leaves, the item is in exactly one place, a restorable item
keeps its files, and trying again finishes the job."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from tests import media
from tests.faults.proxy import FaultProxy
from tests.helpers import add_figure
from tests.services import Emulator, whereabouts

pytestmark = pytest.mark.live

PHOTO = media.jpeg(400, 300)


def upload(person: requests.Session, portal: str, name: str) -> str:
    uploaded = person.post(f"{portal}/upload/", data={"name": name}, files={"file": (f"{name}.jpg", PHOTO)}, timeout=60)
    return uploaded.url.rstrip("/").rsplit("/", 1)[1]


def where(emulator: Emulator, media_id: str) -> dict[str, bool]:
    return whereabouts(emulator, media_id, owner="faulty")


def count(response: requests.Response) -> None:
    add_figure("faults injected", 1)
    if response.status_code >= 500 and response.status_code != 503:
        add_figure("5xx seen", 1)


def assert_in_one_place(state: dict[str, Any]) -> None:
    assert not (state["media"] and state["trash"]), state
    if state["media"] or (state["trash"] and not state["claimed"]):
        if not (state["file"] and state["thumbnail"]):
            add_figure("valid files lost", 1)
        assert state["file"] and state["thumbnail"], state


@pytest.mark.parametrize("action", ["trash", "restore", "delete forever"])
def test_a_stalled_store_answers_503_and_the_item_stays_where_it_was(
    person, faulty_portal, proxy: FaultProxy, emulator, action
):
    media_id = upload(person, faulty_portal, f"stalled-{action}")
    if action != "trash":
        person.delete(f"{faulty_portal}/api/v1/media/{media_id}", timeout=60).raise_for_status()
    before = where(emulator, media_id)
    call = {
        "trash": lambda: person.delete(f"{faulty_portal}/api/v1/media/{media_id}", timeout=60),
        "restore": lambda: person.post(f"{faulty_portal}/api/v1/trash/{media_id}/restore", timeout=60),
        "delete forever": lambda: person.delete(f"{faulty_portal}/api/v1/trash/{media_id}", timeout=60),
    }[action]

    with proxy.paused():
        stalled = call()

    count(stalled)
    assert stalled.status_code == 503, stalled.text
    assert where(emulator, media_id) == before
    assert call().status_code in (200, 204)  # the store answers again: so does the portal
    assert_in_one_place(where(emulator, media_id))
    cleanup(person, faulty_portal, emulator, media_id)


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.2])
def test_a_store_dying_during_delete_forever_leaves_nothing_restorable_without_its_file(
    person, faulty_portal, proxy: FaultProxy, emulator, delay
):
    media_id = upload(person, faulty_portal, f"dying-{delay}")
    person.delete(f"{faulty_portal}/api/v1/media/{media_id}", timeout=60).raise_for_status()
    timer = threading.Timer(delay, proxy.drop)
    timer.start()
    response = person.delete(f"{faulty_portal}/api/v1/trash/{media_id}", timeout=60)
    timer.join()

    count(response)
    assert response.status_code in (204, 503), response.text
    state = where(emulator, media_id)
    assert not state["media"]
    assert_in_one_place(state)
    if state["claimed"]:
        restored = person.post(f"{faulty_portal}/api/v1/trash/{media_id}/restore", timeout=60)
        assert restored.status_code == 409 and "being deleted forever" in restored.text
    cleanup(person, faulty_portal, emulator, media_id)


def cleanup(person: requests.Session, portal: str, emulator: Emulator, media_id: str) -> None:
    """Delete the item forever, so the bucket holds no file without a record afterwards;
    that a second try finishes what a failed one began is itself the point."""
    if where(emulator, media_id)["media"]:
        person.delete(f"{portal}/api/v1/media/{media_id}", timeout=60).raise_for_status()
    if where(emulator, media_id)["trash"]:
        assert person.delete(f"{portal}/api/v1/trash/{media_id}", timeout=60).status_code == 204
    assert where(emulator, media_id) == {
        "media": False,
        "trash": False,
        "claimed": False,
        "file": False,
        "thumbnail": False,
    }
