"""Zappa's real LambdaHandler, in-process, fed API Gateway proxy events (REST v1 and HTTP v2)."""

from __future__ import annotations

import base64
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import set_script_prefix
from zappa.cli import ZappaCLI
from zappa.handler import LambdaHandler

ROOT = Path(__file__).resolve().parents[2]
HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
STAGE = "dev"


@pytest.fixture(scope="session")
def zappa_settings_module(tmp_path_factory) -> str:
    """The settings module `zappa package` would put in the zip, from our zappa_settings.json."""
    cli = ZappaCLI()
    cli.api_stage = STAGE
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    text = cli.get_zappa_settings_string()
    # The handler would fetch the stage's secrets and export its environment; the
    # test process already has settings loaded, so neither may leak into it.
    text = text.replace("REMOTE_ENV='", "REMOTE_ENV=None\nUNUSED_REMOTE_ENV='")
    text += "ENVIRONMENT_VARIABLES={}\n"
    folder = tmp_path_factory.mktemp("zappa")
    (folder / "zappa_settings_under_test.py").write_text(text)
    sys.path.insert(0, str(folder))
    return "zappa_settings_under_test"


@dataclass
class ApiGateway:
    """A tiny API Gateway: turns requests into proxy events and keeps cookies like a browser."""

    handler: LambdaHandler
    version: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        source_ip: str = "198.51.100.7",
    ) -> dict[str, Any]:
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Port": "443",
            "X-Forwarded-For": source_ip,
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        path, _, query = path.partition("?")
        event = (self._v1 if self.version == "1.0" else self._v2)(method, path, query, headers, body, source_ip)
        response = self.handler.handler(event, SimpleNamespace(aws_request_id=str(uuid.uuid4())))
        for cookie in self.set_cookies(response):
            parsed = SimpleCookie(cookie)
            for name, morsel in parsed.items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.request("GET", path, **kwargs)

    def post_form(
        self, path: str, fields: dict[str, str], *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        body = urlencode(fields).encode()
        form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}"}
        return self.request("POST", path, body=body, headers={**form_headers, **(headers or {})}, **kwargs)

    def post_multipart(self, path: str, fields: dict[str, str], file: tuple[str, bytes, str]) -> dict[str, Any]:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}.items()
        ]
        filename, data, content_type = file
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": f"https://{HOST}"}
        return self.request("POST", path, body=body, headers=headers)

    def set_cookies(self, response: dict[str, Any]) -> list[str]:
        if self.version == "2.0":
            return response.get("cookies", [])
        return response.get("multiValueHeaders", {}).get("Set-Cookie", [])

    @staticmethod
    def header(response: dict[str, Any], name: str) -> str | None:
        for key, value in response.get("headers", {}).items():
            if key.lower() == name.lower():
                return value
        return None

    @staticmethod
    def text(response: dict[str, Any]) -> str:
        body = response.get("body") or ""
        return base64.b64decode(body).decode() if response.get("isBase64Encoded") else body

    def _v1(self, method, path, query, headers, body, source_ip) -> dict[str, Any]:
        # REST API: `path` has no stage; the stage is in requestContext.
        params = dict(pair.split("=", 1) for pair in query.split("&")) if query else None
        return {
            "resource": "/{proxy+}",
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": params,
            "multiValueQueryStringParameters": {k: [v] for k, v in params.items()} if params else None,
            "pathParameters": {"proxy": path.lstrip("/")},
            "stageVariables": None,
            "requestContext": {
                "stage": STAGE,
                "path": f"/{STAGE}{path}",
                "httpMethod": method,
                "identity": {"sourceIp": source_ip},
                "requestId": str(uuid.uuid4()),
            },
            "body": base64.b64encode(body).decode() if body else None,
            "isBase64Encoded": bool(body),
        }

    def _v2(self, method, path, query, headers, body, source_ip) -> dict[str, Any]:
        # HTTP API: rawPath carries the stage, cookies travel apart from headers.
        lower = {k.lower(): v for k, v in headers.items() if k.lower() != "cookie"}
        cookies = headers.get("Cookie", "")
        return {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": f"/{STAGE}{path}",
            "rawQueryString": query,
            "cookies": cookies.split("; ") if cookies else [],
            "headers": lower,
            "requestContext": {
                "stage": STAGE,
                "http": {"method": method, "path": f"/{STAGE}{path}", "sourceIp": source_ip},
                "requestId": str(uuid.uuid4()),
            },
            "body": base64.b64encode(body).decode() if body else None,
            "isBase64Encoded": bool(body),
        }


@pytest.fixture
def lambda_handler(zappa_settings_module, settings) -> Iterator[LambdaHandler]:
    settings.ALLOWED_HOSTS = [".execute-api.us-east-1.amazonaws.com"]
    yield LambdaHandler(zappa_settings_module)
    # A WSGI request leaves its script prefix (/dev/) on the thread; Django's test
    # client, used by the other tests, does not reset it.
    set_script_prefix("/")


@pytest.fixture(params=["1.0", "2.0"], ids=["rest-v1", "http-v2"])
def gateway(request, lambda_handler) -> ApiGateway:
    return ApiGateway(handler=lambda_handler, version=request.param)
