"""Password throttling (sign-in, protected share links): every attempt is reserved in
DynamoDB before its password is checked.

One counter per username and one per client address hold the attempts of their current
window (`accounts.models.LoginFailures`). Reserving is a single conditional write, so
however many guesses arrive at once, at most MEDIAHUB_LOGIN_MAX_FAILURES of them per
window get as far as the (slow) password hasher; the rest are throttled first. A
successful sign-in gives its reservation back, so a good password never locks anyone out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from pynamodb.exceptions import PutError, UpdateError

from accounts.exceptions import LoginThrottled
from accounts.models import LoginFailures
from mediahub.aws import condition_failed
from mediahub.exceptions import Throttled


@dataclass(frozen=True)
class Budget:
    """How many attempts a key may make in a window of `seconds`."""

    attempts: int
    seconds: int

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.seconds)


def password_budget() -> Budget:
    """Wrong passwords: sign-in per username or address, a share link's per link or address."""
    return Budget(settings.MEDIAHUB_LOGIN_MAX_FAILURES, settings.MEDIAHUB_LOGIN_WINDOW_SECONDS)


@dataclass(frozen=True)
class Reservation:
    """Attempts (`count`) counted under `key`, in the window that began at `window_start`."""

    key: str
    window_start: datetime
    count: int = 1


def attempts_reserve(
    keys: Sequence[str],
    *,
    now: datetime,
    refusal: type[Throttled] = LoginThrottled,
    budget: Budget | None = None,
    count: int = 1,
) -> list[Reservation]:
    """Count `count` attempts under every key, or none: `refusal` if any key's window
    has no room for them (the reservations already made are given back). The budget is
    the password one unless another is given."""
    budget = budget or password_budget()
    reservations: list[Reservation] = []
    try:
        for key in keys:
            reservations.append(_reserve(key, now=now, refusal=refusal, budget=budget, count=count))
    except Throttled:
        for reservation in reservations:
            attempt_release(reservation)
        raise
    return reservations


def attempt_release(reservation: Reservation) -> None:
    """Give the attempts back to their window; nothing to do once a new window has begun."""
    try:
        LoginFailures(key=reservation.key).update(
            actions=[LoginFailures.failures.add(-reservation.count)],
            condition=(LoginFailures.window_start == reservation.window_start)
            & (LoginFailures.failures >= reservation.count),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def failures_reset(key: str) -> None:
    """Forget every attempt counted under `key` (its owner has just proved the password)."""
    LoginFailures(key=key).delete()


def _reserve(key: str, *, now: datetime, refusal: type[Throttled], budget: Budget, count: int = 1) -> Reservation:
    # Two rounds: a concurrent attempt may start the new window between our two writes,
    # and then counting into that window succeeds the second time.
    for _ in range(2):
        window_start = _count_in_running_window(key, now=now, budget=budget, count=count) or _start_window(
            key, now=now, budget=budget, count=count
        )
        if window_start is not None:
            return Reservation(key=key, window_start=window_start, count=count)
    raise refusal(retry_after=_retry_after(key, now=now, budget=budget))


def _count_in_running_window(key: str, *, now: datetime, budget: Budget, count: int) -> datetime | None:
    """Add the attempts to a window that still runs and has room; that window's start, or None."""
    record = LoginFailures(key=key)
    running = LoginFailures.window_start > now - budget.window
    has_room = LoginFailures.failures <= budget.attempts - count
    try:
        record.update(actions=[LoginFailures.failures.add(count)], condition=running & has_room)
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise
    return record.window_start


def _start_window(key: str, *, now: datetime, budget: Budget, count: int) -> datetime | None:
    """Start a new window holding the attempts, unless a window still runs; its start, or None."""
    if count > budget.attempts:
        return None
    record = LoginFailures(key=key, failures=count, window_start=now, expires_at=now + budget.window)
    absent_or_over = LoginFailures.key.does_not_exist() | (LoginFailures.window_start <= now - budget.window)
    try:
        record.save(condition=absent_or_over)
    except PutError as exc:
        if condition_failed(exc):
            return None
        raise
    return now


def _retry_after(key: str, *, now: datetime, budget: Budget) -> int:
    """Whole seconds until the full window of `key` ends (a window that a concurrent
    attempt started just after `now` still counts as one window long at most)."""
    try:
        record = LoginFailures.get(key, consistent_read=True)
    except LoginFailures.DoesNotExist:
        return 1
    remaining = (record.window_start + budget.window - now).total_seconds()
    return min(budget.seconds, max(1, math.ceil(remaining)))
