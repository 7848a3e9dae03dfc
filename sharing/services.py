"""Writes to share links: make one, withdraw it, count its views, check its password."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone
from pynamodb.exceptions import PynamoDBException, UpdateError

from accounts import throttling
from activity.models import ActivityAction
from activity.services import activity_record
from mediahub import tokens
from mediahub.aws import condition_failed
from sharing.exceptions import (
    InvalidShareExpiry,
    ShareNotAllowed,
    SharePasswordThrottled,
    SharePasswordWrong,
    TooManyShares,
)
from sharing.models import LONGEST, SHORTEST, Share
from sharing.selectors import shares_for_media
from uploads.models import MediaItem, Status

logger = logging.getLogger(__name__)

# A minute of slack at each end, for the time between the form's clock and this one.
_SLACK = timedelta(minutes=1)


def share_create(
    *, item: MediaItem, created_by: str, expires_at: datetime, password: str = "", allow_download: bool = True
) -> tuple[Share, str]:
    """A new link to `item`, and its token: the only time the token exists outside the
    link, since the table keeps its hash. Only a ready item can be shared."""
    if item.status != Status.READY:
        raise ShareNotAllowed
    now = timezone.now()
    if not now + SHORTEST - _SLACK <= expires_at <= now + LONGEST + _SLACK:
        raise InvalidShareExpiry("A link lasts from one hour to 90 days.")
    if len(shares_for_media(media_id=item.id)) >= settings.MEDIAHUB_SHARES_PER_ITEM:
        raise TooManyShares(
            f"This item has {settings.MEDIAHUB_SHARES_PER_ITEM} active links, the most it may have. Withdraw one first."
        )
    token = tokens.token_new()
    share = Share(
        token_hash=tokens.token_hash(token),
        media_id=item.id,
        owner=item.owner,
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
        password=make_password(password) if password else None,
        allow_download=allow_download,
    )
    share.save(condition=Share.token_hash.does_not_exist())
    detail = f"a link until {expires_at:%Y-%m-%d %H:%M} UTC" + (", with a password" if password else "")
    activity_record(actor=created_by, action=ActivityAction.SHARE, media_id=item.id, owner=item.owner, detail=detail)
    return share, token


def share_revoke(*, share: Share, actor: str | None = None) -> None:
    """Withdraw the link: from the next request on, it answers as if it never existed.
    `actor` (the item's owner if not given) is who the activity log names."""
    share.delete()
    detail = f"the link made {share.created_at:%Y-%m-%d %H:%M} UTC"
    activity_record(
        actor=actor or share.owner,
        action=ActivityAction.UNSHARE,
        media_id=share.media_id,
        owner=share.owner,
        detail=detail,
    )


def shares_end_for_media(*, media_id: str, must: bool = False) -> None:
    """Withdraw every link to an item that is going away. A link left behind by a failure
    here is dead while its item is (opening a link checks its item), and its TTL removes
    it; with `must`, for an item coming back from the trash, the failure is raised instead."""
    try:
        with Share.batch_write() as batch:
            for share in Share.by_media.query(media_id):
                batch.delete(share)
    except PynamoDBException:
        if must:
            raise
        logger.exception("Could not remove the share links of %s; they are dead and expire by TTL", media_id)


def share_record_view(*, share: Share) -> None:
    """Count one visit. Never fails the visit, and never brings a withdrawn link back."""
    try:
        share.update(
            actions=[Share.views.add(1), Share.last_viewed_at.set(timezone.now())],
            condition=Share.token_hash.exists(),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            logger.warning("Could not count a view of a share of %s: %r", share.media_id, exc)


def share_unlock(*, share: Share, password: str, address: str) -> None:
    """Check the link's password, throttled like sign-in: attempts are counted per link and
    per client address before the hasher runs, and a right password gives its attempt back."""
    link_key, address_key = f"share:{share.token_hash}", f"share-address:{address}"
    reservations = throttling.attempts_reserve(
        (link_key, address_key), now=timezone.now(), refusal=SharePasswordThrottled
    )
    if not check_password(password, share.password):
        raise SharePasswordWrong
    throttling.failures_reset(link_key)
    throttling.attempt_release(reservations[1])
