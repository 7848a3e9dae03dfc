"""The trash against the live portal on MiniStack, with real concurrent requests: two
restores of one item, and restore racing delete-forever, each decided by DynamoDB's
transaction and conditions: exactly one wins, the other gets a clear 404 or 409, and S3
and DynamoDB agree afterwards (no file lost, no record without its file)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
import requests

from tests import media
from tests.helpers import add_figure
from tests.services import manage, signed_in, whereabouts

pytestmark = pytest.mark.live

PASSWORD = "Trash-live-pass-7"  # noqa: S105
PHOTO = media.jpeg(160, 120)
ROUNDS = 4


@pytest.fixture(scope="module")
def person(emulator, portal) -> requests.Session:
    create = f"from accounts.services import user_create; user_create(username='trasher', password={PASSWORD!r})"
    assert manage(emulator, "shell", "-c", create).returncode == 0
    return signed_in(portal, "trasher", PASSWORD)


def upload(person: requests.Session, portal: str, name: str) -> str:
    uploaded = person.post(
        f"{portal}/upload/", data={"name": name, "caption": ""}, files={"file": (f"{name}.jpg", PHOTO)}, timeout=30
    )
    return re.search(r"/media/([0-9A-Z]{26})/", uploaded.url).group(1)


def at_once(*calls) -> list[requests.Response]:
    """Run the calls in threads released together."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def stored(emulator, media_id: str) -> dict[str, bool]:
    """What the stores hold of an item: its media record, trash record, file, thumbnail."""
    held = whereabouts(emulator, media_id, owner="trasher")
    del held["claimed"]
    return held


def test_the_trash_hides_restores_and_purges_on_the_live_stack(emulator, portal, person):
    media_id = upload(person, portal, "Lighthouse")

    person.post(f"{portal}/media/{media_id}/delete/", timeout=30)
    assert person.get(f"{portal}/media/{media_id}/", timeout=30).status_code == 404
    assert "Lighthouse" in person.get(f"{portal}/trash/", timeout=30).text  # a consistent read of the index
    assert stored(emulator, media_id) == {"media": False, "trash": True, "file": True, "thumbnail": True}

    restored = person.post(f"{portal}/api/v1/trash/{media_id}/restore", timeout=30)
    assert restored.status_code == 200, restored.text
    assert person.get(f"{portal}/media/{media_id}/", timeout=30).status_code == 200

    person.delete(f"{portal}/api/v1/media/{media_id}", timeout=30)
    assert person.delete(f"{portal}/api/v1/trash/{media_id}", timeout=30).status_code == 204
    assert stored(emulator, media_id) == {"media": False, "trash": False, "file": False, "thumbnail": False}


def test_two_restores_at_once_one_wins_the_other_is_told(emulator, portal, person):
    for round_ in range(ROUNDS):
        media_id = upload(person, portal, f"Twice {round_}")
        person.delete(f"{portal}/api/v1/media/{media_id}", timeout=30).raise_for_status()
        restore = partial(person.post, f"{portal}/api/v1/trash/{media_id}/restore", timeout=60)

        answers = at_once(restore, restore)

        statuses = Counter(answer.status_code for answer in answers)
        add_figure("live restore races", 1)
        add_figure("live 5xx seen", sum(n for status, n in statuses.items() if status >= 500))
        assert statuses[200] == 1 and statuses[404] + statuses[409] == 1, statuses
        assert stored(emulator, media_id) == {"media": True, "trash": False, "file": True, "thumbnail": True}


def test_restore_racing_delete_forever_one_wins_and_the_stores_agree(emulator, portal, person):
    winners = Counter()
    for round_ in range(ROUNDS):
        media_id = upload(person, portal, f"Race {round_}")
        person.delete(f"{portal}/api/v1/media/{media_id}", timeout=30).raise_for_status()
        restore = partial(person.post, f"{portal}/api/v1/trash/{media_id}/restore", timeout=60)
        purge = partial(person.delete, f"{portal}/api/v1/trash/{media_id}", timeout=60)

        restored, purged = at_once(restore, purge) if round_ % 2 else reversed(at_once(purge, restore))

        add_figure("live restore/purge races", 1)
        add_figure("live 5xx seen", int(restored.status_code >= 500) + int(purged.status_code >= 500))
        after = stored(emulator, media_id)
        if restored.status_code == 200:
            winners["restore"] += 1
            assert purged.status_code == 404, purged.text
            assert after == {"media": True, "trash": False, "file": True, "thumbnail": True}
        else:
            winners["purge"] += 1
            assert restored.status_code in (404, 409), restored.text
            assert purged.status_code == 204, purged.text
            assert after == {"media": False, "trash": False, "file": False, "thumbnail": False}
    assert sum(winners.values()) == ROUNDS
