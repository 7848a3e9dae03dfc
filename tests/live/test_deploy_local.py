"""`make deploy-local`'s script against a live MiniStack: Zappa packages the portal, deploys
it to Lambda behind API Gateway, and a browser-like client signs in, uploads and lists
through the API Gateway URL. A second run updates the deployment in place. On that same
deployment, the events Zappa wired do their work: S3's ObjectCreated finishes an upload
whose browser went away, and the daily reconcile schedule removes an abandoned one."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from scripts import ministack
from tests import media
from tests.services import aws_client

pytestmark = pytest.mark.live

PNG_BYTES = media.png()
JPEG = media.jpeg(72, 48)
FUNCTION = "mediahub-dev"
BUCKET = "mediahub-dev-media"
MEDIA_TABLE = "mediahub-dev-media"
RECONCILE_RULE = "mediahub-dev-uploads.events.reconcile"


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

    def api(self, path: str, body: dict) -> requests.Response:
        headers = {"Origin": self.origin, "X-CSRFToken": self.cookies["csrftoken"]}
        return self.post(f"{self.base}{path}", json=body, headers=headers, timeout=60)


@dataclass(frozen=True)
class Deployment:
    url: str
    password: str
    output: str


@pytest.fixture(scope="module")
def deployment(emulator) -> Deployment:
    """One deployment for the whole module: packaging and deploying take minutes."""
    output = deploy(emulator)
    url = re.search(r"Media Hub on local Lambda \+ API Gateway: (\S+)", output).group(1)
    password = re.search(r"password: (\S+)", output).group(1)
    return Deployment(url=url, password=password, output=output)


def signed_in_admin(deployment: Deployment, port: int) -> ApiGatewayClient:
    browser = ApiGatewayClient(deployment.url, port)
    browser.page("/dev/accounts/login/")
    signed_in = browser.submit("/dev/accounts/login/", {"username": "admin", "password": deployment.password})
    assert '<span class="who">admin</span>' in signed_in.text
    return browser


def create_upload(browser: ApiGatewayClient, name: str, filename: str, data: bytes) -> dict:
    declared = {"name": name, "caption": "", "filename": filename, "size": len(data), "type": "image/jpeg"}
    created = browser.api("/dev/api/v1/uploads", declared)
    assert created.status_code == 201, created.text
    return created.json()


def media_record(emulator, media_id: str) -> dict[str, Any] | None:
    dynamodb = aws_client(emulator, "dynamodb")
    return dynamodb.get_item(TableName=MEDIA_TABLE, Key={"id": {"S": media_id}}, ConsistentRead=True).get("Item")


def function_log(emulator) -> str:
    logs = aws_client(emulator, "logs")
    group = f"/aws/lambda/{FUNCTION}"
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    events = [
        event["message"]
        for stream in streams
        for event in logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
    ]
    return "\n".join(events)


def log_saying(emulator, text: str) -> str:
    """The function's log once it holds `text` (a run logs its report as it ends)."""

    def holding() -> str | None:
        log = function_log(emulator)
        return log if text in log else None

    return wait_for(holding, timeout=60, what=repr(text))


def wait_for(check: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll `check` every second until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(1)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s")


def test_deploy_sign_in_upload_list_then_update(emulator, deployment):
    url, password = deployment.url, deployment.password
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


def test_an_upload_whose_browser_never_finishes_becomes_ready_through_the_s3_event(emulator, deployment):
    # Zappa registered the function for ObjectCreated under media/ only (thumbnails do not call it).
    notification = aws_client(emulator, "s3").get_bucket_notification_configuration(Bucket=BUCKET)
    [target] = notification["LambdaFunctionConfigurations"]
    assert target["LambdaFunctionArn"].endswith(f":function:{FUNCTION}")
    assert target["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "media/"}]
    browser = signed_in_admin(deployment, emulator.port)
    # A name S3 URL-encodes in the event's key, as AWS does.
    created = create_upload(browser, "Closed tab", "Foto café.jpg", JPEG)
    media_id, post = created["item"]["id"], created["post"]

    sent = requests.post(post["url"], data=post["fields"], files={"file": ("Foto café.jpg", JPEG)}, timeout=30)

    # The tab closes here: nobody calls finish. Only S3's event can reach the deployed function.
    assert sent.status_code == 204, sent.text
    item = wait_for(
        lambda: (record := media_record(emulator, media_id)) and record["status"]["S"] != "pending" and record,
        timeout=90,
        what="processing through the S3 event",
    )
    assert item["status"]["S"] == "ready", item.get("reason")
    assert item["s3_key"]["S"].endswith("/Foto_café.jpg")
    assert (item["width"]["N"], item["height"]["N"]) == ("72", "48")
    assert "expires_at" not in item
    # The checksum pass: the function invoked itself asynchronously (uploads.events.checksum).
    landed = wait_for(
        lambda: (record := media_record(emulator, media_id)) and "sha256" in record and record,
        timeout=90,
        what="the checksum through the function's asynchronous invocation of itself",
    )
    assert landed["sha256"]["S"] == hashlib.sha256(JPEG).hexdigest()


def test_the_daily_reconcile_schedule_removes_an_abandoned_upload(emulator, deployment):
    events = aws_client(emulator, "events")
    rule = events.describe_rule(Name=RECONCILE_RULE)
    assert rule["ScheduleExpression"] == "rate(1 day)"
    [target] = events.list_targets_by_rule(Rule=RECONCILE_RULE)["Targets"]
    assert target["Arn"].endswith(f":function:{FUNCTION}")
    browser = signed_in_admin(deployment, emulator.port)
    media_id = create_upload(browser, "Abandoned", "never-sent.jpg", JPEG)["item"]["id"]
    # Started two days ago and never sent. Without its expiry: MiniStack's TTL reaper deletes
    # expired items within a minute (AWS takes up to days), and would race the run; a pending
    # record without one expires after the pending window all the same.
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    aws_client(emulator, "dynamodb").update_item(
        TableName=MEDIA_TABLE,
        Key={"id": {"S": media_id}},
        UpdateExpression="SET uploaded_at = :then REMOVE expires_at",
        ExpressionAttributeValues={":then": {"S": two_days_ago}},
    )

    # MiniStack's EventBridge runs rate() schedules: bring the daily one forward to fire now.
    schedule = {key: rule[key] for key in ("Name", "State", "Description", "RoleArn")}
    events.put_rule(**schedule, ScheduleExpression="rate(1 minute)")
    try:
        wait_for(lambda: media_record(emulator, media_id) is None, timeout=150, what="the scheduled reconcile")
    finally:
        events.put_rule(**schedule, ScheduleExpression="rate(1 day)")

    # The record goes mid-run; the run's report reaches the log when it ends.
    log = log_saying(emulator, f"Reconcile: expired-pending  {media_id}: pending since ")
    assert "its file never arrived. Fixed: removed the record." in log


PURGE_RULE = "mediahub-dev-trash.events.purge"


def trash_record(emulator, owner: str, media_id: str) -> dict[str, Any] | None:
    key = {"owner": {"S": owner}, "media_id": {"S": media_id}}
    found = aws_client(emulator, "dynamodb").get_item(TableName="mediahub-dev-trash", Key=key, ConsistentRead=True)
    return found.get("Item")


def test_the_daily_purge_schedule_deletes_forever_what_is_due(emulator, deployment):
    events = aws_client(emulator, "events")
    rule = events.describe_rule(Name=PURGE_RULE)
    assert rule["ScheduleExpression"] == "rate(1 day)"
    [target] = events.list_targets_by_rule(Rule=PURGE_RULE)["Targets"]
    assert target["Arn"].endswith(f":function:{FUNCTION}")
    # An item trashed 31 days ago: its trash record (as media_trash writes it) and its file.
    media_id, key = "01KZZZZZZZZZZZZZZZZZZZZZZZ", "media/01KZZZZZZZZZZZZZZZZZZZZZZZ/old.jpg"
    aws_client(emulator, "s3").put_object(Bucket=BUCKET, Key=key, Body=JPEG)
    long_ago = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    record = {
        "id": {"S": media_id},
        "owner": {"S": "admin"},
        "name": {"S": "Old"},
        "caption": {"S": ""},
        "original_filename": {"S": "old.jpg"},
        "s3_key": {"S": key},
        "content_type": {"S": "image/jpeg"},
        "kind": {"S": "image"},
        "status": {"S": "ready"},
        "uploaded_at": {"S": long_ago},
        "version": {"N": "2"},
    }
    aws_client(emulator, "dynamodb").put_item(
        TableName="mediahub-dev-trash",
        Item={
            "owner": {"S": "admin"},
            "media_id": {"S": media_id},
            "record": {"S": json.dumps(record)},
            "name": {"S": "Old"},
            "original_filename": {"S": "old.jpg"},
            "size": {"N": str(len(JPEG))},
            "kind": {"S": "image"},
            "status": {"S": "ready"},
            "s3_key": {"S": key},
            "trashed_by": {"S": "admin"},
            "trashed_at": {"S": long_ago},
            "purge_at": {"S": long_ago},
            "purge_shard": {"S": "purge#0"},
        },
    )

    schedule = {key: rule[key] for key in ("Name", "State", "Description", "RoleArn")}
    events.put_rule(**schedule, ScheduleExpression="rate(1 minute)")
    try:
        wait_for(lambda: trash_record(emulator, "admin", media_id) is None, timeout=150, what="the scheduled purge")
    finally:
        events.put_rule(**schedule, ScheduleExpression="rate(1 day)")

    assert aws_client(emulator, "s3").list_objects_v2(Bucket=BUCKET, Prefix=key).get("KeyCount") == 0
    assert log_saying(emulator, "Purge: 1 deleted forever, 0 failed")
