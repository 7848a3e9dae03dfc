"""Security headers: a Content-Security-Policy with no inline script, no caching of what a
signed-in user sees (it carries signed links), and only Secure cookies in production."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils.cache import get_max_age

from mediahub import aws
from tests.api.helpers import bearer, make_token
from tests.factories import PASSWORD, MediaItemFactory


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


def cache_directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize(
    "path", ["/", "/upload/", "/accounts/password/", "/accounts/users/", "/accounts/users/alice/", "/no/such/page/"]
)
def test_every_page_has_a_policy_with_no_inline_script(admin_client, member, path):
    csp = policy(admin_client.get(path))

    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == csp["base-uri"] == csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


def test_sign_in_csrf_failure_and_error_pages_have_the_policy_too(member):
    assert "script-src 'self'" in Client().get("/accounts/login/")["Content-Security-Policy"]
    refused = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "alice"})
    assert refused.status_code == 403 and "script-src 'self'" in refused["Content-Security-Policy"]
    wrong = Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert wrong.status_code == 401 and "script-src 'self'" in wrong["Content-Security-Policy"]


def test_the_bucket_the_signed_links_point_at_is_allowed(member_client, settings):
    item = MediaItemFactory(owner="alice")
    page = member_client.get(f"/media/{item.id}/")
    bucket = f"https://{settings.MEDIAHUB_BUCKET}.s3.amazonaws.com"

    csp = policy(page)

    assert bucket in page.content.decode()  # the page links the file there...
    for directive in ("img-src", "media-src", "connect-src"):
        assert bucket in csp[directive]  # ...and the browser may load it
    assert "blob:" in csp["img-src"] and "data:" in csp["img-src"]


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [("http://127.0.0.1:4566", "us-east-1"), (None, "us-east-1"), (None, "eu-west-1"), (None, "ap-southeast-2")],
)
def test_the_allowed_origins_are_those_of_every_url_the_s3_client_signs(settings, endpoint, region):
    settings.AWS_ENDPOINT_URL, settings.AWS_REGION = endpoint, region
    from uploads import storage

    urls = [
        storage.presigned_url("media/x/a.jpg", content_type="image/jpeg", filename="a.jpg"),
        storage.thumbnail_url("thumbnails/x.webp"),
        storage.presigned_post("media/x/a.jpg", content_type="image/jpeg", size=10).url,
        storage.multipart_part_url("media/x/a.mp4", upload_id="u", part_number=1),
    ]

    origins = aws.s3_browser_origins()
    for url in urls:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" in origins


def test_pages_for_a_signed_in_user_are_never_stored(member_client):
    item = MediaItemFactory(owner="alice")

    for path in ("/", f"/media/{item.id}/", "/upload/", f"/media/{item.id}/download/"):
        response = member_client.get(path)
        assert {"private", "no-store"} <= cache_directives(response), path


def test_signed_in_api_answers_are_never_stored(member_client):
    declared = {"name": "Photo", "caption": "", "filename": "a.jpg", "size": 1000, "type": "image/jpeg"}
    response = member_client.post("/api/v1/uploads", declared, content_type="application/json")

    assert response.status_code == 201
    assert {"private", "no-store"} <= cache_directives(response)


def test_api_answers_to_a_token_are_never_stored(member_client, member):
    item = MediaItemFactory(owner="alice")
    token = make_token(member_client)

    for path in ("/api/v1/me", f"/api/v1/media/{item.id}", f"/api/v1/media/{item.id}/download"):
        response = Client().get(path, **bearer(token))
        assert response.status_code == 200, path
        assert {"private", "no-store"} <= cache_directives(response), path


def test_static_files_keep_their_caching(member_client):
    response = member_client.get("/static/css/site.css")

    assert response.status_code == 200
    assert "no-store" not in cache_directives(response)
    assert get_max_age(response)
    assert "Content-Security-Policy" not in response


def test_every_cookie_is_secure_in_production(client, member):
    responses = [
        client.get("/accounts/login/"),
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}),
        client.get("/?view=grid"),
        client.post("/accounts/logout/"),
    ]

    cookies = [(name, morsel) for response in responses for name, morsel in response.cookies.items()]
    assert {name for name, _ in cookies} == {"csrftoken", "sessionid", "media_view"}
    assert [name for name, morsel in cookies if not morsel["secure"]] == []


def test_the_layout_cookie_follows_the_secure_cookies_setting(member_client, settings):
    settings.SECURE_COOKIES = False  # make deploy-local serves plain HTTP

    response = member_client.get("/?view=grid")

    assert response.cookies["media_view"]["secure"] == ""
