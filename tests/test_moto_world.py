"""The test harness itself: each test that asks for AWS gets moto's world as `setup_aws`
leaves it, and a test that does not ask cannot reach AWS at all."""

from __future__ import annotations

import boto3
import pytest

from tests.factories import MediaItemFactory, UserFactory
from uploads.models import MediaItem


def test_emptying_the_world_undoes_what_a_test_left_behind(aws, s3, settings, moto_world):
    bucket, dynamodb = settings.MEDIAHUB_BUCKET, boto3.client("dynamodb", region_name="us-east-1")
    MediaItemFactory()
    UserFactory()
    s3.put_object(Bucket=bucket, Key="media/x/left.txt", Body=b"left")
    s3.create_multipart_upload(Bucket=bucket, Key="media/y/half.bin")
    s3.create_bucket(Bucket="stray-bucket")
    s3.put_object(Bucket="stray-bucket", Key="stray.txt", Body=b"stray")
    dynamodb.delete_table(TableName="mediahub-local-throttle")
    dynamodb.create_table(
        TableName="stray-table",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    moto_world.empty()

    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]
    tables = dynamodb.list_tables()["TableNames"]
    names = (
        "activity",
        "album-items",
        "albums",
        "media",
        "search",
        "sessions",
        "shares",
        "tags",
        "throttle",
        "tokens",
        "trash",
        "users",
    )
    assert sorted(tables) == [f"mediahub-local-{name}" for name in names]
    assert all(dynamodb.scan(TableName=table)["Count"] == 0 for table in tables)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]  # the bucket kept its setup
    assert MediaItem.count() == 0


def test_without_the_aws_fixture_no_request_leaves_the_process():
    with pytest.raises(RuntimeError, match="without the `aws` fixture"):
        boto3.client("s3", region_name="us-east-1").list_buckets()
    with pytest.raises(RuntimeError, match="without the `aws` fixture"):
        MediaItem.count()
