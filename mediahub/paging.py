"""Pages merged from several DynamoDB partitions, in order, with an exact cursor.

A listing may read one partition (a member's media, one search term's postings) or many
(the admin feed's shards). Each partition is a `Lane`, read in its own key order a few
items at a time; `Merge` hands out the lanes' items newest (or oldest) first across all
of them, and can say, for any number of items handed out, where each lane stands: the
key of the last item of that lane handed out, where DynamoDB stopped reading it if
everything read was handed out or filtered away, or that it is done. That list is the
next page's cursor, so a page neither repeats nor skips an item of any lane.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core import signing
from pynamodb.expressions.condition import Condition

# A DynamoDB key in its attribute-value form ({"id": {"S": "…"}}), as Query takes and gives it.
Key = dict[str, Any]
Raw = dict[str, Any]
# Where a lane resumes: after a key, from its start (None), or nowhere, it is read to the end.
Position = Key | None | Literal["done"]
DONE: Literal["done"] = "done"
# The most items one read asks for once a filter has dropped everything a smaller read found.
MAX_CHUNK = 1000


@dataclass(frozen=True)
class Lane:
    """One partition read in order: `read(start, limit)` makes one Query and returns the
    raw items, DynamoDB's LastEvaluatedKey and its ScannedCount; `key_of` gives an item's
    key to resume after, `order_of` what sorts it among every lane's items."""

    name: str
    read: Callable[[Key | None, int], tuple[list[Raw], Key | None, int]]
    key_of: Callable[[Raw], Key]
    order_of: Callable[[Raw], str]


@dataclass
class _State:
    lane: Lane
    start: Position
    next_read: Position
    limit: int
    buffer: deque[Raw] = field(default_factory=deque)

    @property
    def done_reading(self) -> bool:
        return self.next_read == DONE


class BudgetSpent(Exception):
    """The merge has read as many items as it may for one page."""


class Merge:
    """The items of several lanes in one order; see the module's docstring."""

    def __init__(
        self, lanes: Sequence[Lane], positions: Sequence[Position], *, newest_first: bool, chunk: int, budget: int = 0
    ) -> None:
        self._states = [_State(lane, start, start, chunk) for lane, start in zip(lanes, positions, strict=True)]
        self._newest_first = newest_first
        self._budget = budget  # 0: read until the lanes end
        self.log: list[tuple[int, Raw]] = []
        self.read = 0

    def take(self) -> Raw | None:
        """The next item in order, or None once every lane is done. BudgetSpent if a lane
        needs reading and the page's read budget is spent."""
        for state in self._states:
            self._fill(state)
        heads = [n for n, state in enumerate(self._states) if state.buffer]
        if not heads:
            return None
        pick = max if self._newest_first else min
        chosen = pick(heads, key=lambda n: self._states[n].lane.order_of(self._states[n].buffer[0]))
        raw = self._states[chosen].buffer.popleft()
        self.log.append((chosen, raw))
        return raw

    def _fill(self, state: _State) -> None:
        while not state.buffer and not state.done_reading:
            if self._budget and self.read >= self._budget:
                raise BudgetSpent
            start = state.next_read if isinstance(state.next_read, dict) else None
            limit = min(state.limit, self._budget - self.read) if self._budget else state.limit
            items, last_key, scanned = state.lane.read(start, limit)
            self.read += scanned
            state.buffer.extend(items)
            state.next_read = last_key if last_key is not None else DONE
            if not items:
                # A filter dropped all of it: read more at once next time.
                state.limit = min(state.limit * 2, MAX_CHUNK)

    def positions(self, taken: int) -> list[Position]:
        """Where each lane stands once the first `taken` items handed out are used."""
        result: list[Position] = []
        for n, state in enumerate(self._states):
            used = [raw for lane, raw in self.log[:taken] if lane == n]
            unused = bool(state.buffer) or any(lane == n for lane, _ in self.log[taken:])
            if not unused:
                result.append(state.next_read)
            elif used:
                result.append(state.lane.key_of(used[-1]))
            else:
                result.append(state.start)
        return result


@dataclass(frozen=True)
class Collected[T]:
    """A page's items, and where the next page starts (None: there is no next page)."""

    items: list[T]
    positions: list[Position] | None
    stopped_early: bool


def collect[T](merge: Merge, *, page_size: int, resolve: Callable[[list[Raw]], list[T | None]]) -> Collected[T]:
    """Take items from `merge` until the page is full and one more shows that another page
    follows. `resolve` turns a batch of raw items into what the page shows, None for one to
    skip (a search hit whose record no longer matches); batches are as large as what is
    still missing, so a page with nothing to skip resolves page_size + 1 items."""
    kept: list[tuple[int, T]] = []
    stopped_early = False
    while len(kept) <= page_size:
        batch: list[tuple[int, Raw]] = []
        try:
            while len(kept) + len(batch) <= page_size and (raw := merge.take()) is not None:
                batch.append((len(merge.log), raw))
        except BudgetSpent:
            stopped_early = True
        resolved = resolve([raw for _, raw in batch]) if batch else []
        kept.extend((taken, value) for (taken, _), value in zip(batch, resolved, strict=True) if value is not None)
        if stopped_early or not batch:
            break
    if len(kept) > page_size:
        return Collected([value for _, value in kept[:page_size]], merge.positions(kept[page_size - 1][0]), False)
    if stopped_early:
        positions = merge.positions(len(merge.log))
        return Collected([value for _, value in kept], positions, any(p != DONE for p in positions))
    return Collected([value for _, value in kept], None, False)


def first_page(result: Any) -> tuple[list[Raw], Key | None, int]:
    """One DynamoDB call of a PynamoDB query: its items, LastEvaluatedKey and ScannedCount."""
    raw_page = next(iter(result.page_iter))
    return raw_page["Items"], raw_page.get("LastEvaluatedKey"), raw_page["ScannedCount"]


def all_of(conditions: list[Condition]) -> Condition | None:
    """The conditions joined with AND; None for none at all."""
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def sign_cursor(positions: list[Position], *, salt: str) -> str:
    return signing.dumps(positions, salt=salt, compress=True)


def read_cursor(cursor: str, *, salt: str, lanes: int) -> list[Position] | None:
    """The positions a cursor signed with `salt` holds, or None if it is not one."""
    try:
        positions = signing.loads(cursor, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(positions, list) or len(positions) != lanes:
        return None
    if not all(position is None or position == DONE or isinstance(position, dict) for position in positions):
        return None
    return positions


def salt_for(kind: str, asked: dict[str, Any]) -> str:
    """A cursor works only in the listing it came from: every part of `asked` is bound in."""
    return f"{kind}:" + json.dumps(asked, sort_keys=True, default=str)
