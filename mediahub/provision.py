"""The one place that creates AWS resources: the media bucket and the DynamoDB tables.

`manage.py setup_aws` calls it; it is safe to run again, and it brings an older
bucket or table up to what the code now expects (protections, indexes, TTL).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from botocore.exceptions import ClientError
from django.conf import settings

from mediahub import aws

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import GlobalSecondaryIndexUpdateTypeDef
    from mypy_boto3_s3.type_defs import CORSRuleTypeDef, CreateBucketRequestTypeDef
    from pynamodb.models import Model


def bucket_ensure() -> None:
    """Create the media bucket if missing and (re)apply its protections: private,
    encrypted, and open to browser uploads from the portal's origins only."""
    s3 = aws.s3()
    bucket = settings.MEDIAHUB_BUCKET
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
            raise
        create_args: CreateBucketRequestTypeDef = {"Bucket": bucket}
        if settings.AWS_REGION != "us-east-1":
            create_args["CreateBucketConfiguration"] = {"LocationConstraint": settings.AWS_REGION}  # type: ignore[typeddict-item]
        s3.create_bucket(**create_args)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [_cors_rule()]})
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    # Parts of uploads nobody completed or aborted cost storage and are invisible.
                    "ID": "abort-incomplete-multipart-uploads",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )


def _cors_rule() -> CORSRuleTypeDef:
    # What a browser needs to POST or PUT bytes straight to the bucket and read
    # the ETag of each multipart part; nothing else, from the portal only.
    return {
        "AllowedOrigins": list(settings.MEDIAHUB_CORS_ORIGINS),
        "AllowedMethods": ["GET", "HEAD", "POST", "PUT"],
        "AllowedHeaders": ["Content-Type", "Content-MD5", "x-amz-*"],
        "ExposeHeaders": ["ETag", "Location"],
        "MaxAgeSeconds": 3600,
    }


def tables_ensure(models: Iterable[type[Model]]) -> list[str]:
    """Create each model's table (with its indexes and TTL) unless it exists, and
    make sure an existing table's TTL is on. Returns the names of the tables created."""
    from pynamodb.attributes import TTLAttribute

    created = []
    for model in models:
        if not model.exists():
            model.create_table(wait=True)
            created.append(model.Meta.table_name)
            continue
        _indexes_ensure(model)
        ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
        if ttl:
            _ttl_ensure(model.Meta.table_name, ttl[0])
    return created


def _indexes_ensure(model: type[Model]) -> None:
    """Add the global secondary indexes a newer model declares to an older table."""
    dynamodb = aws.dynamodb()
    table = dynamodb.describe_table(TableName=model.Meta.table_name)["Table"]
    present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    schema = model._get_schema()  # PynamoDB's own description of the table, as create_table uses it
    for index in schema["global_secondary_indexes"]:
        if index["index_name"] in present:
            continue
        # PynamoDB's schema uses DynamoDB's own key names, so its parts go over as they are.
        create = {"IndexName": index["index_name"], "KeySchema": index["key_schema"], "Projection": index["projection"]}
        dynamodb.update_table(
            TableName=model.Meta.table_name,
            AttributeDefinitions=index["attribute_definitions"],  # type: ignore[arg-type]
            GlobalSecondaryIndexUpdates=[cast("GlobalSecondaryIndexUpdateTypeDef", {"Create": create})],
        )


def _ttl_ensure(table_name: str, attribute: str) -> None:
    # AWS refuses to enable TTL twice, so look before switching it on.
    dynamodb = aws.dynamodb()
    described = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if described.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
        )
