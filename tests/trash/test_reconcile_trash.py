"""Reconcile (moto) and the trash: an item in the trash has no media record, yet its files
are owned until the purge; once purged, anything left of it is an orphan."""

from __future__ import annotations

import contextlib
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests import media
from tests.helpers import stored_item
from trash.models import TrashedItem
from trash.services import trash_restore
from uploads import services
from uploads.reconcile import media_reconcile

pytestmark = pytest.mark.usefixtures("aws")


def reconcile(*args: str) -> list[str]:
    out = io.StringIO()
    with contextlib.suppress(CommandError):  # exit status 1 while findings remain
        call_command("reconcile", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_files_of_a_trashed_item_are_not_orphans(bucket_keys, time_machine):
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Kept")
    services.media_delete(item=item, actor="alice")
    time_machine.move_to(timezone.now() + timedelta(days=2))  # past the pending window

    assert reconcile("--fix") == ["Nothing to repair: S3 and DynamoDB agree."]
    assert sorted(bucket_keys()) == sorted([item.s3_key, item.thumbnail_key])


def test_files_left_behind_by_a_purge_are_orphans_again(bucket_keys, time_machine, s3, settings):
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Gone")
    services.media_delete(item=item, actor="alice")
    TrashedItem.get("alice", item.id).delete()  # as if purged, its S3 deletes lost
    time_machine.move_to(timezone.now() + timedelta(days=2))

    report = media_reconcile(fix=True)

    assert sorted(finding.subject for finding in report.findings) == sorted([item.s3_key, item.thumbnail_key])
    assert bucket_keys() == []


def test_an_item_restored_during_the_run_keeps_its_files(bucket_keys, time_machine, faults):
    item = stored_item("p.jpg", media.jpeg(64, 48), name="Back")
    services.media_delete(item=item, actor="alice")
    time_machine.move_to(timezone.now() + timedelta(days=2))
    # Restored between the run's look at the trash and its repair.
    faults.before(
        "Scan",
        lambda params: trash_restore(trashed=TrashedItem.get("alice", item.id), actor="alice"),
        when=lambda params: params["TableName"].endswith("-trash"),
    )

    report = media_reconcile(fix=True)

    assert sorted(bucket_keys()) == sorted([item.s3_key, item.thumbnail_key])
    assert all(finding.outcome != "fixed" for finding in report.findings)
