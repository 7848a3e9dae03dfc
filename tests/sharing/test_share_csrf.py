"""The share page's password form keeps CSRF protection although its page sends no
Referer, which makes browsers send `Origin: null`: the token decides, and only there."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import media
from tests.helpers import stored_item
from tests.sharing.helpers import PASSWORD, make_share

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def link(member_client, member) -> str:
    item = stored_item("p.jpg", media.jpeg(), owner="alice")
    return f"/s/{make_share(member_client, item, password=PASSWORD)}/"


def visitor_with_token(link: str) -> tuple[Client, str]:
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(link)
    return visitor, visitor.cookies["csrftoken"].value


def test_the_password_form_works_from_a_page_that_sends_no_referrer(link):
    visitor, token = visitor_with_token(link)

    response = visitor.post(link, {"password": PASSWORD, "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null")

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("origin", "with_token"), [("null", False), ("https://evil.example", True), ("https://evil.example", False)]
)
def test_the_password_form_refuses_a_missing_token_or_a_foreign_origin(link, origin, with_token):
    visitor, token = visitor_with_token(link)
    form = {"password": PASSWORD, **({"csrfmiddlewaretoken": token} if with_token else {})}

    response = visitor.post(link, form, HTTP_ORIGIN=origin)

    assert response.status_code == 403
    assert "This link is protected" in visitor.get(link).content.decode()


def test_other_forms_still_refuse_origin_null(member):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "x", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null"
    )

    assert response.status_code == 403
