"""The Lambda role's policy, derived from what the code touches.

Only the S3 and DynamoDB calls the portal makes at run time, on its own bucket
and tables (and their indexes), the asynchronous invocation of its own function, plus its
own log group and its secrets file. Provisioning
(`setup_aws`) runs with the operator's credentials, not the role's.
"""

from __future__ import annotations

from typing import Any

from mediahub.aws import table_models, table_suffix

# PutObject also covers creating, filling and completing multipart uploads.
S3_OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
]
# HeadObject on a missing key answers 403 instead of 404 without ListBucket, which also lets
# reconcile list the objects; it lists unfinished multipart uploads with the second.
S3_BUCKET_ACTIONS = ["s3:ListBucket", "s3:ListBucketMultipartUploads"]
DYNAMODB_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
]
# The function starts its own checksum pass with an asynchronous invocation of itself.
LAMBDA_ACTIONS = ["lambda:InvokeFunction"]
LOG_ACTIONS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def lambda_policy(
    *, function_name: str, region: str, bucket: str, table_prefix: str, secrets_url: str | None
) -> dict[str, Any]:
    """The role policy for one stage; `secrets_url` is its `remote_env` (s3://bucket/key)."""
    tables = [f"arn:aws:dynamodb:{region}:*:table/{table_prefix}-{table_suffix(m)}" for m in table_models()]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": LOG_ACTIONS,
            "Resource": f"arn:aws:logs:{region}:*:log-group:/aws/lambda/{function_name}:*",
        },
        {
            "Sid": "InvokeItself",
            "Effect": "Allow",
            "Action": LAMBDA_ACTIONS,
            "Resource": f"arn:aws:lambda:{region}:*:function:{function_name}",
        },
        {
            "Sid": "MediaBucket",
            "Effect": "Allow",
            "Action": S3_BUCKET_ACTIONS,
            "Resource": f"arn:aws:s3:::{bucket}",
        },
        {
            "Sid": "MediaObjects",
            "Effect": "Allow",
            "Action": S3_OBJECT_ACTIONS,
            "Resource": f"arn:aws:s3:::{bucket}/*",
        },
        {
            "Sid": "Tables",
            "Effect": "Allow",
            "Action": DYNAMODB_ACTIONS,
            "Resource": sorted(tables + [f"{arn}/index/*" for arn in tables]),
        },
    ]
    if secrets_url:
        # Zappa's handler reads the stage's secrets from this object at cold start.
        secrets_arn = "arn:aws:s3:::" + secrets_url.removeprefix("s3://")
        statements.append({"Sid": "Secrets", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": secrets_arn})
    return {"Version": "2012-10-17", "Statement": statements}
