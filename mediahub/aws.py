"""The one place that turns settings into AWS connections.

boto3 clients and PynamoDB table metadata both come from here, so region,
endpoint (MiniStack locally) and retry policy never drift apart. Nothing is
created at import time: Lambda cold starts and moto's test fixtures both rely
on that.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from pynamodb.connection import Connection
    from pynamodb.models import MetaProtocol, Model

# The AWS services the portal calls at run time (S3 through boto3 in uploads/storage.py,
# DynamoDB through PynamoDB, Lambda to start the checksum pass in uploads/background.py).
# The Lambda package ships botocore's models of these only (scripts/lean_package.py), and
# the role's policy (mediahub/iam.py) grants no others.
SERVICES = ("s3", "dynamodb", "lambda")


@dataclass(frozen=True)
class Patience:
    """How long a client waits for AWS before it gives up: per connection, per read of the
    answer, and over how many attempts in all. Settings fill it (MEDIAHUB_AWS_*)."""

    connect_seconds: float
    read_seconds: float
    attempts: int


def patience(*, read_seconds: float | None = None) -> Patience:
    """The project's patience: short, so that a page fails with a clear 503 within a few
    seconds when storage stalls, well inside API Gateway's 29 s (DESIGN: fail fast)."""
    from django.conf import settings

    return Patience(
        connect_seconds=settings.MEDIAHUB_AWS_CONNECT_TIMEOUT,
        read_seconds=read_seconds or settings.MEDIAHUB_AWS_READ_TIMEOUT,
        attempts=settings.MEDIAHUB_AWS_MAX_ATTEMPTS,
    )


def s3(*, read_seconds: float | None = None) -> S3Client:
    """The S3 client, with the project's region, endpoint, timeouts and retries. Calls that
    make S3 work for long before it answers (assembling a multipart upload) ask for a longer
    `read_seconds`."""
    return cast("S3Client", client("s3", read_seconds=read_seconds))


def dynamodb() -> DynamoDBClient:
    """The DynamoDB client (provisioning; models talk to DynamoDB through PynamoDB)."""
    return cast("DynamoDBClient", client("dynamodb"))


def client(service: str, *, read_seconds: float | None = None) -> Any:
    """A boto3 client for one of SERVICES, with the project's region, endpoint and patience;
    s3() and dynamodb() above are the typed way in."""
    from django.conf import settings

    waits = patience(read_seconds=read_seconds)
    if service not in SERVICES:
        raise ValueError(f"{service!r} is not in mediahub.aws.SERVICES, so the Lambda package lacks its model.")
    return _cached_client(service, settings.AWS_REGION, settings.AWS_ENDPOINT_URL, waits)


@lru_cache(maxsize=16)
def _cached_client(service: str, region: str, endpoint_url: str | None, waits: Patience) -> Any:
    # Clients are thread-safe and costly to build; one per service, endpoint and patience.
    # Path-style addressing is for a local endpoint such as MiniStack, where bucket names
    # are not host names.
    config = Config(
        connect_timeout=waits.connect_seconds,
        read_timeout=waits.read_seconds,
        retries={"total_max_attempts": waits.attempts, "mode": "standard"},
        signature_version="s3v4",
        s3={"addressing_style": "path" if endpoint_url else "virtual"},
    )
    return boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint_url,
        config=config,
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

    waits = patience()

    class Meta:
        table_name = f"{settings.MEDIAHUB_TABLE_PREFIX}-{name}"
        region = settings.AWS_REGION
        host = settings.AWS_ENDPOINT_URL
        billing_mode = "PAY_PER_REQUEST"
        connect_timeout_seconds = waits.connect_seconds
        read_timeout_seconds = waits.read_seconds
        # PynamoDB counts retries after the first attempt.
        max_retry_attempts = waits.attempts - 1

    # PynamoDB's protocol lists every option; a Meta class sets only those it changes.
    return cast("MetaProtocol", Meta)


def table_suffix(model: type[Model]) -> str:
    """The table's name without the deployment's prefix: the same in every stage."""
    from django.conf import settings

    return model.Meta.table_name.removeprefix(f"{settings.MEDIAHUB_TABLE_PREFIX}-")


def pynamodb_connection(model: type[Model]) -> Connection:
    """The PynamoDB connection `model` talks through (region, endpoint, patience), for a
    transaction across tables (pynamodb.transactions.TransactWrite)."""
    return model._get_connection().connection


def transaction_cancelled(exc: Exception) -> bool:
    """Whether a DynamoDB transaction failed because one of its conditions did not hold
    (or a concurrent transaction touched the same item), not for want of storage."""
    return getattr(exc, "cause_response_code", None) == "TransactionCanceledException"


def transaction_failures(exc: Exception) -> list[bool]:
    """For a cancelled transaction, whether each of its items' conditions failed, in the
    order DynamoDB received them (condition checks, deletes, puts, updates)."""
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return [reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons]


def condition_failed(exc: Exception) -> bool:
    """Whether a PynamoDB write failed only because its condition did not hold."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def table_models() -> list[type[Model]]:
    """Every PynamoDB model the installed apps list in their `models.TABLES`."""
    from django.apps import apps

    return [model for config in apps.get_app_configs() for model in getattr(config.models_module, "TABLES", ())]


# Network failures (no connection, no answer in time, a connection cut mid-answer) and AWS's
# own "try again later" answers: the store is unavailable, not the request wrong.
_UNAVAILABLE_CODES = frozenset(
    {
        "InternalError",
        "InternalServerError",
        "ServiceUnavailable",
        "SlowDown",
        "RequestTimeout",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
    }
)


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it, as PynamoDB and our services chain them) means
    S3 or DynamoDB did not answer, rather than that the request was wrong."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError, IncompleteReadError

    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ConnectionError | HTTPClientError | IncompleteReadError):
            return True
        if isinstance(seen, ClientError):
            error = seen.response.get("Error", {})
            status = seen.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            return error.get("Code") in _UNAVAILABLE_CODES or status >= 500
        seen = getattr(seen, "cause", None) or seen.__cause__
    return False
