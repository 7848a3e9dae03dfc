"""Create or update the bucket and tables the portal needs. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from mediahub.aws import table_models
from mediahub.provision import bucket_ensure, tables_ensure


class Command(BaseCommand):
    help = "Create the S3 bucket and DynamoDB tables if missing, and apply their settings."

    def handle(self, *args: Any, **options: Any) -> None:
        bucket_ensure()
        self.stdout.write(
            f"Bucket {settings.MEDIAHUB_BUCKET}: private, encrypted, CORS for {settings.MEDIAHUB_CORS_ORIGINS}"
        )
        models = table_models()
        created = set(tables_ensure(models))
        for model in models:
            name = model.Meta.table_name
            self.stdout.write(f"Table {name}: {'created' if name in created else 'exists'}")
