"""`manage.py reconcile [--fix]`: find, and repair, where the bucket and the media table disagree."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uploads.reconcile import Finding, media_reconcile


class Command(BaseCommand):
    help = (
        "Report objects without records, ready records without files, expired pending uploads, "
        "orphan thumbnails and stale multipart uploads; --fix repairs them. Exit status 0 when nothing "
        "was found or everything found was fixed, 1 while findings remain (for monitoring)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Repair what is found (safe while uploads run).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = media_reconcile(fix=options["fix"], on_finding=self._print)
        self.stdout.write(report.summary())
        remaining = len(report.remaining)
        if remaining:
            hint = "" if options["fix"] else "; run with --fix to repair"
            raise CommandError(f"{remaining} finding{'s' if remaining != 1 else ''} remain{hint}.", returncode=1)

    def _print(self, finding: Finding) -> None:
        self.stdout.write(finding.line())
