"""The portal through Zappa's LambdaHandler, as API Gateway (REST v1 and HTTP v2) invokes it."""

from __future__ import annotations

from tests import media
from tests.factories import PASSWORD
from tests.helpers import only_item

JPEG_BYTES = media.jpeg()


def sign_in(gateway) -> dict:
    gateway.get("/accounts/login/")
    return gateway.post_form("/accounts/login/", {"username": "alice", "password": PASSWORD})


def test_login_page_links_carry_the_stage_prefix(gateway):
    response = gateway.get("/accounts/login/")

    page = gateway.text(response)
    assert response["statusCode"] == 200
    assert gateway.header(response, "Content-Type") == "text/html; charset=utf-8"
    assert 'action="/dev/accounts/login/"' in page
    assert 'href="/dev/static/css/site.css"' in page


def test_static_asset_is_served_under_the_stage(gateway):
    response = gateway.get("/static/css/site.css")

    assert response["statusCode"] == 200
    assert gateway.header(response, "Content-Type").startswith("text/css")
    assert ".topbar" in gateway.text(response)


def test_redirect_to_sign_in_keeps_the_stage_prefix(gateway):
    response = gateway.get("/upload/")

    assert response["statusCode"] == 302
    assert gateway.header(response, "Location") == "/dev/accounts/login/?next=%2Fdev%2Fupload%2F"


def test_sign_in_with_csrf_sets_several_cookies_in_one_response(gateway, member):
    response = sign_in(gateway)

    assert response["statusCode"] == 302
    assert gateway.header(response, "Location") == "/dev/"
    # Zappa repeats Set-Cookie under two spellings for REST APIs; browsers keep the last of each.
    names = {cookie.strip().split("=", 1)[0] for cookie in gateway.set_cookies(response)}
    assert names == {"csrftoken", "sessionid"}
    assert all("Secure" in cookie for cookie in gateway.set_cookies(response))


def test_sign_in_without_csrf_token_is_refused(gateway, member):
    gateway.get("/accounts/login/")
    gateway.cookies.pop("csrftoken")

    response = gateway.post_form("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response["statusCode"] == 403


def test_multipart_upload_as_base64_body_lands_in_s3_and_the_listing(gateway, member, s3, settings):
    sign_in(gateway)

    response = gateway.post_multipart(
        "/upload/", {"name": "Through Lambda", "caption": "base64 body"}, ("photo.jpg", JPEG_BYTES, "image/jpeg")
    )

    assert response["statusCode"] == 302
    item = only_item()
    assert gateway.header(response, "Location") == f"/dev/media/{item.id}/"
    assert s3.get_object(Bucket=settings.MEDIAHUB_BUCKET, Key=item.s3_key)["Body"].read() == JPEG_BYTES
    listing = gateway.text(gateway.get("/"))
    assert f'<a href="/dev/media/{item.id}/">Through Lambda</a>' in listing


def test_throttle_counts_the_address_api_gateway_saw_not_a_forged_header(gateway, member):
    gateway.get("/accounts/login/")
    for n in range(5):
        forged = {"X-Forwarded-For": f"192.0.2.{n}, 203.0.113.9"}
        gateway.post_form(
            "/accounts/login/", {"username": f"guess{n}", "password": "x"}, headers=forged, source_ip="203.0.113.9"
        )

    response = gateway.post_form(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, source_ip="203.0.113.9"
    )

    assert response["statusCode"] == 429
    assert "Too many failed sign-ins" in gateway.text(response)


def test_unknown_media_is_404_through_lambda(gateway, member):
    sign_in(gateway)

    assert gateway.get("/media/01J0000000000000000000000/")["statusCode"] == 404


def test_the_api_answers_under_the_stage_with_problems_and_its_schema(gateway):
    schema = gateway.get("/api/v1/openapi.json")
    unauthenticated = gateway.get("/api/v1/me")
    docs = gateway.get("/api/v1/docs")

    assert schema["statusCode"] == 200 and '"/dev/api/v1/media"' in gateway.text(schema)
    assert unauthenticated["statusCode"] == 401
    assert gateway.header(unauthenticated, "Content-Type") == "application/problem+json"
    assert docs["statusCode"] == 200 and 'src="/dev/static/ninja/swagger-ui-bundle.js"' in gateway.text(docs)
