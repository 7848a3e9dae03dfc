"""The one place that turns settings into AWS connections.

boto3 clients and PynamoDB table metadata both come from here, so region,
endpoint (MiniStack locally) and retry policy never drift apart. Nothing is
created at import time: Lambda cold starts and moto's test fixtures both rely
on that.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from pynamodb.models import Model

# The AWS services the portal calls at run time (S3 through boto3 and django-storages,
# DynamoDB through PynamoDB). The Lambda package ships botocore's models of these only
# (scripts/lean_package.py), and the role's policy (mediahub/iam.py) grants no others.
SERVICES = ("s3", "dynamodb")


def client_config(*, path_style: bool) -> Config:
    """Retry, signing and addressing policy shared by every boto3 client.

    Path-style addressing is for a local endpoint such as MiniStack, where
    bucket names are not host names.
    """
    return Config(
        retries={"max_attempts": 5, "mode": "standard"},
        signature_version="s3v4",
        s3={"addressing_style": "path" if path_style else "virtual"},
    )


def client(service: str) -> Any:
    """A boto3 client for `service` with the project's region, endpoint and retries."""
    from django.conf import settings

    if service not in SERVICES:
        raise ValueError(f"{service!r} is not in mediahub.aws.SERVICES, so the Lambda package lacks its model.")

    return _cached_client(service, settings.AWS_REGION, settings.AWS_ENDPOINT_URL)


@lru_cache(maxsize=16)
def _cached_client(service: str, region: str, endpoint_url: str | None) -> Any:
    # Clients are thread-safe and costly to build; one per service and endpoint.
    return boto3.session.Session().client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        config=client_config(path_style=bool(endpoint_url)),
    )


def table_meta(name: str) -> type:
    """A PynamoDB `Meta` class for the table `<prefix>-<name>`."""
    from django.conf import settings

    class Meta:
        table_name = f"{settings.MEDIAHUB_TABLE_PREFIX}-{name}"
        table_suffix = name
        region = settings.AWS_REGION
        host = settings.AWS_ENDPOINT_URL
        billing_mode = "PAY_PER_REQUEST"
        max_retry_attempts = 5

    return Meta


def condition_failed(exc: Exception) -> bool:
    """Whether a PynamoDB write failed only because its condition did not hold."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def table_models() -> list[type[Model]]:
    """Every PynamoDB model the installed apps list in their `models.TABLES`."""
    from django.apps import apps

    return [model for config in apps.get_app_configs() for model in getattr(config.models_module, "TABLES", ())]


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
    dynamodb = client("dynamodb")
    table = dynamodb.describe_table(TableName=model.Meta.table_name)["Table"]
    present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    schema = model._get_schema()  # PynamoDB's own description of the table, as create_table uses it
    for index in schema["global_secondary_indexes"]:
        if index["index_name"] in present:
            continue
        dynamodb.update_table(
            TableName=model.Meta.table_name,
            AttributeDefinitions=index["attribute_definitions"],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index["index_name"],
                        "KeySchema": index["key_schema"],
                        "Projection": index["projection"],
                    }
                }
            ],
        )


def _ttl_ensure(table_name: str, attribute: str) -> None:
    # AWS refuses to enable TTL twice, so look before switching it on.
    dynamodb = client("dynamodb")
    described = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if described.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
        )
