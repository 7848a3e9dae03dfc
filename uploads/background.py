"""The full-content pass (SHA-256, duplicate notice), started off the request path.

Verification in the request reads a bounded number of bytes and makes the item ready;
this pass reads every byte, which takes about a second per 90 MiB, so it must not hold a
request (API Gateway gives up at 29 s). Where it runs is MEDIAHUB_CHECKSUM_RUNNER:

- "lambda": an asynchronous invocation (InvocationType=Event) of this same function, which
  Zappa's handler routes to uploads.events.checksum. Lambda retries a failed run twice.
- "thread": a thread of this process (runserver, management commands), which retries.
- "inline": straight away in the caller's thread (the unit tests).

Starting the pass never fails the caller: if it cannot be started, or every try fails, the
item stays ready with its checksum pending and reconcile runs the pass later.
"""

from __future__ import annotations

import json
import logging
import threading
import time

from django.conf import settings

from mediahub import aws
from uploads.models import MediaItem

logger = logging.getLogger(__name__)

# Seconds to wait before each try of the thread runner: at once, then twice more.
THREAD_RETRY_DELAYS = (0.0, 2.0, 10.0)
CHECKSUM_COMMAND = "uploads.events.checksum"


def checksum_later(media_id: str) -> MediaItem | None:
    """Start the full-content pass for a ready item, where the settings say; never raises.
    Returns the item with its checksum when the pass ran right here (the inline runner)."""
    runner = settings.MEDIAHUB_CHECKSUM_RUNNER
    try:
        if runner == "lambda":
            _invoke_self(media_id)
        elif runner == "thread":
            threading.Thread(target=_with_retries, args=(media_id,), name=f"checksum-{media_id}").start()
        else:
            return _with_retries(media_id, delays=(0.0,))
    except Exception:
        logger.exception("Could not start the checksum of media %s; reconcile will run it", media_id)
    return None


def _invoke_self(media_id: str) -> None:
    payload = json.dumps({"command": CHECKSUM_COMMAND, "media_id": media_id})
    aws.client("lambda").invoke(
        FunctionName=settings.LAMBDA_FUNCTION_NAME, InvocationType="Event", Payload=payload.encode()
    )


def _with_retries(media_id: str, delays: tuple[float, ...] = THREAD_RETRY_DELAYS) -> MediaItem | None:
    from uploads import services  # services starts this module's work: imported late

    for attempt, delay in enumerate(delays, start=1):
        time.sleep(delay)
        try:
            return services.media_checksum(media_id=media_id)
        except Exception:
            logger.exception("Checksum of media %s failed (try %d of %d)", media_id, attempt, len(delays))
    return None
