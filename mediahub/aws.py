"""The one place that turns settings into AWS connections.

boto3 clients and PynamoDB table metadata both come from here, so region,
endpoint (MiniStack locally) and retry policy never drift apart. Nothing is
created at import time: Lambda cold starts and moto's test fixtures both rely
on that.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from pynamodb.models import MetaProtocol, Model


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


def s3() -> S3Client:
    """The S3 client, with the project's region, endpoint and retries."""
    return cast("S3Client", _client("s3"))


def dynamodb() -> DynamoDBClient:
    """The DynamoDB client (provisioning; models talk to DynamoDB through PynamoDB)."""
    return cast("DynamoDBClient", _client("dynamodb"))


def _client(service: str) -> Any:
    from django.conf import settings

    return _cached_client(service, settings.AWS_REGION, settings.AWS_ENDPOINT_URL)


@lru_cache(maxsize=16)
def _cached_client(service: str, region: str, endpoint_url: str | None) -> Any:
    # Clients are thread-safe and costly to build; one per service and endpoint.
    return boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint_url,
        config=client_config(path_style=bool(endpoint_url)),
    )


def s3_browser_origins() -> tuple[str, ...]:
    """Where browsers reach the media bucket through the URLs the S3 client signs (files,
    thumbnails, upload POSTs and parts): a local endpoint's own origin (path-style), else
    the bucket's virtual host. boto3 signs us-east-1 on the global host and other regions
    on their regional one; both us-east-1 forms are listed, in case boto3 moves."""
    from django.conf import settings

    if settings.AWS_ENDPOINT_URL:
        endpoint = urlsplit(settings.AWS_ENDPOINT_URL)
        return (f"{endpoint.scheme}://{endpoint.netloc}",)
    bucket, region = settings.MEDIAHUB_BUCKET, settings.AWS_REGION
    regional = f"https://{bucket}.s3.{region}.amazonaws.com"
    return (f"https://{bucket}.s3.amazonaws.com", regional) if region == "us-east-1" else (regional,)


def table_meta(name: str) -> MetaProtocol:
    """A PynamoDB `Meta` class for the table `<prefix>-<name>`."""
    from django.conf import settings

    class Meta:
        table_name = f"{settings.MEDIAHUB_TABLE_PREFIX}-{name}"
        region = settings.AWS_REGION
        host = settings.AWS_ENDPOINT_URL
        billing_mode = "PAY_PER_REQUEST"
        max_retry_attempts = 5

    # PynamoDB's protocol lists every option; a Meta class sets only those it changes.
    return cast("MetaProtocol", Meta)


def table_suffix(model: type[Model]) -> str:
    """The table's name without the deployment's prefix: the same in every stage."""
    from django.conf import settings

    return model.Meta.table_name.removeprefix(f"{settings.MEDIAHUB_TABLE_PREFIX}-")


def condition_failed(exc: Exception) -> bool:
    """Whether a PynamoDB write failed only because its condition did not hold."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def table_models() -> list[type[Model]]:
    """Every PynamoDB model the installed apps list in their `models.TABLES`."""
    from django.apps import apps

    return [model for config in apps.get_app_configs() for model in getattr(config.models_module, "TABLES", ())]
