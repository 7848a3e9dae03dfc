"""`manage.py setup_aws` provisions a private, encrypted bucket and the tables, and can run again."""

from __future__ import annotations

import io

import boto3
import pytest
from django.core.management import call_command

from accounts.selectors import user_get

pytestmark = pytest.mark.usefixtures("aws")


def test_bucket_is_private_encrypted_and_open_to_portal_origins_only(s3, settings):
    bucket = settings.MEDIAHUB_BUCKET

    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    [cors] = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]

    assert all(block.values()) and len(block) == 4
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert cors["AllowedOrigins"] == ["http://127.0.0.1:8000", "http://localhost:8000"]
    assert set(cors["AllowedMethods"]) == {"GET", "HEAD", "POST", "PUT"}
    assert cors["ExposeHeaders"] == ["ETag", "Location"]
    assert ownership["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_tables_have_their_indexes_and_ttl():
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")

    media = dynamodb.describe_table(TableName="mediahub-local-media")["Table"]
    sessions = dynamodb.describe_table(TableName="mediahub-local-sessions")["Table"]

    indexes = {index["IndexName"] for index in media["GlobalSecondaryIndexes"]}
    assert indexes == {"by-owner", "by-time", "by-checksum", "by-owner-taken", "by-time-taken"}
    assert media["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {index["IndexName"] for index in sessions["GlobalSecondaryIndexes"]} == {"by-username"}
    shares = dynamodb.describe_table(TableName="mediahub-local-shares")["Table"]
    assert {index["IndexName"] for index in shares["GlobalSecondaryIndexes"]} == {"by-media", "by-time"}
    tokens = dynamodb.describe_table(TableName="mediahub-local-tokens")["Table"]
    assert {index["IndexName"] for index in tokens["GlobalSecondaryIndexes"]} == {"by-username"}
    for table in ("media", "search", "sessions", "throttle", "shares", "tokens"):
        ttl = dynamodb.describe_time_to_live(TableName=f"mediahub-local-{table}")["TimeToLiveDescription"]
        assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    albums = dynamodb.describe_table(TableName="mediahub-local-albums")["Table"]
    assert {index["IndexName"] for index in albums["GlobalSecondaryIndexes"]} == {"by-owner", "by-time"}
    memberships = dynamodb.describe_table(TableName="mediahub-local-album-items")["Table"]
    assert {index["IndexName"] for index in memberships["GlobalSecondaryIndexes"]} == {"by-media"}
    tables = set(dynamodb.list_tables()["TableNames"])
    names = (
        "media",
        "search",
        "users",
        "sessions",
        "throttle",
        "shares",
        "tokens",
        "albums",
        "album-items",
        "tags",
        "trash",
        "activity",
    )
    assert tables == {f"mediahub-local-{name}" for name in names}
    trash = dynamodb.describe_table(TableName="mediahub-local-trash")["Table"]
    assert [key["AttributeName"] for key in trash["KeySchema"]] == ["owner", "media_id"]
    assert {index["IndexName"] for index in trash["LocalSecondaryIndexes"]} == {"by-trashed"}
    assert {index["IndexName"] for index in trash["GlobalSecondaryIndexes"]} == {"by-purge"}
    activity = dynamodb.describe_table(TableName="mediahub-local-activity")["Table"]
    assert [key["AttributeName"] for key in activity["KeySchema"]] == ["media_id", "entry"]
    assert {index["IndexName"] for index in activity["GlobalSecondaryIndexes"]} == {"by-time", "by-actor"}


def test_running_setup_again_keeps_existing_data(s3, settings, member):
    s3.put_object(Bucket=settings.MEDIAHUB_BUCKET, Key="media/x/kept.txt", Body=b"kept")
    out = io.StringIO()

    call_command("setup_aws", stdout=out)

    assert "Table mediahub-local-users: exists" in out.getvalue()
    assert s3.get_object(Bucket=settings.MEDIAHUB_BUCKET, Key="media/x/kept.txt")["Body"].read() == b"kept"
    assert user_get(member.username).email == "alice@example.com"
