"""The Lambda role's policy files match what the code needs, stage by stage."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils.module_loading import import_string

from mediahub import aws
from mediahub.management.commands.iam_policy import stage_policy


def test_committed_policies_match_the_code():
    out = io.StringIO()

    call_command("iam_policy", "dev", "production", "--check", stdout=out)

    assert "iam-policy-dev.json matches the code." in out.getvalue()
    assert "iam-policy-production.json matches the code." in out.getvalue()


def test_policy_grants_only_the_stage_bucket_and_tables_and_no_wildcard_actions():
    _path, policy = stage_policy("production")

    resources = json.dumps([statement["Resource"] for statement in policy["Statement"]])
    actions = [action for statement in policy["Statement"] for action in statement["Action"]]
    assert "arn:aws:s3:::mediahub-production-media/*" in resources
    assert "table/mediahub-production-media/index/*" in resources
    assert "mediahub-dev" not in resources
    assert not any(action.endswith(":*") for action in actions)
    assert "s3:DeleteBucket" not in actions and "dynamodb:DeleteTable" not in actions


def test_policy_grants_actions_on_exactly_the_services_whose_models_ship():
    _path, policy = stage_policy("dev")

    services = {action.split(":")[0] for statement in policy["Statement"] for action in statement["Action"]}
    # Lambda itself writes the logs; the code calls only the services in aws.SERVICES.
    assert services - {"logs"} == set(aws.SERVICES)


def test_a_client_for_a_service_outside_the_package_is_refused():
    with pytest.raises(ValueError, match="not in mediahub.aws.SERVICES"):
        aws.client("sqs")


def test_a_stale_policy_file_is_reported(tmp_path, settings):
    (tmp_path / "zappa_settings.json").write_text(
        json.dumps(
            {
                "dev": {
                    "project_name": "mediahub",
                    "aws_region": "us-east-1",
                    "attach_policy": "policy.json",
                    "environment_variables": {"MEDIAHUB_BUCKET": "b-media", "MEDIAHUB_TABLE_PREFIX": "b"},
                }
            }
        )
    )
    (tmp_path / "policy.json").write_text("{}\n")
    settings.BASE_DIR = tmp_path

    with pytest.raises(CommandError, match="policy.json is out of date"):
        call_command("iam_policy", "dev", "--check")


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_s3_event_wiring_points_at_the_stage_bucket(stage, settings):
    stages = json.loads((settings.BASE_DIR / "zappa_settings.json").read_text())
    config = stages[stage]
    bucket = config["environment_variables"]["MEDIAHUB_BUCKET"]

    [event] = [event for event in config["events"] if "event_source" in event]

    assert event["function"] == "uploads.events.object_created"
    assert event["event_source"]["arn"] == f"arn:aws:s3:::{bucket}"
    # Zappa 0.63 reads `prefix`; it ignores the older `key_filters`, and then every object
    # (thumbnails too) would invoke the function.
    assert event["event_source"]["prefix"] == "media/"


@pytest.mark.parametrize("stage", ["dev", "production"])
def test_reconcile_and_the_trash_purge_are_scheduled_daily_in_every_stage(stage, settings):
    stages = json.loads((settings.BASE_DIR / "zappa_settings.json").read_text())

    scheduled = [event for event in stages[stage]["events"] if "expression" in event]

    assert [(event["function"], event["expression"]) for event in scheduled] == [
        ("uploads.events.reconcile", "rate(1 day)"),
        ("trash.events.purge", "rate(1 day)"),
    ]
    for event in scheduled:
        # Zappa's handler takes a scheduled function's path from its rule name, after the last "-".
        assert "-" not in event["function"]
        assert callable(import_string(event["function"]))


def test_reconcile_may_list_unfinished_multipart_uploads_of_the_stage_bucket_only():
    _path, policy = stage_policy("production")

    [bucket] = [statement for statement in policy["Statement"] if statement["Sid"] == "MediaBucket"]

    assert bucket["Action"] == ["s3:ListBucket", "s3:ListBucketMultipartUploads"]
    assert bucket["Resource"] == "arn:aws:s3:::mediahub-production-media"
