"""Repair where S3 and DynamoDB disagree: `manage.py reconcile [--fix]` and the daily run on Lambda.

Every write path either leaves both stores agreeing or leaves a marker (a pending record's
expiry, an object whose record never got written). This finds what is left and, with fix
on, repairs it:

- orphan-object: an object under media/ with no record, or whose record was rejected: deleted.
  An item in the trash has no media record but keeps its files until the purge: its
  objects and renditions are owned, not orphans.
- missing-object: a ready record whose file is gone: marked rejected, with a reason.
- expired-pending: a pending record past its expiry (DynamoDB's TTL deletes late, and the form
  path sets no expiry). If its file arrived, it is processed as finish would have been (ready,
  or rejected for its content only); if processing fails for want of storage it stays pending,
  its expiry pushed one window on so the TTL cannot take it, for the next run. If its file
  never arrived, the record is removed and its multipart upload aborted: an upload nobody
  finished expires, as the README promises, just on time.
- orphan-thumbnail: a thumbnail whose item is gone, rejected, or ready without it: deleted.
  A pending item's thumbnail waits for that item's conclusion.
- checksum-pending: a ready item whose full-content pass (SHA-256, duplicate notice) never
  landed: no run finished within the claim's lease of it becoming ready. The pass runs here.
- stale-multipart: an unfinished multipart upload older than a day (or the pending window,
  if longer) that no live pending record is filling: aborted.

Safe while uploads are in flight: no object or upload younger than the pending window is
considered (the form path writes its object before its record), every finding is checked
again with a consistent read just before acting, and record writes are conditional on the
version read, so a record that changed meanwhile is left alone for the next run.

Cost: the records pass is one Scan of the media table (paginated, 1 MB a page), billed for
every item's full size whatever is projected: about one read unit per 8 KB of table (a
million 1 KB items is ~125,000 read units, a cent or two on demand). The buckets are read
with ListObjectsV2 and ListMultipartUploads, 1,000 keys a request; records are looked up with
BatchGetItem (100 a request) only for objects old enough to matter and not already known
ready. Memory grows with the ready items' keys (held to find the missing files: roughly
150 bytes each). Fine for a daily job; a table far beyond millions of items would want
a parallel or segmented scan.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.utils import timezone
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from activity.models import SYSTEM, ActivityAction
from activity.services import activity_record
from mediahub.aws import condition_failed
from mediahub.exceptions import Conflict, StorageUnavailable
from search.services import index_entries, index_update
from trash.models import TrashedItem
from uploads import services, storage
from uploads.exceptions import StaleEdit
from uploads.models import MediaItem, Status

logger = logging.getLogger(__name__)

# Keys per S3 listing request and items per Scan request (tests make pages small).
PAGE_SIZE = 1000
MULTIPART_MIN_AGE = timedelta(days=1)
MISSING_REASON = "The file is no longer in storage. Please upload it again."
# What a pass needs of a record; a Scan is billed by item size whatever it projects.
SCAN_FIELDS = ["id", "status", "s3_key", "uploaded_at", "updated_at", "expires_at", "sha256", "checksum_claimed_at"]
LOOKUP_FIELDS = ["id", "status", "s3_key", "thumbnail_key", "preview_key", "upload_id", "uploaded_at", "expires_at"]


class Problem(StrEnum):
    """What kind of disagreement a finding is."""

    ORPHAN_OBJECT = "orphan-object"
    MISSING_OBJECT = "missing-object"
    EXPIRED_PENDING = "expired-pending"
    ORPHAN_THUMBNAIL = "orphan-thumbnail"
    STALE_MULTIPART = "stale-multipart"
    CHECKSUM_PENDING = "checksum-pending"


class Outcome(StrEnum):
    """What became of a finding."""

    FOUND = "found"
    FIXED = "fixed"
    LEFT_ALONE = "left alone"
    FAILED = "failed"


class ChangedMeanwhile(Conflict):
    """The record changed between the check and the repair; the next run looks again."""

    default_message = "it changed during the run; left alone for the next run"


class RepairFailed(StorageUnavailable):
    """The repair did not complete; what remains is said in the message."""


@dataclass(frozen=True)
class Finding:
    """One disagreement: what, where, and what was (or --fix would be) done about it."""

    problem: Problem
    subject: str
    detail: str
    outcome: Outcome
    action: str

    def line(self) -> str:
        return f"{self.problem:<16} {self.subject}: {self.detail}. {self.outcome.capitalize()}: {self.action}."


@dataclass
class Report:
    """Every finding of one run, in the order found."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def remaining(self) -> list[Finding]:
        """Findings not repaired: reported only, left alone, or failed."""
        return [finding for finding in self.findings if finding.outcome != Outcome.FIXED]

    def totals(self) -> dict[str, int]:
        counts = Counter(finding.problem for finding in self.findings)
        fixed = len(self.findings) - len(self.remaining)
        return {
            "found": len(self.findings),
            "fixed": fixed,
            "remaining": len(self.remaining),
            **{problem.value: counts[problem] for problem in Problem},
        }

    def summary(self) -> str:
        if not self.findings:
            return "Nothing to repair: S3 and DynamoDB agree."
        counts = Counter(finding.problem for finding in self.findings)
        kinds = ", ".join(f"{counts[problem]} {problem}" for problem in Problem if counts[problem])
        totals = self.totals()
        return f"Found {totals['found']} ({kinds}); fixed {totals['fixed']}, {totals['remaining']} remain."


def media_reconcile(*, fix: bool, on_finding: Callable[[Finding], None] | None = None) -> Report:
    """Find every disagreement between the bucket and the media table; with `fix`, repair each.

    `on_finding` hears of each finding as it is made (a long run reports as it goes).
    Running it again right after a run with fix finds nothing.
    """
    run = _Run(fix=fix, on_finding=on_finding or _ignore)
    run.records()
    run.media_objects()
    run.missing_objects()
    run.thumbnails()
    run.multipart_uploads()
    return run.report


def _ignore(finding: Finding) -> None:
    """No one is listening."""


class _Run:
    def __init__(self, *, fix: bool, on_finding: Callable[[Finding], None]) -> None:
        self.fix, self.on_finding = fix, on_finding
        self.now = timezone.now()
        self.window = timedelta(seconds=settings.MEDIAHUB_PENDING_UPLOAD_SECONDS)
        # Anything newer may belong to an upload in flight.
        self.settled_before = self.now - self.window
        self.report = Report()
        # Ready records' keys (to their ids) not yet seen in the bucket.
        self.ready: dict[str, str] = {}

    # Passes, in order: each later one sees what the earlier ones repaired.

    def records(self) -> None:
        """Scan the table: note the ready items' keys, settle the expired pending ones."""
        for item in MediaItem.scan(attributes_to_get=SCAN_FIELDS, page_size=PAGE_SIZE):
            if item.status == Status.READY:
                self.ready[item.s3_key] = item.id
                if self._checksum_overdue(item):
                    self._checked(Problem.CHECKSUM_PENDING, item.id, partial(self._checksum_pending, item.id))
            elif item.status == Status.PENDING and self._expiry(item) <= self.now:
                self._checked(Problem.EXPIRED_PENDING, item.id, partial(self._expired_pending, item.id))

    def media_objects(self) -> None:
        """List media/: every settled object must belong to a pending or ready record."""
        for page in storage.list_objects(f"{storage.MEDIA_PREFIX}/", page_size=PAGE_SIZE):
            settled = []
            for obj in page:
                if self.ready.pop(obj.key, None) is None and obj.last_modified < self.settled_before:
                    settled.append(obj)
            records = _records_for(obj.key for obj in settled)
            trashed = _trashed_ids() if any(storage.media_id_of(obj.key) not in records for obj in settled) else set()
            for obj in settled:
                media_id = storage.media_id_of(obj.key) or ""
                if media_id not in trashed:
                    self._object(obj, records.get(media_id))

    def missing_objects(self) -> None:
        """Ready records whose key the listing never showed."""
        for key, media_id in sorted(self.ready.items()):
            self._checked(Problem.MISSING_OBJECT, media_id, partial(self._missing_object, media_id, key))

    def thumbnails(self) -> None:
        """List thumbnails/ and previews/: every settled rendition must be its ready item's
        (or a pending one's)."""
        for prefix in storage.RENDITION_PREFIXES:
            for page in storage.list_objects(f"{prefix}/", page_size=PAGE_SIZE):
                settled = [obj for obj in page if obj.last_modified < self.settled_before]
                records = _records_for(obj.key for obj in settled)
                missing = any(storage.media_id_of(obj.key) not in records for obj in settled)
                trashed = _trashed_ids() if missing else set()
                for obj in settled:
                    media_id = storage.media_id_of(obj.key) or ""
                    if media_id not in trashed:
                        self._thumbnail(obj, records.get(media_id))

    def multipart_uploads(self) -> None:
        """Unfinished multipart uploads older than a day that no live pending record is filling."""
        started_before = self.now - max(self.window, MULTIPART_MIN_AGE)
        for page in storage.list_multipart_uploads(page_size=PAGE_SIZE):
            stale = [upload for upload in page if upload.initiated < started_before]
            records = _records_for(upload.key for upload in stale)
            for upload in stale:
                self._multipart(upload, records.get(storage.media_id_of(upload.key) or ""))

    # Checks of one candidate each.

    def _expired_pending(self, media_id: str) -> None:
        item = _get(media_id)
        if item is None or item.status != Status.PENDING or self._expiry(item) > self.now:
            return  # concluded or renewed since the scan
        arrived = storage.object_size(item.s3_key) is not None
        detail = (
            f"pending since {_when(item.uploaded_at)}, expired {_when(self._expiry(item))}; "
            f"its file {'arrived' if arrived else 'never arrived'}"
        )
        if arrived:
            self._found(Problem.EXPIRED_PENDING, item.id, detail, "process it", partial(self._process, item))
        else:
            todo = "remove the record" + (" and abort its multipart upload" if item.upload_id else "")
            self._found(Problem.EXPIRED_PENDING, item.id, detail, todo, partial(self._abandon, item))

    def _checksum_pending(self, media_id: str) -> None:
        item = _get(media_id)
        if item is None or not self._checksum_overdue(item):
            return  # landed, claimed or deleted since the scan
        detail = f"ready since {_when(item.updated_at)}, its checksum never landed"
        self._found(Problem.CHECKSUM_PENDING, media_id, detail, "compute it", partial(_checksum, media_id))

    def _object(self, obj: storage.StoredObject, item: MediaItem | None) -> None:
        if item is not None and item.s3_key == obj.key and item.status != Status.REJECTED:
            return
        if item is None:
            why = "no record"
        elif item.status == Status.REJECTED:
            why = "its record was rejected"
        else:
            why = f"its record's file is {item.s3_key}"
        detail = f"{why}; stored {_when(obj.last_modified)}"
        self._found(Problem.ORPHAN_OBJECT, obj.key, detail, "delete the object", partial(_delete_unowned, obj.key))

    def _missing_object(self, media_id: str, key: str) -> None:
        item = _get(media_id)
        if item is None or item.status != Status.READY or item.s3_key != key or storage.object_size(key) is not None:
            return  # deleted, changed or stored since the scan
        detail = f"ready, but its file {key} is missing"
        self._found(Problem.MISSING_OBJECT, media_id, detail, "mark it rejected", partial(self._reject_missing, item))

    def _thumbnail(self, obj: storage.StoredObject, item: MediaItem | None) -> None:
        if item is not None and (
            item.status == Status.PENDING
            or (item.status == Status.READY and obj.key in (item.thumbnail_key, item.preview_key))
        ):
            return
        if item is None:
            why = "no item"
        elif item.status == Status.REJECTED:
            why = "its item was rejected"
        else:
            why = "its item does not use it"
        detail = f"{why}; stored {_when(obj.last_modified)}"
        self._found(Problem.ORPHAN_THUMBNAIL, obj.key, detail, "delete it", partial(_delete_unowned, obj.key))

    def _multipart(self, upload: storage.MultipartUpload, item: MediaItem | None) -> None:
        if (
            item is not None
            and item.status == Status.PENDING
            and item.upload_id == upload.upload_id
            and self._expiry(item) > self.now
        ):
            return
        detail = f"started {_when(upload.initiated)}, never completed"
        subject = f"{upload.key} (upload {upload.upload_id[:12]}…)"
        self._found(Problem.STALE_MULTIPART, subject, detail, "abort it", partial(_abort, upload))

    # Repairs: each returns what it did, or raises ChangedMeanwhile or RepairFailed.

    def _process(self, item: MediaItem) -> str:
        # First keep the record alive past this run: if processing fails for want of
        # storage, the file must not lose its record to the TTL.
        renewed = self.now + self.window
        _update(item, [MediaItem.expires_at.set(renewed)], MediaItem.status == Status.PENDING)
        try:
            done = services.media_process(item=item)
        except Exception as exc:
            logger.exception("Reconcile could not process media %s", item.id)
            problem = f"processing failed ({type(exc).__name__}: {exc})"
            raise RepairFailed(f"{problem}; it stays pending, with its file, until {_when(renewed)}") from exc
        return f"processed it: {done.status}" + (f" ({done.reason})" if done.reason else "")

    def _abandon(self, item: MediaItem) -> str:
        try:
            # Record first: once it is gone no finish can start, and the object (if any lands) is an orphan.
            services.media_delete(item=item, actor="(reconcile)")
        except StaleEdit as exc:
            raise ChangedMeanwhile from exc
        if item.upload_id:
            storage.multipart_abort(item.s3_key, upload_id=item.upload_id)
            return "removed the record and aborted its multipart upload"
        return "removed the record"

    def _reject_missing(self, item: MediaItem) -> str:
        renditions = [key for key in (item.thumbnail_key, item.preview_key) if key]
        actions = services.rejection_of_ready(MISSING_REASON)
        indexed = index_entries(item)
        _update(item, actions, (MediaItem.status == Status.READY) & (MediaItem.s3_key == item.s3_key))
        index_update(media_id=item.id, before=indexed, after=index_entries(item))
        activity_record(
            actor=SYSTEM, action=ActivityAction.REJECT, media_id=item.id, owner=item.owner, detail=MISSING_REASON
        )
        for key in renditions:
            storage.delete(key)
        return "marked it rejected" + (" and deleted its thumbnail" if renditions else "")

    # Bookkeeping.

    def _expiry(self, item: MediaItem) -> datetime:
        # The form path writes pending records without an expiry; they expire like direct uploads.
        return item.expires_at or item.uploaded_at + self.window

    def _checksum_overdue(self, item: MediaItem) -> bool:
        """Ready without a checksum, and no run has held the pass within its lease."""
        last_try = item.checksum_claimed_at or item.updated_at
        return item.checksum_pending and last_try < self.now - services.CHECKSUM_LEASE

    def _checked(self, problem: Problem, subject: str, check: Callable[[], None]) -> None:
        """Run one candidate's check; a storage error there fails that finding, not the run."""
        try:
            check()
        except Exception as exc:
            logger.exception("Reconcile could not check %s", subject)
            self._report(problem, subject, "could not be checked", Outcome.FAILED, f"{type(exc).__name__}: {exc}")

    def _found(self, problem: Problem, subject: str, detail: str, todo: str, repair: Callable[[], str]) -> None:
        if not self.fix:
            self._report(problem, subject, detail, Outcome.FOUND, f"--fix would {todo}")
            return
        try:
            done = repair()
        except ChangedMeanwhile as exc:
            self._report(problem, subject, detail, Outcome.LEFT_ALONE, str(exc))
        except RepairFailed as exc:
            self._report(problem, subject, detail, Outcome.FAILED, str(exc))
        except Exception as exc:
            logger.exception("Reconcile could not repair %s", subject)
            self._report(problem, subject, detail, Outcome.FAILED, f"could not {todo} ({type(exc).__name__}: {exc})")
        else:
            self._report(problem, subject, detail, Outcome.FIXED, done)

    def _report(self, problem: Problem, subject: str, detail: str, outcome: Outcome, action: str) -> None:
        finding = Finding(problem=problem, subject=subject, detail=detail, outcome=outcome, action=action)
        self.report.findings.append(finding)
        self.on_finding(finding)


def _records_for(keys: Iterable[str]) -> dict[str, MediaItem]:
    """The records the keys belong to, by id, read consistently in batches of 100."""
    ids = {media_id for key in keys if (media_id := storage.media_id_of(key))}
    if not ids:
        return {}
    found = MediaItem.batch_get(ids, consistent_read=True, attributes_to_get=LOOKUP_FIELDS)
    return {item.id: item for item in found}


def _get(media_id: str) -> MediaItem | None:
    try:
        return MediaItem.get(media_id, consistent_read=True)
    except MediaItem.DoesNotExist:
        return None


def _update(item: MediaItem, actions: list[Action], condition: Condition) -> None:
    """Update only if the item is still as read (its version) and `condition` holds."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            raise ChangedMeanwhile from exc
        raise


def _trashed_ids() -> set[str]:
    """The ids of every item in the trash, read consistently. Read after the media records
    it completes: moving an item to the trash is one transaction, so an item whose media
    record was already gone is in this set unless it was purged (or restored: see
    _delete_unowned)."""
    return {trashed.media_id for trashed in TrashedItem.scan(consistent_read=True, attributes_to_get=["media_id"])}


def _delete_unowned(key: str) -> str:
    """Delete an orphan, after one more consistent look at its record: an item restored
    from the trash since the listing owns its files again."""
    media_id = storage.media_id_of(key)
    current = _get(media_id) if media_id else None
    if current is not None and current.status != Status.REJECTED and key in _keys_of(current):
        raise ChangedMeanwhile
    storage.delete(key)
    return "deleted it"


def _keys_of(item: MediaItem) -> tuple[str | None, ...]:
    return (item.s3_key, item.thumbnail_key, item.preview_key)


def _checksum(media_id: str) -> str:
    done = services.media_checksum(media_id=media_id)
    if done is None:
        raise ChangedMeanwhile
    if done.status == Status.REJECTED:
        return f"its file was replaced after the check: rejected it ({done.reason})"
    return "computed it"


def _abort(upload: storage.MultipartUpload) -> str:
    storage.multipart_abort(upload.key, upload_id=upload.upload_id)
    return "aborted it"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
