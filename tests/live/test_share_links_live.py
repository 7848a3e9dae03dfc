"""Share links against the live portal on MiniStack (AUTH on, so S3 checks every
signature as AWS does): a link outlives the credentials that were in use when it was
made, and views, withdrawals and wrong passwords racing each other stay correct."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from scripts import ministack
from tests import media
from tests.helpers import add_figure
from tests.services import FromAddress, aws_client, manage, serve_portal, signed_in

pytestmark = pytest.mark.live

MEMBER_PASSWORD = "Share-live-pass-3"  # noqa: S105
LINK_PASSWORD = "garden gate 19"  # noqa: S105
PHOTO = media.jpeg(320, 200)
PREVIEW = re.compile(r'<img class="preview" src="([^"]+)"')
serving = contextmanager(serve_portal)


@pytest.fixture(scope="module")
def sharer(emulator) -> str:
    create = f"from accounts.services import user_create; user_create(username='sharer', password={MEMBER_PASSWORD!r})"
    assert manage(emulator, "shell", "-c", create).returncode == 0
    return "sharer"


def upload_and_share(browser: requests.Session, base: str, **share: str) -> str:
    """Upload the photo through the form and share it; the link's path."""
    uploaded = browser.post(
        f"{base}/upload/", data={"name": "Harbour", "caption": ""}, files={"file": ("h.jpg", PHOTO)}, timeout=30
    )
    media_id = re.search(r"/media/([0-9A-Z]{26})/", uploaded.url).group(1)
    made = browser.post(
        f"{base}/media/{media_id}/shares/new/", data={"lasts": "7d", "allow_download": "on", **share}, timeout=30
    )
    assert made.status_code == 201, made.text
    return urlsplit(re.search(r'readonly value="([^"]+)"', made.text).group(1)).path


def token_hash(path: str) -> str:
    return hashlib.sha256(path.split("/")[2].encode()).hexdigest()


def share_record(emulator, path: str) -> dict | None:
    key = {"token_hash": {"S": token_hash(path)}}
    found = aws_client(emulator, "dynamodb").get_item(TableName="mediahub-live-shares", Key=key, ConsistentRead=True)
    return found.get("Item")


def test_a_link_outlives_the_credentials_in_use_when_it_was_made(emulator, portal, sharer):
    """Rotate the portal's access key: what a presigned URL cannot survive (it dies with
    the key that signed it), a share link does, as each visit signs anew."""
    iam = aws_client(emulator, "iam")
    iam.create_user(UserName="portal-role")
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName="portal-role", PolicyName="portal", PolicyDocument=json.dumps(allow_all))
    first = iam.create_access_key(UserName="portal-role")["AccessKey"]

    with serving(emulator, port=ministack.free_port(), **keys(first)) as base:
        path = upload_and_share(signed_in(base, sharer, MEMBER_PASSWORD), base)
        signed_before = PREVIEW.search(requests.get(base + path, timeout=30).text).group(1).replace("&amp;", "&")
        assert requests.get(signed_before, timeout=30).content == PHOTO

    iam.delete_access_key(UserName="portal-role", AccessKeyId=first["AccessKeyId"])
    second = iam.create_access_key(UserName="portal-role")["AccessKey"]
    with serving(emulator, port=ministack.free_port(), **keys(second)) as base:
        page = requests.get(base + path, timeout=30)
        signed_after = PREVIEW.search(page.text).group(1).replace("&amp;", "&")

        assert page.status_code == 200
        assert parse_qs(urlsplit(signed_after).query)["X-Amz-Credential"][0].startswith(second["AccessKeyId"])
        assert requests.get(signed_after, timeout=30).content == PHOTO
    # The URL signed with the retired key, still within its expiry, no longer opens.
    refused = requests.get(signed_before, timeout=30)
    assert refused.status_code == 403 and "InvalidAccessKeyId" in refused.text


def keys(access_key: dict) -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": access_key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": access_key["SecretAccessKey"]}


def all_at_once(count: int, action) -> list:
    start = threading.Barrier(count)

    def run(n: int):
        start.wait()
        return action(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_parallel_visits_are_each_counted_once(emulator, portal, sharer):
    path = upload_and_share(signed_in(portal, sharer, MEMBER_PASSWORD), portal)

    answers = all_at_once(20, lambda _: requests.get(portal + path, timeout=60).status_code)

    assert answers == [200] * 20
    assert share_record(emulator, path)["views"] == {"N": "20"}


def test_a_withdrawal_racing_visits_leaves_the_link_dead_and_gone(emulator, portal, sharer):
    owner = signed_in(portal, sharer, MEMBER_PASSWORD)
    path = upload_and_share(owner, portal)
    withdraw = f"{portal}/shares/{token_hash(path)}/withdraw/"

    def visit_or_withdraw(n: int) -> int:
        if n == 0:
            return owner.post(withdraw, timeout=60, allow_redirects=False).status_code
        return requests.get(portal + path, timeout=60).status_code

    answers = all_at_once(12, visit_or_withdraw)

    assert answers[0] == 302
    assert set(answers[1:]) <= {200, 404}
    assert share_record(emulator, path) is None  # no late view count brought it back
    assert requests.get(portal + path, timeout=30).status_code == 404


def test_parallel_wrong_passwords_for_one_link_check_at_most_five(emulator, portal, sharer):
    path = upload_and_share(signed_in(portal, sharer, MEMBER_PASSWORD), portal, password=LINK_PASSWORD)
    connect = threading.Lock()

    def guess(n: int) -> requests.Response:
        with requests.Session() as visitor:
            # Each from a loopback address of its own: only the link's counter can stop them.
            visitor.mount("http://", FromAddress(f"127.0.3.{n + 1}"))
            with connect:
                visitor.get(portal + path, timeout=30).raise_for_status()
            form = {"password": "not it", "csrfmiddlewaretoken": visitor.cookies["csrftoken"]}
            return visitor.post(portal + path, data=form, timeout=180, allow_redirects=False)

    # Sessions connect first, one at a time; the guesses then go together.
    answers = all_at_once(30, guess)

    statuses = Counter(answer.status_code for answer in answers)
    add_figure("parallel wrong passwords checked per share link (of 30)", statuses[401])
    assert statuses == {401: 5, 429: 25}
    assert all("Too many wrong passwords" in answer.text for answer in answers if answer.status_code == 429)
