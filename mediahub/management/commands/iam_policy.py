"""Write the Lambda role policy for a Zappa stage, from zappa_settings.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mediahub.iam import lambda_policy


def stage_policy(stage: str) -> tuple[Path, dict[str, Any]]:
    """The policy file a Zappa stage attaches, and what it must contain."""
    stages = json.loads((settings.BASE_DIR / "zappa_settings.json").read_text())
    if stage not in stages:
        raise CommandError(f"No stage {stage!r} in zappa_settings.json.")
    config = dict(stages[stage])
    while "extends" in config:
        parent = dict(stages[config.pop("extends")])
        parent_env = parent.get("environment_variables", {})
        parent.update(config)
        parent["environment_variables"] = {**parent_env, **config.get("environment_variables", {})}
        config = parent
    env = config["environment_variables"]
    policy = lambda_policy(
        function_name=f"{config['project_name']}-{stage}",
        region=config["aws_region"],
        bucket=env["MEDIAHUB_BUCKET"],
        table_prefix=env["MEDIAHUB_TABLE_PREFIX"],
        secrets_url=config.get("remote_env"),
    )
    return settings.BASE_DIR / config["attach_policy"], policy


class Command(BaseCommand):
    help = "Write (or with --check, verify) the IAM policy file a Zappa stage attaches to its Lambda role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("stages", nargs="+")
        parser.add_argument("--check", action="store_true", help="Fail if a policy file differs.")

    def handle(self, *args: Any, **options: Any) -> None:
        for stage in options["stages"]:
            path, policy = stage_policy(stage)
            text = json.dumps(policy, indent=4) + "\n"
            if options["check"]:
                if not path.exists() or path.read_text() != text:
                    raise CommandError(f"{path.name} is out of date: run `manage.py iam_policy {stage}`.")
                self.stdout.write(f"{path.name} matches the code.")
            else:
                path.write_text(text)
                self.stdout.write(f"Wrote {path.name}.")
