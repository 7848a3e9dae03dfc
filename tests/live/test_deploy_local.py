"""`make deploy-local`'s script against a live MiniStack: Zappa packages the portal, deploys
it to Lambda behind API Gateway, and a browser-like client signs in, uploads and lists
through the API Gateway URL. A second run updates the deployment in place."""

from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import requests

from scripts import ministack
from tests import media

pytestmark = pytest.mark.live

PNG_BYTES = media.png()


def deploy(emulator) -> str:
    result = subprocess.run(
        [sys.executable, "scripts/deploy_local.py"],
        cwd=ministack.ROOT,
        env={**ministack.clean_env(), "MINISTACK_PORT": str(emulator.port)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


class ApiGatewayClient(requests.Session):
    """Talks to MiniStack's API Gateway as a browser at http://<api>.execute-api.localhost would."""

    def __init__(self, url: str, port: int) -> None:
        super().__init__()
        parts = urlsplit(url)
        self.origin = f"http://{parts.netloc}"
        self.base = f"http://127.0.0.1:{port}"
        self.headers["Host"] = parts.netloc

    def page(self, path: str, **kwargs) -> requests.Response:
        return self.get(f"{self.base}{path}", timeout=60, **kwargs)

    def submit(self, path: str, data: dict, **kwargs) -> requests.Response:
        data = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        return self.post(f"{self.base}{path}", data=data, headers={"Origin": self.origin}, timeout=60, **kwargs)


def test_deploy_sign_in_upload_list_then_update(emulator):
    output = deploy(emulator)

    url = re.search(r"Media Hub on local Lambda \+ API Gateway: (\S+)", output).group(1)
    password = re.search(r"password: (\S+)", output).group(1)
    assert re.fullmatch(rf"http://\w+\.execute-api\.localhost:{emulator.port}/dev/", url)
    browser = ApiGatewayClient(url, emulator.port)

    login = browser.page("/dev/accounts/login/")
    assert login.status_code == 200 and 'href="/dev/static/css/site.css"' in login.text
    assert browser.page("/dev/static/css/site.css").status_code == 200
    signed_in = browser.submit("/dev/accounts/login/", {"username": "admin", "password": password})
    assert '<span class="who">admin</span>' in signed_in.text

    confirmation = browser.submit(
        "/dev/upload/", {"name": "Deployed upload", "caption": "through Lambda"}, files={"file": ("p.png", PNG_BYTES)}
    )
    assert "Uploaded “Deployed upload”." in confirmation.text
    link = re.search(r'href="([^"]+)" class="file-link"', confirmation.text).group(1).replace("&amp;", "&")
    assert requests.get(link, timeout=10).content == PNG_BYTES
    assert "Deployed upload" in browser.page("/dev/").text

    again = deploy(emulator)

    assert "Your updated Zappa deployment is live!" in again
    assert "An admin exists already" in again
    assert "Deployed upload" in browser.page("/dev/").text
