"""Rebuild the search index from the media table, batch by batch; resumable, safe to repeat."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mediahub.exceptions import MediaHubError
from search.services import search_reindex_step


class Command(BaseCommand):
    help = (
        "Write every media item's search postings (moving items still on the unsharded admin feed to "
        "their shard), then delete postings no item stands behind. Prints a cursor after each batch: "
        "--resume CURSOR carries on from there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resume", metavar="CURSOR", help="carry on after the batch that printed CURSOR")
        parser.add_argument("--batch", type=int, default=100, help="items read per batch (default 100)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        cursor: str | None = options["resume"]
        totals = {"read": 0, "written": 0, "moved": 0, "skipped": 0}
        while True:
            try:
                step = search_reindex_step(cursor=cursor, batch=options["batch"])
            except MediaHubError as exc:
                raise CommandError(str(exc)) from exc
            for name in totals:
                totals[name] += getattr(step, name)
            self.stdout.write(
                f"{step.phase}: read {step.read}, postings written or deleted {step.written}, "
                f"moved to a feed shard {step.moved}, changed meanwhile {step.skipped}; "
                f"resume with --resume {step.cursor or '(finished)'}"
            )
            if step.cursor is None:
                break
            cursor = step.cursor
        self.stdout.write(
            f"Done: {totals['read']} records and postings read, {totals['written']} postings written or deleted, "
            f"{totals['moved']} items moved to their feed shard, {totals['skipped']} changed meanwhile."
        )
