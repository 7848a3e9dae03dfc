"""Malformed input to the album, tag and bulk edit pages: always a 4xx, never a 500, and
nothing changes."""

from __future__ import annotations

import boto3
import pytest
from django.test import Client

from albums import services
from tests.factories import MediaItemFactory
from tests.helpers import sign_in

TABLES = ("media", "albums", "album-items", "tags")


@pytest.fixture
def world(member):
    item = MediaItemFactory(owner="alice", name="Shore")
    album = services.album_create(owner="alice", name="Trip")
    services.album_add_item(album=album, item=item, actor="tester")
    return {"item": item.id, "album": album.id, "version": str(item.version)}


def snapshot() -> dict[str, list]:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    return {name: dynamodb.scan(TableName=f"mediahub-local-{name}")["Items"] for name in TABLES}


LONG = "x" * 5000
CASES = [
    ("get", "/albums/{album}/", {"cursor": "forged"}),
    ("get", "/albums/{album}/", {"order": "taken-newest"}),
    ("get", "/albums/{album}/", {"tag": LONG}),
    ("get", "/albums/", {"cursor": "forged"}),
    ("get", "/albums/" + "A" * 3000 + "/", {}),
    ("get", "/albums/{album}%00/", {}),
    ("get", "/", {"album": "not-an-album"}),
    ("get", "/", {"album": "7" * 26}),
    ("get", "/", {"tag": "\u202e"}),
    ("get", "/", {"tag": ","}),
    ("post", "/albums/new/", {"name": ""}),
    ("post", "/albums/new/", {"name": LONG}),
    ("post", "/albums/new/", {"name": "a\x00b"}),
    ("post", "/albums/new/", {"name": "ok", "description": "\u2066hidden"}),
    ("post", "/albums/{album}/edit/", {"name": "ok", "cover": "not-an-item"}),
    ("post", "/albums/{album}/edit/", {"name": ""}),
    ("post", "/media/{item}/albums/add/", {"album": "nope"}),
    ("post", "/media/{item}/albums/add/", {"album": "7" * 26}),
    ("post", "/media/{item}/albums/add/", {}),
    ("post", "/albums/{album}/items/nope/remove/", {}),
    ("post", "/media/edit/", {"ids": ["nope", LONG], "apply": "yes", "add_tags": "x"}),
    ("post", "/media/edit/", {"ids": ["{item}"], "apply": "yes", "caption_mode": "replace", "caption": "x"}),
    ("post", "/media/edit/", {"ids": ["{item}"], "apply": "yes", "caption_mode": "append", "caption": " "}),
    ("post", "/media/edit/", {"ids": ["{item}"], "apply": "yes", "add_tags": "a\x00b"}),
    ("post", "/media/edit/", {"ids": ["{item}"], "apply": "yes", "remove_tags": LONG}),
    ("post", "/media/edit/", {"ids": ["{item}"], "apply": "yes", "album": "7" * 26}),
    ("post", "/media/edit/", {"ids": ["{item}"], "apply": "yes", "caption_mode": "set", "caption": "\x07"}),
    ("post", "/media/{item}/edit/", {"name": "Shore", "tags": "a" * 41, "version": "{version}"}),
    (
        "post",
        "/media/{item}/edit/",
        {"name": "Shore", "tags": ",".join(f"t{n}" for n in range(21)), "version": "{version}"},
    ),
]


@pytest.mark.parametrize(("method", "path", "data"), CASES)
def test_malformed_input_is_a_4xx_and_changes_nothing(world, method, path, data):
    client = sign_in(Client(raise_request_exception=False), "alice")
    fill = dict(world)
    data = {
        key: [v.format(**fill) for v in value]
        if isinstance(value, list)
        else value.replace("{version}", fill["version"])
        for key, value in data.items()
    }
    before = snapshot()

    response = getattr(client, method)(path.format(**fill), data)

    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and method == "post" and "apply" not in data
    ), response.status_code
    assert snapshot() == before


def test_an_empty_selection_goes_back_to_the_list_saying_so(world):
    client = sign_in(Client(), "alice")

    response = client.post("/media/edit/", {"apply": "yes", "add_tags": "x"}, follow=True)

    assert "Select the items to change first." in response.content.decode()
