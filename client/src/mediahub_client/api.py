"""The API v1 over HTTP: bearer token, problem+json errors turned into exceptions with the
server's `detail`, waits on 429 (Retry-After) and retries on 503 and dropped connections."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import requests

from mediahub_client import __version__

TIMEOUT = (10, 120)
# 503 (storage not answering) and dropped connections: tried this many times in all.
ATTEMPTS = 4
# 429: waits this many times at most, each as long as Retry-After says (capped).
THROTTLED_WAITS = 10
LONGEST_WAIT = 120.0


class ClientError(Exception):
    """Something the user must be told; the message says what to do."""


class Unreachable(ClientError):
    """The portal did not answer, or what answered is not a Media Hub."""


class TokenRefused(ClientError):
    """401: the token is unknown, expired or revoked."""


class ApiError(ClientError):
    """Any other problem answer; the message is the server's `detail`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def base_url(url: str) -> str:
    """The portal's root from what a user may type: with or without /api/v1 or a slash."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Unreachable(f"{url} is not a web address (http:// or https://).")
    return url.removesuffix("/api/v1").rstrip("/")


class Api:
    """One portal and one token; safe to share between threads (one requests session)."""

    def __init__(self, url: str, token: str) -> None:
        self.url = base_url(url)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["User-Agent"] = f"mediahub-client/{__version__}"
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # Transfers to signed S3 links carry no token.
        self.transfers = requests.Session()
        self.transfers.mount("http://", adapter)
        self.transfers.mount("https://", adapter)

    def get(self, path: str, **params: str) -> Any:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.call("POST", path, json=body)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of `method` on /api/v1`path`; raises a ClientError otherwise."""
        url = f"{self.url}/api/v1{path}"
        response = send(self.session, method, url, **kwargs)
        if response.status_code == 204:
            return None
        if response.status_code >= 400:
            raise problem_error(response)
        try:
            return response.json()
        except ValueError as exc:
            raise Unreachable(f"{self.url} answered, but not as a Media Hub portal does (no JSON).") from exc


def send(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request, tried again on 503 and lost connections (with backoff) and after 429's
    Retry-After. Bodies that are files must be rewound by the caller: pass bytes instead."""
    failures = waits = 0
    while True:
        try:
            response = session.request(method, url, timeout=TIMEOUT, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            failures += 1
            if failures >= ATTEMPTS:
                raise Unreachable(f"Cannot reach {_origin(url)}: {_reason(exc)}") from exc
            time.sleep(0.5 * 2 ** (failures - 1))
            continue
        if response.status_code == 429 and waits < THROTTLED_WAITS:
            waits += 1
            time.sleep(_retry_after(response, default=2.0**waits))
        elif response.status_code in (502, 503, 504) and failures < ATTEMPTS - 1:
            failures += 1
            time.sleep(_retry_after(response, default=2.0 ** (failures - 1)))
        else:
            return response


def problem_error(response: requests.Response) -> ClientError:
    """The exception for an error answer, with the server's `detail` when it sent one."""
    try:
        detail = str(response.json().get("detail") or "")
    except (ValueError, AttributeError):
        detail = ""
    if response.status_code == 401:
        return TokenRefused(
            f"The portal refused the token ({detail or 'unknown, expired or revoked'}): run `mediahub login URL` again."
        )
    if response.status_code == 404 and not detail:
        return Unreachable(f"{_origin(response.url)} has no Media Hub API here (404): check the URL.")
    return ApiError(response.status_code, detail or f"The server answered {response.status_code} {response.reason}.")


def _retry_after(response: requests.Response, *, default: float) -> float:
    try:
        return min(max(float(response.headers["Retry-After"]), 0.0), LONGEST_WAIT)
    except (KeyError, ValueError):
        return min(default, LONGEST_WAIT)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _reason(exc: Exception) -> str:
    text = str(exc)
    for known in ("Name or service not known", "Connection refused", "timed out", "No route to host"):
        if known in text:
            return known.lower()
    return type(exc).__name__
