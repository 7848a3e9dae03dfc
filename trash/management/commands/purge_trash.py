"""manage.py purge_trash: delete forever what has been in the trash long enough."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from trash.services import trash_purge_due


class Command(BaseCommand):
    help = "Delete forever every trashed item past MEDIAHUB_TRASH_DAYS: file, renditions, record. Safe to rerun."

    def handle(self, *args: Any, **options: Any) -> None:
        report = trash_purge_due()
        self.stdout.write(f"Deleted {report.purged} item(s) forever; {report.failed} failed.")
        if report.failed:
            raise CommandError(f"{report.failed} item(s) could not be purged; run purge_trash again.")
