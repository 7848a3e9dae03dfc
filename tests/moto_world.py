"""moto's in-process AWS for the unit layer: built once per test session, emptied for each
test that asks for it (the `aws` fixture), stopped before tests that talk to a real MiniStack.

Building the world (moto plus the bucket and tables `setup_aws` makes) costs about half a
second; emptying it costs a few milliseconds. The guard below makes every botocore request
that neither moto (lent to the running test) nor a local emulator answers an error, so no
test can reach real AWS, with or without the fixture.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import boto3
import botocore.handlers
from django.conf import settings
from django.core.management import call_command
from moto import mock_aws

from mediahub import aws

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class MotoWorld:
    def __init__(self) -> None:
        self._mock = None
        self.lent = False

    @property
    def running(self) -> bool:
        return self._mock is not None

    def start(self) -> None:
        """Start moto and provision it with the real `setup_aws`, unless it runs already."""
        if self.running:
            return
        self._mock = mock_aws()
        self._mock.start()
        _forget_connections()
        call_command("setup_aws", stdout=io.StringIO())

    def stop(self) -> None:
        """Stop moto (its data goes with it), so HTTP to a live emulator passes untouched."""
        if not self.running:
            return
        self._mock.stop()
        self._mock = None
        _forget_connections()

    @contextmanager
    def lend(self) -> Iterator[None]:
        """The world, as `setup_aws` left it, for one test."""
        self.lent = True
        try:
            self.start()
            self.empty()
            yield
        finally:
            self.lent = False

    def empty(self) -> None:
        """Remove every item, object and multipart upload, and any table or bucket a test
        added; put back what a test deleted."""
        dynamodb = boto3.client("dynamodb", region_name=settings.AWS_REGION)
        s3 = boto3.client("s3", region_name=settings.AWS_REGION)
        wanted = {model.Meta.table_name for model in aws.table_models()}
        present = set(dynamodb.list_tables()["TableNames"])
        for table in present - wanted:
            dynamodb.delete_table(TableName=table)
        for table in present & wanted:
            _delete_items(dynamodb, table)
        buckets = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
        for bucket in buckets:
            _empty_bucket(s3, bucket)
        for bucket in buckets - {settings.MEDIAHUB_BUCKET}:
            s3.delete_bucket(Bucket=bucket)
        if wanted - present or settings.MEDIAHUB_BUCKET not in buckets:
            call_command("setup_aws", stdout=io.StringIO())


def _forget_connections() -> None:
    # A new world needs new connections: PynamoDB caches one per model (PynamoDB #1167),
    # mediahub.aws one boto3 client per service.
    for model in aws.table_models():
        model._connection = None
    aws._cached_client.cache_clear()


def _delete_items(dynamodb, table: str) -> None:
    key_names = [key["AttributeName"] for key in dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        keys = [{name: item[name] for name in key_names} for item in page["Items"]]
        for start in range(0, len(keys), 25):  # BatchWriteItem's limit
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
            dynamodb.batch_write_item(RequestItems={table: requests})


def _empty_bucket(s3, bucket: str) -> None:
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        objects = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


WORLD = MotoWorld()


def refuse_unmocked_aws(request, **kwargs) -> None:
    """botocore's last step before the network: only moto, lent to the running test,
    or an emulator on this machine may answer."""
    if WORLD.lent or urlsplit(request.url).hostname in LOCAL_HOSTS:
        return
    raise RuntimeError(f"A test reached for AWS ({request.url}) without the `aws` fixture.")


def install_guard() -> None:
    """Run `refuse_unmocked_aws` before moto's own handler in every botocore session made
    from now on (botocore copies its built-in handlers into each new session)."""
    handler = ("before-send", refuse_unmocked_aws)
    if handler not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.insert(0, handler)
