"""Lambda entry points for AWS events (wired in zappa_settings.json `events`).

The full-content pass of a ready upload arrives here too, as an asynchronous invocation
of this same function (uploads.background).

S3 announces every object that lands under media/. Processing it here too means an
upload whose browser vanished before calling finish still completes; processing is
idempotent, so the browser's finish and this event may both arrive, in either order,
and S3 may deliver the event twice.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote_plus

from uploads import services, storage
from uploads.exceptions import UploadIncomplete
from uploads.models import MediaItem, Status
from uploads.reconcile import Finding, Outcome, media_reconcile

logger = logging.getLogger(__name__)


def object_created(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Process each created object that belongs to a pending upload; an object created
    again under a ready item's key (its POST policy still valid) rejects that item unless
    it is the very object verified (S3 may deliver an event twice)."""
    processed = 0
    for record in event.get("Records", []):
        key = unquote_plus(record["s3"]["object"]["key"])
        item = _item_for(key)
        if item is None:
            continue
        try:
            if item.status == Status.PENDING:
                services.media_process(item=item)
            else:
                services.media_reject_if_replaced(item=item)
        except UploadIncomplete:
            logger.info("Object %s announced but not readable yet; the browser's finish will process it", key)
            continue
        processed += 1
    return {"processed": processed}


def _item_for(key: str) -> MediaItem | None:
    prefix, _, rest = key.partition("/")
    media_id = rest.split("/", 1)[0]
    if prefix != storage.MEDIA_PREFIX or not media_id:
        return None
    try:
        item = MediaItem.get(media_id, consistent_read=True)
    except MediaItem.DoesNotExist:
        # The form path writes the object before its record and processes it itself.
        logger.info("No record for %s (yet)", key)
        return None
    return item if item.s3_key == key else None


def checksum(event: dict[str, Any], context: Any) -> dict[str, int]:
    """The full-content pass of one ready item (uploads.background invokes the function
    asynchronously with {"command": "uploads.events.checksum", "media_id": …}). A storage
    error propagates, so Lambda retries the invocation, twice; running it again after a
    success does nothing."""
    item = services.media_checksum(media_id=str(event.get("media_id", "")))
    return {"checksummed": int(item is not None)}


def reconcile(event: dict[str, Any], context: Any) -> dict[str, int]:
    """The daily repair (zappa_settings.json `events`, rate(1 day)): `manage.py reconcile --fix`,
    each finding and a summary in the function's log. Returns the counts."""
    report = media_reconcile(fix=True, on_finding=_log_finding)
    logger.info("Reconcile: %s", report.summary())
    return report.totals()


def _log_finding(finding: Finding) -> None:
    level = logging.INFO if finding.outcome == Outcome.FIXED else logging.WARNING
    logger.log(level, "Reconcile: %s", finding.line())
