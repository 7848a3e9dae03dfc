"""One bulk action (delete, edit, add to an album) over the selected items: each item on
its own, so one failure stops nothing else, and a report of what happened to each."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mediahub import aws
from uploads.models import MediaItem

logger = logging.getLogger(__name__)

STORAGE_DOWN = "storage did not answer; try again"
CHANGED_MEANWHILE = "it changed meanwhile; look at it again"


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one item of a bulk action (delete, edit, add to an album)."""

    media_id: str
    name: str
    done: bool
    problem: str = ""


def media_each(items: Iterable[MediaItem], act: Callable[[MediaItem], str], *, verb: str) -> list[ItemOutcome]:
    """`act` on each item on its own, so one failure stops nothing else: it returns the
    item's problem ("" when done), or raises, which is logged and reported as the item
    not `verb` ("deleted", "changed"…). Once storage stops answering, the rest are not
    tried (each would wait as long)."""
    outcomes: list[ItemOutcome] = []
    for item in items:
        if outcomes and outcomes[-1].problem == STORAGE_DOWN:
            outcomes.append(ItemOutcome(item.id, item.name, False, STORAGE_DOWN))
            continue
        try:
            problem = act(item)
        except Exception as exc:
            logger.exception("Bulk action on %s failed", item.id)
            problem = STORAGE_DOWN if aws.unavailable(exc) else f"it could not be {verb}; try again"
        outcomes.append(ItemOutcome(item.id, item.name, not problem, problem))
    return outcomes
