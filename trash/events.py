"""Lambda entry point of the scheduled purge (zappa_settings.json `events`, rate(1 day))."""

from __future__ import annotations

import logging
from typing import Any

from trash.services import trash_purge_due

logger = logging.getLogger(__name__)


def purge(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Delete forever what has been in the trash MEDIAHUB_TRASH_DAYS (manage.py purge_trash).
    A run cut short does no harm: the next one finishes what it started."""
    report = trash_purge_due()
    logger.info("Purge: %d deleted forever, %d failed (the next run tries again)", report.purged, report.failed)
    return {"purged": report.purged, "failed": report.failed}
