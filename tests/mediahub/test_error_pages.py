"""Errors answer with the portal's own pages, saying what happened and a way back."""

from __future__ import annotations

from django.test import Client


def test_missing_page_is_a_404_in_the_portal_layout(member_client):
    response = member_client.get("/no/such/page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "There is nothing here, or it is not yours to see." in page
    assert 'href="/">Back to your media</a>' in page


def test_forbidden_page_explains_itself(member_client):
    response = member_client.get("/accounts/users/")

    assert response.status_code == 403
    assert "Your account may not use this page." in response.content.decode()


def test_csrf_failure_tells_the_user_what_to_do(member):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "alice"})

    assert response.status_code == 403
    assert "reload the page and send it again. Nothing was changed." in response.content.decode()
