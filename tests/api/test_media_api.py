"""The media endpoints of API v1 (moto): what a token holder can list, read, change,
delete and share, and the one error shape (problem details) for everything that fails."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import media
from tests.api.helpers import bearer, make_token
from tests.factories import MediaItemFactory
from tests.helpers import stored_item
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def api(member_client) -> Client:
    client = Client(**bearer(make_token(member_client)))
    return client


def problem_of(response) -> dict:
    assert response["Content-Type"] == "application/problem+json", response.content
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == response.status_code
    return body


def test_listing_pages_with_cursors_and_the_portals_filters(api):
    for n in range(5):
        MediaItemFactory(owner="alice", name=f"Photo {n}")
    MediaItemFactory(owner="alice", name="Song", kind="audio", content_type="audio/mpeg")
    MediaItemFactory(owner="bob", name="Not hers")

    first = api.get("/api/v1/media", {"size": "10", "kind": "image"}).json()
    searched = api.get("/api/v1/media", {"q": "song"}).json()
    paged = api.get("/api/v1/media", {"size": "10"}).json()

    assert [item["name"] for item in first["items"]] == [f"Photo {n}" for n in reversed(range(5))]
    assert [item["name"] for item in searched["items"]] == ["Song"]
    assert "Not hers" not in [item["name"] for item in paged["items"]]


def test_a_cursor_reaches_every_item_once(api):
    for n in range(23):
        MediaItemFactory(owner="alice", name=f"Item {n:02}")
    seen, cursor = [], ""
    while True:
        page = api.get("/api/v1/media", {"size": "10", "cursor": cursor}).json()
        seen += [item["name"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]

    assert seen == [f"Item {n:02}" for n in reversed(range(23))]


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ({"kind": "hologram"}, 422, "Some fields are missing or invalid."),
        ({"size": "7"}, 422, "Some fields are missing or invalid."),
        ({"uploaded_from": "yesterday"}, 422, "Some fields are missing or invalid."),
        ({"uploaded_from": "2024-13-45"}, 400, "uploaded_from: Enter a valid date."),
        ({"uploaded_from": "2024-05-02", "uploaded_to": "2024-05-01"}, 400, "The end date is before the start date."),
        ({"cursor": "forged"}, 400, "That page link is invalid"),
    ],
)
def test_bad_filters_answer_4xx_problems_saying_why(api, query, status, detail):
    response = api.get("/api/v1/media", query)

    assert response.status_code == status
    assert detail in problem_of(response)["detail"]
    if status == 422:
        assert [error["loc"][-1] for error in response.json()["errors"]] == list(query)


def test_an_item_is_read_with_its_version_as_etag(api, member):
    item = stored_item("p.jpg", media.jpeg(), owner="alice", name="Harbour")

    response = api.get(f"/api/v1/media/{item.id}")

    body = response.json()
    assert response.status_code == 200 and response["ETag"] == f'"{body["version"]}"'
    assert body["name"] == "Harbour" and body["kind"] == "image" and body["width"] == 64
    assert "X-Amz-Signature" in body["thumbnail_url"]


def test_a_change_needs_the_current_version(api):
    item = MediaItemFactory(owner="alice", name="Old")
    url = f"/api/v1/media/{item.id}"
    change = {"content_type": "application/json", "data": {"caption": "New caption"}}

    missing = api.patch(url, **change)
    stale = api.patch(url, **change, HTTP_IF_MATCH='"7"')
    done = api.patch(url, **change, HTTP_IF_MATCH=f'"{item.version}"')
    again = api.patch(url, **change, HTTP_IF_MATCH=f'"{item.version}"')

    assert missing.status_code == 428 and "If-Match" in problem_of(missing)["detail"]
    assert stale.status_code == 412 and problem_of(stale)
    assert done.status_code == 200 and done.json()["caption"] == "New caption" and done.json()["name"] == "Old"
    assert done["ETag"] == f'"{item.version + 1}"'
    assert again.status_code == 412  # the version it named is gone now
    assert MediaItem.get(item.id).caption == "New caption"


@pytest.mark.parametrize("if_match", ['"' + "9" * 5000 + '"', '"\u0661"', '"-1"', "*"])
def test_an_if_match_naming_no_version_answers_412_for_edit_and_delete(api, if_match):
    item = MediaItemFactory(owner="alice", name="Kept")
    url = f"/api/v1/media/{item.id}"

    edit = api.patch(url, {"name": "New"}, content_type="application/json", HTTP_IF_MATCH=if_match)
    delete = api.delete(url, HTTP_IF_MATCH=if_match)

    assert (edit.status_code, delete.status_code) == (412, 412)
    assert problem_of(edit) and problem_of(delete)
    assert MediaItem.get(item.id).name == "Kept"


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"name": ""}, "name: This field is required."),
        ({"name": "x\u202eevil"}, "invisible control character U+202E"),
        ({"caption": "c" * 2001}, "at most 2000 characters"),
    ],
)
def test_a_bad_change_answers_400_and_changes_nothing(api, changes, detail):
    item = MediaItemFactory(owner="alice", name="Kept")

    response = api.patch(
        f"/api/v1/media/{item.id}", changes, content_type="application/json", HTTP_IF_MATCH=f'"{item.version}"'
    )

    assert response.status_code == 400 and detail in problem_of(response)["detail"]
    assert MediaItem.get(item.id).name == "Kept"


@pytest.mark.parametrize("body", [b"[]", b'{"name": 5}', b"{not json", b'{"name": ["x"]}'])
def test_a_malformed_body_answers_a_4xx_problem(api, body):
    item = MediaItemFactory(owner="alice")

    response = api.generic(
        "PATCH", f"/api/v1/media/{item.id}", body, content_type="application/json", HTTP_IF_MATCH='"1"'
    )

    assert 400 <= response.status_code < 500
    problem_of(response)


def test_delete_moves_the_item_to_the_trash_and_delete_forever_removes_the_file(api, member, bucket_keys):
    item = stored_item("p.jpg", media.jpeg(), owner="alice")

    response = api.delete(f"/api/v1/media/{item.id}")

    assert response.status_code == 204
    assert MediaItem.count(item.id) == 0 and item.s3_key in bucket_keys()
    assert api.get(f"/api/v1/media/{item.id}").status_code == 404
    assert api.delete(f"/api/v1/trash/{item.id}").status_code == 204
    assert bucket_keys() == []


def test_download_gives_a_short_lived_attachment_link(api, member):
    item = stored_item("p.jpg", media.jpeg(), owner="alice")

    body = api.get(f"/api/v1/media/{item.id}/download").json()

    assert body["expires_in"] == 300
    assert "attachment" in body["url"] and "X-Amz-Expires=300" in body["url"]


def test_another_members_item_is_404_everywhere(api, other_member):
    theirs = MediaItemFactory(owner="bob")
    url = f"/api/v1/media/{theirs.id}"

    answers = [
        api.get(url),
        api.patch(url, {"name": "x"}, content_type="application/json", HTTP_IF_MATCH='"1"'),
        api.delete(url),
        api.get(f"{url}/download"),
        api.get(f"{url}/shares"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    assert all(
        problem_of(answer)["detail"] == "There is nothing here, or it is not yours to see." for answer in answers
    )
    assert MediaItem.count(theirs.id) == 1


def test_shares_through_the_api(api, member):
    item = stored_item("p.jpg", media.jpeg(), owner="alice", name="Harbour")
    wanted = {"expires_at": "2099-01-01T00:00:00Z"}

    too_long = api.post(f"/api/v1/media/{item.id}/shares", wanted, content_type="application/json")
    made = api.post(
        f"/api/v1/media/{item.id}/shares",
        {"expires_at": "2026-12-31T00:00:00Z", "allow_download": False},
        content_type="application/json",
    )
    listed = api.get(f"/api/v1/media/{item.id}/shares").json()
    opened = Client().get(made.json()["url"])
    withdrawn = api.delete(f"/api/v1/shares/{made.json()['id']}")

    assert too_long.status_code == 400 and "from one hour to 90 days" in problem_of(too_long)["detail"]
    assert made.status_code == 201 and made.json()["allow_download"] is False
    assert [share["id"] for share in listed] == [made.json()["id"]] and "url" not in listed[0]
    assert opened.status_code == 200 and "Harbour" in opened.content.decode()
    assert withdrawn.status_code == 204
    assert Client().get(made.json()["url"]).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"expires_at": "2026-12-20T00:00:00"}, "expires_at"),  # no time zone: which 00:00?
        ({"expires_at": "2026-12-20T00:00:00Z", "password": "nul\x00inside"}, "password"),
        ({"expires_at": "2026-12-20T00:00:00Z", "password": "two\nlines"}, "password"),
    ],
)
def test_a_share_the_api_cannot_make_as_asked_answers_422_and_makes_none(api, member, fields, field):
    item = stored_item("p.jpg", media.jpeg(), owner="alice", name="Harbour")

    response = api.post(f"/api/v1/media/{item.id}/shares", fields, content_type="application/json")

    assert response.status_code == 422
    assert [error["loc"][-1] for error in problem_of(response)["errors"]] == [field]
    assert api.get(f"/api/v1/media/{item.id}/shares").json() == []


def test_no_html_reaches_an_api_client(api):
    for response in (api.get("/api/v1/nowhere"), Client().get("/api/v1/media"), api.post("/api/v1/me")):
        assert 400 <= response.status_code < 500
        problem_of(response)


def test_storage_down_answers_a_503_problem_with_retry_after(api, faults):
    faults.fail("Query")

    response = api.get("/api/v1/media")

    assert response.status_code == 503 and response["Retry-After"]
    assert "Storage is not answering right now" in problem_of(response)["detail"]


def test_an_unexpected_error_is_a_500_problem_not_a_page(api, monkeypatch):
    monkeypatch.setattr("uploads.endpoints.media_find", lambda **kwargs: 1 / 0)

    response = api.get("/api/v1/media")

    assert response.status_code == 500
    assert problem_of(response)["detail"] == "Something went wrong on our side; it has been logged."


def test_capture_time_order_lists_only_photos_with_one_and_search_refuses_it(api):
    from datetime import UTC, datetime

    MediaItemFactory(owner="alice", name="Undated")
    MediaItemFactory(owner="alice", name="Later shot", taken_at=datetime(2024, 6, 1, tzinfo=UTC))
    MediaItemFactory(owner="alice", name="Earlier shot", taken_at=datetime(2020, 1, 1, tzinfo=UTC))

    ordered = api.get("/api/v1/media", {"order": "taken-oldest"}).json()
    ranged = api.get("/api/v1/media", {"taken_from": "2023-01-01"}).json()
    searched = api.get("/api/v1/media", {"q": "shot", "order": "taken-newest"})

    assert [item["name"] for item in ordered["items"]] == ["Earlier shot", "Later shot"]
    assert [item["name"] for item in ranged["items"]] == ["Later shot"]
    assert searched.status_code == 400
    assert "q: Search results come in upload order" in problem_of(searched)["detail"]
