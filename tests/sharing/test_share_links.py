"""Share links through the portal (moto): making them on the item page, opening them with
no account, passwords, expiry, withdrawal, and what the public page gives away."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from sharing.models import Share
from tests import media
from tests.factories import MediaItemFactory
from tests.helpers import sign_in, stored_item
from tests.sharing.helpers import PASSWORD, make_share, token_hash
from uploads.models import MediaItem, Status

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def photo(member):
    return stored_item("p.jpg", media.jpeg(), owner="alice", name="Harbour at dawn", caption="Taken from the pier")


def signed_query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url.replace("&amp;", "&")).query).items()}


def preview_url(page: str) -> str:
    return re.search(r'<img class="preview" src="([^"]+)"', page).group(1)


def test_a_link_opens_for_anyone_without_an_account(member_client, photo):
    token = make_share(member_client, photo)

    response = Client().get(f"/s/{token}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Harbour at dawn" in page and "Taken from the pier" in page
    assert signed_query(preview_url(page))["X-Amz-Signature"]
    assert f'href="/s/{token}/download/"' in page


def test_the_public_page_is_private_unindexed_and_sends_no_referrer(member_client, photo):
    token = make_share(member_client, photo)

    response = Client().get(f"/s/{token}/")

    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_public_page_shows_nothing_else_of_the_owner(member_client, photo):
    MediaItemFactory(owner="alice", name="Private diary scan")
    token = make_share(member_client, photo)

    page = Client().get(f"/s/{token}/").content.decode()
    # Outside the signed S3 URLs (whose key holds the item's id), no id, no owner, no other media.
    visible = re.sub(r'(src|poster)="[^"]+"', "", page)

    assert photo.id not in visible
    assert "alice" not in visible
    assert "Private diary scan" not in page and "/media/" not in visible


def test_a_thirty_day_link_still_works_eight_days_later_with_a_freshly_signed_url(member_client, photo):
    token = make_share(member_client, photo)
    first = signed_query(preview_url(Client().get(f"/s/{token}/").content.decode()))

    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        later = Client().get(f"/s/{token}/")
        again = Client().get(f"/s/{token}/")

    signed = signed_query(preview_url(later.content.decode()))
    assert later.status_code == 200
    assert signed["X-Amz-Date"] != first["X-Amz-Date"]
    assert signed["X-Amz-Date"].startswith((timezone.now() + timedelta(days=8)).strftime("%Y%m%d"))
    # Minutes, not the link's days: a URL dies with the credentials that signed it.
    assert int(signed["X-Amz-Expires"]) <= 15 * 60
    assert again.status_code == 200 and Share.get(token_hash(token)).views == 3


def test_the_token_is_stored_only_as_its_hash(member_client, photo):
    token = make_share(member_client, photo, password=PASSWORD)
    Client().post(f"/s/{token}/", {"password": "a wrong one"})  # counted by the throttle, under the hash

    share = Share.get(token_hash(token))
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    tables = dynamodb.list_tables()["TableNames"]
    everything = json.dumps([dynamodb.scan(TableName=table)["Items"] for table in tables])
    assert token not in everything
    assert PASSWORD not in everything
    assert share.password.startswith("pbkdf2_") or "$" in share.password


def test_unknown_expired_withdrawn_and_malformed_links_answer_identically(member_client, photo):
    expired = make_share(member_client, photo, lasts="1h")
    withdrawn = make_share(member_client, photo)
    member_client.post(f"/shares/{token_hash(withdrawn)}/withdraw/")
    unknown = "A" * 43

    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        answers = [Client().get(f"/s/{token}/") for token in (expired, withdrawn, unknown, "short", "x" * 3000)]

    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.content for answer in answers}) == 1
    assert "This link has expired or been withdrawn." in answers[0].content.decode()
    assert all(answer["Referrer-Policy"] == "no-referrer" for answer in answers)


def test_a_link_asks_for_its_password_before_showing_anything(member_client, photo):
    token = make_share(member_client, photo, password=PASSWORD)
    visitor = Client()

    locked = visitor.get(f"/s/{token}/")
    wrong = visitor.post(f"/s/{token}/", {"password": "guess"})
    right = visitor.post(f"/s/{token}/", {"password": PASSWORD})
    opened = visitor.get(f"/s/{token}/")

    assert locked.status_code == 200 and "This link is protected" in locked.content.decode()
    assert "X-Amz-Signature" not in locked.content.decode() and "Harbour" not in locked.content.decode()
    assert wrong.status_code == 401 and "That is not the password for this link." in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == f"/s/{token}/"
    assert opened.status_code == 200 and "Harbour at dawn" in opened.content.decode()
    # Another browser has not given the password.
    assert "This link is protected" in Client().get(f"/s/{token}/").content.decode()
    assert Client().get(f"/s/{token}/download/")["Location"] == f"/s/{token}/"


def test_wrong_passwords_are_throttled_like_sign_in(member_client, photo, settings):
    settings.MEDIAHUB_LOGIN_MAX_FAILURES = 3
    token = make_share(member_client, photo, password=PASSWORD)

    wrong = [Client(REMOTE_ADDR=f"192.0.2.{n}").post(f"/s/{token}/", {"password": "guess"}) for n in range(3)]
    throttled = Client(REMOTE_ADDR="192.0.2.9").post(f"/s/{token}/", {"password": PASSWORD})

    assert [answer.status_code for answer in wrong] == [401, 401, 401]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= settings.MEDIAHUB_LOGIN_WINDOW_SECONDS
    assert "Too many wrong passwords for this link." in throttled.content.decode()
    assert throttled["Referrer-Policy"] == "no-referrer"


def test_a_view_only_link_gives_no_download_url(member_client, photo):
    token = make_share(member_client, photo, allow_download="")

    page = Client().get(f"/s/{token}/").content.decode()
    download = Client().get(f"/s/{token}/download/")

    assert "/download/" not in page and "downloading is off" in page
    assert "attachment" not in signed_query(preview_url(page)).get("response-content-disposition", "")
    assert download.status_code == 403


def test_a_download_link_signs_an_attachment_url_when_clicked(member_client, photo):
    token = make_share(member_client, photo)

    download = Client().get(f"/s/{token}/download/")

    signed = signed_query(download["Location"])
    assert download.status_code == 302
    assert signed["response-content-disposition"].startswith("attachment")
    assert int(signed["X-Amz-Expires"]) <= 15 * 60
    assert download["Referrer-Policy"] == "no-referrer" and "no-store" in download["Cache-Control"]


def test_the_item_page_lists_its_links_with_views_and_withdraws_them(member_client, photo):
    token = make_share(member_client, photo, password=PASSWORD, allow_download="")
    Client().post(f"/s/{token}/", {"password": PASSWORD})
    visitor = Client()
    visitor.post(f"/s/{token}/", {"password": PASSWORD})
    visitor.get(f"/s/{token}/")
    visitor.get(f"/s/{token}/")

    page = member_client.get(f"/media/{photo.id}/").content.decode()
    row = re.search(r"<tr>\s*<td><time.*?</tr>", page, re.S).group(0)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    withdraw = member_client.post(f"/shares/{token_hash(token)}/withdraw/")

    assert cells[2:6] == ["yes", "view only", "2", cells[5]] and "never" not in cells[5]
    assert withdraw.status_code == 302 and withdraw["Location"] == f"/media/{photo.id}/"
    assert Client().get(f"/s/{token}/").status_code == 404
    assert "No link to this item works right now." in member_client.get(f"/media/{photo.id}/").content.decode()


def test_another_member_can_neither_see_nor_withdraw_your_link(member_client, photo, other_member):
    token = make_share(member_client, photo)
    bob = sign_in(Client(), "bob")

    withdraw = bob.post(f"/shares/{token_hash(token)}/withdraw/")
    listing = bob.get("/shares/")

    assert withdraw.status_code == 404
    assert listing.status_code == 403
    assert Client().get(f"/s/{token}/").status_code == 200


def test_admins_list_every_working_link_newest_first_and_withdraw_any(member_client, photo, admin_client):
    older = make_share(member_client, photo)
    newer = make_share(member_client, photo, lasts="1d")
    with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
        make_share(member_client, photo, lasts="1h")  # has expired by now

    listing = admin_client.get("/shares/").content.decode()
    withdraw = admin_client.post(f"/shares/{token_hash(older)}/withdraw/", {"back": "shares"})

    assert re.findall(r'action="/shares/([0-9a-f]{64})/withdraw/"', listing) == [token_hash(newer), token_hash(older)]
    assert "Harbour at dawn" in listing and "(alice)" in listing
    assert withdraw["Location"] == "/shares/"
    assert Client().get(f"/s/{older}/").status_code == 404


def test_the_admin_list_pages_with_a_cursor_that_cannot_be_forged(member_client, photo, admin_client, settings):
    settings.MEDIAHUB_PAGE_SIZE = 2
    tokens = [make_share(member_client, photo) for _ in range(3)]

    first = admin_client.get("/shares/").content.decode()
    cursor = re.search(r'href="\?cursor=([^"]+)"', first).group(1)
    second = admin_client.get(f"/shares/?cursor={cursor}").content.decode()
    forged = admin_client.get("/shares/?cursor=eyJ0b2tlbl9oYXNoIjoiMSJ9:forged")

    listed = re.findall(r'action="/shares/([0-9a-f]{64})/withdraw/"', first + second)
    assert listed == [token_hash(token) for token in reversed(tokens)]
    assert forged.status_code == 400


def test_deleting_the_item_ends_its_links(member_client, photo):
    token = make_share(member_client, photo)

    member_client.post(f"/media/{photo.id}/delete/")

    assert Client().get(f"/s/{token}/").status_code == 404
    assert Share.count() == 0


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED])
def test_an_item_that_is_not_ready_cannot_be_shared(member_client, status):
    item = MediaItemFactory(owner="alice", status=status)

    response = member_client.post(f"/media/{item.id}/shares/new/", {"lasts": "7d"})

    assert response.status_code == 409
    assert "Only a checked, ready item can be shared." in response.content.decode()
    assert Share.count() == 0


def test_a_link_to_an_item_that_is_no_longer_ready_stops_working(member_client, photo):
    token = make_share(member_client, photo)
    MediaItem.get(photo.id).update(actions=[MediaItem.status.set(Status.PENDING)])

    assert Client().get(f"/s/{token}/").status_code == 404


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"lasts": "date"}, "Choose the date the link stops working."),
        ({"lasts": "date", "until": "2999-01-01"}, "Choose a date from today to 90 days from now"),
        ({"lasts": "date", "until": "2001-01-01"}, "Choose a date from today to 90 days from now"),
        ({"lasts": "date", "until": "not a date"}, "Enter a valid date."),
        ({"lasts": "forever"}, "Select a valid choice."),
        ({"lasts": "7d", "password": "x" * 129}, "Ensure this value has at most 128 characters"),
    ],
)
def test_a_bad_expiry_or_password_is_refused_with_a_reason(member_client, photo, fields, error):
    response = member_client.post(f"/media/{photo.id}/shares/new/", fields)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Share.count() == 0


def test_a_link_until_a_date_lasts_to_the_end_of_that_day(member_client, photo):
    day = (timezone.now() + timedelta(days=10)).date()

    token = make_share(member_client, photo, lasts="date", until=day.isoformat())

    expires = Share.get(token_hash(token)).expires_at
    assert (expires.date(), expires.hour, expires.minute) == (day, 23, 59)


def test_an_item_has_a_bounded_number_of_links(member_client, photo, settings):
    settings.MEDIAHUB_SHARES_PER_ITEM = 2
    make_share(member_client, photo)
    make_share(member_client, photo)

    third = member_client.post(f"/media/{photo.id}/shares/new/", {"lasts": "7d"})

    assert third.status_code == 409
    assert "This item has 2 active links, the most it may have." in third.content.decode()
    assert Share.count() == 2


def test_a_deactivated_owners_links_open_nothing_until_reactivated(member_client, photo, admin_client):
    token = make_share(member_client, photo)

    admin_client.post("/accounts/users/alice/active/", {"active": "0"})
    while_inactive = Client().get(f"/s/{token}/")
    admin_client.post("/accounts/users/alice/active/", {"active": "1"})

    assert while_inactive.status_code == 404
    assert "This link has expired or been withdrawn." in while_inactive.content.decode()
    assert Client().get(f"/s/{token}/").status_code == 200
